"""The hostile battery through the real HTTP API of a real server, once per layer setting.

Each case of hostile_cases.py is POSTed to /api/run of a `torchquiz serve` process whose
data folder holds the secrets a snippet would want (session key file, database, .env,
and the key in the server's environment). Every case must be contained, say why it was
stopped, leave nothing running and no job folder behind, while a benign run beside it
still trains and the server keeps answering. Runs only inside a PID namespace (see
test_pid_namespace.py), so that a containment bug cannot reach the rest of the machine.
"""

from __future__ import annotations

import glob
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from app.sandbox import Layers, RunResult
from tests.helpers import FIXTURE_QUIZZES
from tests.live_server import LiveServer, live_server

from .conftest import (
    LAYER_CONFIGS,
    TEST_LIMITS,
    Secrets,
    in_pid_namespace,
    listeners_untouched,
    make_context,
    stray_processes,
)
from .hostile_cases import BENIGN_TRAINING, CASES, Context, HostileCase
from .hostile_time import CASES as TIME_CASES
from .hostile_time import Sequence, leaked, remove_mqueue, remove_sysv_objects, sequences
from .memory_scan import find_in_memory

pytestmark = pytest.mark.skipif(
    not in_pid_namespace(),
    reason="hostile cases run only inside a PID namespace; test_pid_namespace.py runs them "
    "there (or: python tests/run_in_pidns.py tests/sandbox)",
)


def _env(layers: Layers, jobs: Path) -> dict[str, str]:
    return {
        "TORCHQUIZ_SANDBOX_SECCOMP": str(layers.seccomp).lower(),
        "TORCHQUIZ_SANDBOX_LANDLOCK": str(layers.landlock).lower(),
        "TORCHQUIZ_SANDBOX_UID_DROP": str(layers.uid_drop).lower(),
        "TORCHQUIZ_RUN_WALL_S": str(TEST_LIMITS.wall_s),
        "TORCHQUIZ_RUN_CPU_S": str(TEST_LIMITS.cpu_s),
        "TORCHQUIZ_RUN_WORKERS": str(TEST_LIMITS.workers),
        "TORCHQUIZ_RUN_QUEUE": str(TEST_LIMITS.queue),
        "TORCHQUIZ_RUN_RATE_PER_MIN": "0",
        # Each case runs beside a benign run, both anonymous: both must be in flight.
        "TORCHQUIZ_RUN_ANONYMOUS_WORKERS": str(TEST_LIMITS.workers),
        "TORCHQUIZ_RUN_JOBS_DIR": str(jobs),
    }


@dataclass
class Battery:
    """A live server, a learner session on it, and a watcher that keeps asking /healthz."""

    server: LiveServer
    http: httpx.Client
    token: str
    jobs: Path
    health_failures: list[str] = field(default_factory=list)

    def run(self, code: str) -> RunResult:
        response = self.http.post(
            "/api/run", json={"code": code}, headers={"X-CSRF-Token": self.token}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"status", "stdout", "stderr", "truncated", "duration_ms", "reason"}
        return RunResult(**body)

    def run_many(self, *codes: str) -> list[RunResult]:
        with ThreadPoolExecutor(len(codes)) as pool:
            return list(pool.map(self.run, codes))

    @property
    def sandbox(self) -> dict[str, object]:
        health = self.http.get("/healthz")
        assert health.status_code == 200
        sandbox: dict[str, object] = health.json()["sandbox"]
        return sandbox

    @property
    def zygote_pid(self) -> int:
        pid = self.sandbox["zygote_pid"]
        assert isinstance(pid, int)
        return pid

    def answer(self, question: str, code: str) -> dict[str, object]:
        """Answer the code question "topic/question" with `code`; its feedback."""
        topic, name = question.split("/")
        response = self.http.post(
            f"/api/topics/{topic}/questions/{name}/answer",
            json={"code": code},
            headers={"X-CSRF-Token": self.token},
        )
        assert response.status_code == 200, response.text
        feedback: dict[str, object] = response.json()
        return feedback

    def zygote_memory(self, pattern: str) -> str:
        """What of `pattern` the zygote's memory holds, read from outside (as root)."""
        return "\n".join(find_in_memory(self.zygote_pid, pattern))

    def job_dirs_left(self) -> list[str]:
        # The server makes one root folder under the jobs folder; each run a folder in it.
        return [entry for root in self.jobs.iterdir() for entry in os.listdir(root)]


def _wait_until_idle(battery: Battery, quiet_s: float = 1.0, timeout_s: float = 120.0) -> None:
    """The server warms authored runs in the background when it starts; let it finish, so
    that its jobs are not taken for processes a hostile case left behind."""
    deadline = time.monotonic() + timeout_s
    last: tuple[object, ...] = ()
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        sandbox = battery.sandbox
        now = (sandbox["busy"], sandbox["queued"], sandbox["jobs_run"])
        if now != last or now[:2] != (0, 0):
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
        time.sleep(0.1)
    raise AssertionError(f"the sandbox did not become idle: {last}")


def _watch_health(battery: Battery, stop: threading.Event) -> None:
    with httpx.Client(base_url=battery.server.url, timeout=10) as watcher:
        while not stop.wait(0.25):
            try:
                status = watcher.get("/healthz").status_code
            except httpx.HTTPError as error:
                battery.health_failures.append(repr(error))
                continue
            if status != 200:
                battery.health_failures.append(f"/healthz answered {status}")


@pytest.fixture(scope="module", params=list(LAYER_CONFIGS))
def battery(
    request: pytest.FixtureRequest, fake_secrets: Secrets, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Battery]:
    layers = LAYER_CONFIGS[request.param]
    jobs = tmp_path_factory.mktemp("jobs")
    # The server's data folder is the one full of secrets: its session key is the
    # secret_key file (and TORCHQUIZ_SECRET_KEY in its environment), its database sits
    # beside the fake one.
    env = _env(layers, jobs) | {
        "TORCHQUIZ_DATABASE_URL": f"sqlite:///{fake_secrets.data_dir}/real.db",
    }
    with (
        live_server(Path(fake_secrets.data_dir), FIXTURE_QUIZZES, env=env) as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        token = http.get("/api/session").json()["csrf_token"]
        _plant_secret_in_database(Path(fake_secrets.data_dir) / "real.db", fake_secrets.secret)
        battery = Battery(server=server, http=http, token=token, jobs=jobs)
        _wait_until_idle(battery)
        stop = threading.Event()
        watcher = threading.Thread(target=_watch_health, args=(battery, stop), daemon=True)
        watcher.start()
        yield battery
        stop.set()
        watcher.join()
        zygote = battery.zygote_pid
    assert battery.health_failures == [], battery.health_failures
    assert not os.path.exists(f"/proc/{zygote}"), "the zygote outlived the server"
    assert stray_processes(zygote) == []


def _plant_secret_in_database(path: Path, secret: str) -> None:
    with closing(sqlite3.connect(path)) as database, database:
        database.execute(
            "insert or ignore into learner (id, created_at) values (?, datetime('now'))",
            (secret[:64],),
        )


@pytest.fixture()
def ctx(battery: Battery, fake_secrets: Secrets) -> Context:
    context = make_context(fake_secrets, battery.sandbox, zygote_pid=battery.zygote_pid)
    # The process a snippet would most like to reach is the server itself.
    return context.with_parent(battery.server.process.pid)


def _cleanup_world_writable() -> list[str]:
    """Remove what a case may have left where every uid can write; what was left in
    the IPC namespace (which nothing may outlive a run in)."""
    # Only reachable without Landlock (a documented residual); keep runs independent.
    for path in glob.glob("/dev/shm/tq-bomb*"):
        os.remove(path)
    left = remove_sysv_objects()
    if remove_mqueue():
        left.append("POSIX message queue /tq-hostile-mq")
    return left


@pytest.mark.parametrize("case", CASES + TIME_CASES, ids=lambda c: c.name)
def test_hostile_case(
    battery: Battery, ctx: Context, fake_secrets: Secrets, case: HostileCase
) -> None:
    zygote = battery.zygote_pid
    left: list[str] = []
    try:
        result, benign = battery.run_many(case.render(ctx), BENIGN_TRAINING)
    finally:
        left = _cleanup_world_writable()
    problems = case.check(result, ctx)
    problems += [f"{what} outlived the run" for what in left]
    assert not problems, f"{case.name} ({case.category}): {problems}\n{result}"
    assert benign.status == "ok" and "loss went down: True" in benign.stdout, benign
    assert battery.zygote_pid == zygote, "the zygote was replaced: the case took it down"
    assert stray_processes(zygote) == []
    assert listeners_untouched(fake_secrets), "a job reached a listener of the test process"
    deadline = time.monotonic() + 5  # folders are removed just after the answer is sent
    while battery.job_dirs_left() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert battery.job_dirs_left() == [], "a job folder was left behind"
    assert fake_secrets.secret not in battery.server.log.read_text(errors="replace")
    after = battery.run("print('still here')")
    assert after.status == "ok" and after.stdout == "still here\n", after


@pytest.mark.parametrize("sequence", sequences(), ids=lambda s: s.name)
def test_nothing_reaches_a_later_run(battery: Battery, sequence: Sequence) -> None:
    """Learner A's run, then later runs: none of them (nor the zygote every later spare
    is forked from) holds anything of A's code, output or IPC objects."""
    try:
        if sequence.answer_to is None:
            first = battery.run(sequence.first)
            assert first.status in ("ok", "error"), first
        else:
            assert battery.answer(sequence.answer_to, sequence.first)["correct"] is True
        found = []
        for _ in range(sequence.times):
            later = battery.run(sequence.later)
            assert later.status == "ok", later
            found += leaked(sequence, later.stdout)
        assert not found, f"later runs found {found}"
        assert not leaked(sequence, battery.zygote_memory(sequence.leak)), "in the zygote"
    finally:
        left = _cleanup_world_writable()
    assert left == [], f"{left} outlived the run"


def test_benign_training(battery: Battery) -> None:
    result = battery.run(BENIGN_TRAINING)
    assert result.status == "ok", result
    assert "loss went down: True" in result.stdout


def test_same_code_same_output(battery: Battery) -> None:
    code = (
        "import random, numpy as np, torch\n"
        "print(torch.randn(3), random.random(), np.random.rand(), {'a', 'b', 'c', 'd'})\n"
    )
    first, second = battery.run(code), battery.run(code)
    assert first.status == "ok", first
    assert first.stdout == second.stdout


def test_layers_reported(battery: Battery, request: pytest.FixtureRequest) -> None:
    layers = battery.sandbox["layers"]
    assert isinstance(layers, dict)
    requested = LAYER_CONFIGS[request.node.callspec.params["battery"]]
    assert layers["seccomp"] is True
    assert layers["landlock"] is requested.landlock
    assert layers["uid_drop"] is (requested.uid_drop and os.geteuid() == 0)
