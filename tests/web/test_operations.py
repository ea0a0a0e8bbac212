"""What an operator relies on: readiness, JSON logs, backups, refusing unsafe setups,
graceful shutdown, and replicas sharing one PostgreSQL."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import ConfigurationError, Settings
from app.store.database import make_engine
from app.web.state import app_state
from tests.helpers import FIXTURE_QUIZZES, POSTGRES_ADMIN_URL, fresh_postgres_database, migrated_app
from tests.live_server import live_server


def session(url: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=url, timeout=30)
    return http, http.get("/api/session").json()["csrf_token"]


def answer(http: httpx.Client, token: str, question: str, choice: str) -> None:
    response = http.post(
        f"/api/topics/basics/questions/{question}/answer",
        json={"choice": choice},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200, response.text


def test_readyz_reports_the_database_and_the_sandbox(client: TestClient) -> None:
    assert client.get("/readyz").json() == {
        "status": "ready",
        "database": "ok",
        "sandbox": "disabled",
    }
    working = app_state(client.app).engine
    broken = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    app_state(client.app).engine = broken
    try:
        response = client.get("/readyz")
    finally:
        app_state(client.app).engine = working
        broken.dispose()
    assert response.status_code == 503
    assert response.json()["database"].startswith("unreachable")
    assert client.get("/healthz").status_code == 200  # alive, just not ready


def test_a_database_server_needs_an_explicit_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TORCHQUIZ_SECRET_KEY", raising=False)
    url = "postgresql+psycopg://torchquiz@127.0.0.1:5432/torchquiz"
    with pytest.raises(ConfigurationError, match="TORCHQUIZ_SECRET_KEY must be set"):
        Settings(database_url=url, data_dir=tmp_path).session_secret()
    result = CliRunner().invoke(
        cli, ["serve"], env={"TORCHQUIZ_DATABASE_URL": url, "TORCHQUIZ_SECRET_KEY": ""}
    )
    assert result.exit_code == 2
    assert "TORCHQUIZ_SECRET_KEY must be set" in result.output


def test_json_logs_have_one_line_per_request_and_no_code(tmp_path: Path) -> None:
    env = {"TORCHQUIZ_LOG_FORMAT": "json", "TORCHQUIZ_RUN_RATE_PER_MIN": "0"}
    secret_code = "print('a learner wrote this: 7x13')"
    with live_server(tmp_path / "data", FIXTURE_QUIZZES, env=env) as server:
        http, token = session(server.url)
        with closing(http):
            http.get("/topics/basics?learner=secret-query")
            run = http.post("/api/run", json={"code": secret_code}, headers={"X-CSRF-Token": token})
            assert run.json()["stdout"] == "a learner wrote this: 7x13\n"
        time.sleep(0.3)
        lines = server.log.read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(entries) == len([line for line in lines if line.strip()]), "every line is JSON"
    requests = [e for e in entries if e["logger"] == "torchquiz.access"]
    topic = next(e for e in requests if e["path"] == "/topics/basics")
    assert topic["method"] == "GET" and topic["status"] == 200 and topic["duration_ms"] >= 0
    runs = [e for e in entries if "code_sha256" in e]
    assert len(runs) == 1 and runs[0]["status"] == "ok"
    text = "\n".join(lines)
    assert "7x13" not in text and "secret-query" not in text and token not in text


def run_backup(data: Path, target: Path) -> subprocess.CompletedProcess[str]:
    """`torchquiz db backup TARGET` as an operator runs it, beside the server."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "db", "backup", str(target)],
        env={**os.environ, "TORCHQUIZ_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_backup_while_the_server_writes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"TORCHQUIZ_RUN_ENABLED": "false"}
    with live_server(data, FIXTURE_QUIZZES, env=env) as server:
        http, token = session(server.url)
        stop = threading.Event()

        def keep_answering() -> None:
            while not stop.is_set():
                answer(http, token, "shape", "b")

        writer = threading.Thread(target=keep_answering)
        writer.start()
        time.sleep(0.5)
        backup = tmp_path / "backup.db"
        done = run_backup(data, backup)
        stop.set()
        writer.join()
        http.close()
        assert done.returncode == 0, done.stderr
        copy = sqlite3.connect(backup)
        (copied,) = copy.execute("select count(*) from attempt").fetchone()
        assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
        assert f"backed up {copied} attempts" in done.stdout
        assert copied > 0
        (total,) = (
            sqlite3.connect(data / "torchquiz.db")
            .execute("select count(*) from attempt")
            .fetchone()
        )
        assert copied <= total  # a snapshot of one moment while writes went on
        again = run_backup(data, backup)
        assert again.returncode == 1 and "never overwrites" in again.stderr


def test_graceful_shutdown_finishes_requests_and_leaves_no_process(tmp_path: Path) -> None:
    with live_server(tmp_path / "data", FIXTURE_QUIZZES) as server:
        http, token = session(server.url)
        zygote = http.get("/healthz").json()["sandbox"]["zygote_pid"]
        result: list[httpx.Response] = []
        slow = threading.Thread(
            target=lambda: result.append(
                http.post(
                    "/api/run",
                    json={"code": "import time\ntime.sleep(1.5)\nprint('finished')"},
                    headers={"X-CSRF-Token": token},
                )
            )
        )
        slow.start()
        time.sleep(0.5)
        server.process.send_signal(signal.SIGTERM)
        slow.join()
        # uvicorn shuts down gracefully, then ends with the signal it received.
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert "Finished server process" in server.log.read_text()
        http.close()
    assert result[0].status_code == 200 and result[0].json()["stdout"] == "finished\n"
    assert not Path(f"/proc/{zygote}").exists(), "the sandbox outlived the server"


@pytest.mark.skipif(
    POSTGRES_ADMIN_URL is None, reason="needs TORCHQUIZ_TEST_POSTGRES (make test starts one)"
)
def test_two_replicas_serve_the_same_learner(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        env = {
            "TORCHQUIZ_DATABASE_URL": url,
            "TORCHQUIZ_SECRET_KEY": "shared-by-every-replica",
            "TORCHQUIZ_RUN_ENABLED": "false",
        }
        with (
            live_server(tmp_path / "a", FIXTURE_QUIZZES, env=env) as first,
            live_server(tmp_path / "b", FIXTURE_QUIZZES, env=env) as second,
        ):
            http, token = session(first.url)
            with closing(http):
                answer(http, token, "shape", "b")
                cookies = dict(http.cookies)
            with httpx.Client(base_url=second.url, cookies=cookies, timeout=30) as other:
                attempts = other.get("/api/progress").json()["attempts"]
                assert [(a["question_id"], a["correct"]) for a in attempts] == [("shape", True)]
                # The same session's CSRF token works on the other replica too.
                answer(other, token, "dtype", "a")
            with httpx.Client(base_url=first.url, cookies=cookies, timeout=30) as back:
                assert len(back.get("/api/progress").json()["attempts"]) == 2


def test_runs_are_refused_when_nothing_hides_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        quiz_dir=FIXTURE_QUIZZES,
        secret_key="test",
        sandbox_landlock=False,
        sandbox_uid_drop=False,
    )
    with TestClient(migrated_app(settings)) as client:
        sandbox = client.get("/healthz").json()["sandbox"]
        assert sandbox["enabled"] is False
        assert "neither Landlock nor the uid drop" in sandbox["reason"]
        token = client.get("/api/session").json()["csrf_token"]
        refused = client.post(
            "/api/run", json={"code": "print(1)"}, headers={"X-CSRF-Token": token}
        )
        assert refused.status_code == 503
        assert "TORCHQUIZ_RUN_ALLOW_UNPROTECTED_FILES" in refused.json()["detail"]


@pytest.mark.skipif(
    POSTGRES_ADMIN_URL is None, reason="needs TORCHQUIZ_TEST_POSTGRES (make test starts one)"
)
def test_replicas_share_the_run_limit_and_the_authored_outputs(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        env = {
            "TORCHQUIZ_DATABASE_URL": url,
            "TORCHQUIZ_SECRET_KEY": "shared-by-every-replica",
            "TORCHQUIZ_RUN_RATE_PER_MIN": "2",
            # Every learner here is anonymous from 127.0.0.1: this test is about the
            # per-learner limit (the per-address one is tests/web/test_run_limits.py's).
            "TORCHQUIZ_RUN_RATE_PER_ADDRESS_PER_MIN": "10",
        }
        with live_server(tmp_path / "a", FIXTURE_QUIZZES, env=env) as first:
            wait_until_warmed(first.url)
            ran_first = httpx.get(f"{first.url}/healthz").json()["sandbox"]["jobs_run"]
            assert ran_first > 0, "the first replica ran the authored snippets"
            # A second replica (or a restart) finds their outputs in the database.
            with live_server(tmp_path / "b", FIXTURE_QUIZZES, env=env) as second:
                wait_until_warmed(second.url)
                sandbox = httpx.get(f"{second.url}/healthz").json()["sandbox"]
                assert sandbox["jobs_run"] == 0, "no authored snippet ran again"
                page = httpx.get(f"{second.url}/api/topics/basics").json()
                outputs = [p["snippet"]["output"] for p in page["lesson"] if p["snippet"]]
                assert outputs and all(o["status"] == "ok" for o in outputs)

                http, token = session(first.url)
                with closing(http):
                    for n in range(2):
                        run = http.post(
                            "/api/run",
                            json={"code": f"print({n})"},
                            headers={"X-CSRF-Token": token},
                        )
                        assert run.status_code == 200, run.text
                    cookies = dict(http.cookies)
                # The same learner on the other replica has used up the site's limit.
                with httpx.Client(base_url=second.url, cookies=cookies, timeout=30) as other:
                    refused = other.post(
                        "/api/run", json={"code": "print(2)"}, headers={"X-CSRF-Token": token}
                    )
                    assert refused.status_code == 429
                    assert 1 <= int(refused.headers["Retry-After"]) <= 60
                    # Another learner is not limited by it.
                    fresh, fresh_token = session(second.url)
                    with closing(fresh):
                        allowed = fresh.post(
                            "/api/run",
                            json={"code": "print(3)"},
                            headers={"X-CSRF-Token": fresh_token},
                        )
                        assert allowed.status_code == 200 and allowed.json()["stdout"] == "3\n"


def wait_until_warmed(url: str, timeout_s: float = 120) -> None:
    """Until the server has computed (or loaded) every authored run's output."""
    deadline = time.monotonic() + timeout_s
    while not httpx.get(f"{url}/healthz").json()["sandbox"].get("warmed"):
        assert time.monotonic() < deadline, "the authored runs were never all computed"
        time.sleep(0.2)
