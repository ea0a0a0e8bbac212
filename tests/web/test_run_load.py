"""A real server under load: a busy sandbox answers 503 at once, and pages stay served."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import FIXTURE_QUIZZES
from tests.live_server import LiveServer, live_server

PAGE = "/topics/basics/questions/shape"


class HttpLearner:
    """A learner talking to a live server; close it (or use `with`) to free its sockets."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        self.token = self.http.get("/api/session").json()["csrf_token"]

    def __enter__(self) -> "HttpLearner":
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def run(self, code: str) -> httpx.Response:
        return self.http.post("/api/run", json={"code": code}, headers={"X-CSRF-Token": self.token})


@pytest.fixture
def one_worker(tmp_path: Path) -> Iterator[LiveServer]:
    env = {"TORCHQUIZ_RUN_WORKERS": "1", "TORCHQUIZ_RUN_QUEUE": "0", "TORCHQUIZ_RUN_WALL_S": "3"}
    with live_server(tmp_path / "data", FIXTURE_QUIZZES, env=env) as server:
        yield server


def test_saturated_sandbox_answers_503_with_retry_after(one_worker: LiveServer) -> None:
    with HttpLearner(one_worker.url) as first, HttpLearner(one_worker.url) as second:
        _saturate_one_worker(first, second)


def _wait_until_warmed(http: httpx.Client) -> None:
    # The background warm-up runs authored code on the same workers: let it finish first.
    for _ in range(600):
        if http.get("/healthz").json()["sandbox"]["warmed"]:
            return
        time.sleep(0.1)
    raise AssertionError("the sandbox did not finish warming up in 60 s")


def _saturate_one_worker(first: HttpLearner, second: HttpLearner) -> None:
    _wait_until_warmed(first.http)
    slow: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: slow.append(first.run("import time\ntime.sleep(2)")))
    worker.start()
    time.sleep(0.5)
    started = time.perf_counter()
    refused = second.run("print('me too')")
    waited = time.perf_counter() - started
    worker.join()
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert "busy" in refused.json()["detail"]
    assert waited < 1.5  # refused at once, not queued behind the sleeper
    assert slow[0].json()["status"] == "ok"
    assert second.run("print('now')").json()["stdout"] == "now\n"


def test_pages_are_served_while_two_learners_burn_cpu(tmp_path: Path) -> None:
    # Both burners are anonymous: let them take the whole pool (by default anonymous
    # runs leave a worker to signed-in learners).
    env = {
        "TORCHQUIZ_RUN_WALL_S": "4",
        "TORCHQUIZ_RUN_CPU_S": "4",
        "TORCHQUIZ_RUN_ANONYMOUS_WORKERS": "2",
    }
    with (
        live_server(tmp_path / "data", FIXTURE_QUIZZES, env=env) as server,
        HttpLearner(server.url) as one,
        HttpLearner(server.url) as two,
        httpx.Client(base_url=server.url, timeout=30) as reader,
    ):
        burners = [one, two]
        reader.get(PAGE)
        results: list[httpx.Response] = []
        threads = [
            threading.Thread(target=lambda b=b: results.append(b.run("while True:\n    pass")))
            for b in burners
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        statuses = [reader.get(PAGE).status_code for _ in range(20)]
        health = reader.get("/healthz").json()["sandbox"]
        for thread in threads:
            thread.join()
    assert statuses == [200] * 20
    assert health["busy"] == 2
    assert [r.json()["status"] for r in results] == ["timeout", "timeout"]
