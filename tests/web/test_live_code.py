"""Live code through the app: authored outputs on pages, learners' runs, limits in words.

One app with a real sandbox serves the whole module; starting one costs a torch import.
"""

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.helpers import FIXTURE_QUIZZES, Learner, csrf_from, migrated_app, template_name


@pytest.fixture(scope="module")
def live_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("live") / "data"
    settings = Settings(
        data_dir=data, quiz_dir=FIXTURE_QUIZZES, secret_key="test", run_rate_per_min=0
    )
    with TestClient(migrated_app(settings)) as client:
        deadline = time.monotonic() + 60
        while not client.get("/healthz").json()["sandbox"]["warmed"]:
            assert time.monotonic() < deadline, "authored runs never finished warming"
            time.sleep(0.1)
        yield client


@pytest.fixture(scope="module")
def runner(live_client: TestClient) -> Learner:
    return Learner(live_client)


def run(learner: Learner, code: str) -> dict[str, Any]:
    response = learner.client.post(
        "/api/run", json={"code": code}, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_lesson_shows_the_real_output_of_its_code(live_client: TestClient) -> None:
    lesson = live_client.get("/api/topics/basics").json()["lesson"]
    snippet = next(part["snippet"] for part in lesson if part["snippet"])
    assert snippet["output"]["status"] == "ok"
    assert snippet["output"]["stdout"] == "torch.Size([2, 3])\n"
    html = live_client.get("/topics/basics").text
    assert '<samp class="stdout">torch.Size([2, 3])\n</samp>' in html


def test_question_code_output_is_shown_and_cached(live_client: TestClient) -> None:
    page = live_client.get("/api/topics/basics/questions/shape").json()
    assert page["question"]["code"]["output"]["stdout"] == "elements: 6\n"
    jobs = live_client.get("/healthz").json()["sandbox"]["jobs_run"]
    for _ in range(3):
        live_client.get("/topics/basics/questions/shape")
        live_client.get("/topics/basics")
    assert live_client.get("/healthz").json()["sandbox"]["jobs_run"] == jobs


def test_run_returns_output_and_is_deterministic(runner: Learner) -> None:
    code = "import torch, random\nprint(torch.rand(2).tolist(), random.random())"
    first, second = run(runner, code), run(runner, code)
    assert first["status"] == "ok"
    assert first["stdout"] == second["stdout"]
    assert first["stderr"] == "" and first["truncated"] is False and first["reason"] is None
    assert isinstance(first["duration_ms"], float)


def test_exception_shows_only_the_snippets_own_lines(runner: Learner) -> None:
    result = run(
        runner, "import torch\n\ndef f():\n    return torch.ones(2) @ torch.ones(3)\n\nf()"
    )
    assert result["status"] == "error"
    stderr = str(result["stderr"])
    assert 'File "<snippet>", line 6' in stderr and 'File "<snippet>", line 4' in stderr
    assert "RuntimeError" in stderr
    for server_path in ("site-packages", "/app/", "/work/", ".venv"):
        assert server_path not in stderr


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        # Wall and CPU limits are both 5 s here: on an idle core either stops it first.
        ("while True:\n    pass", "timeout", "time limit: stopped after 5 s"),
        ("print('x' * 200_000)", "limit", "Output cut at 64 KB"),
        ("import socket\nsocket.create_connection(('127.0.0.1', 80))", "error", "network"),
        ("import os\nos.fork()", "error", "processes"),
        ("open('/etc/hostname-copy', 'w')", "error", "files outside"),
    ],
    ids=["cpu-loop", "output-flood", "network", "fork", "write-outside"],
)
def test_stopped_runs_say_why(runner: Learner, code: str, status: str, words: str | None) -> None:
    result = run(runner, code)
    assert result["status"] == status, result
    if words:
        assert words.lower() in str(result["reason"]).lower()
    if "200_000" in code:
        assert result["truncated"] is True
        assert len(str(result["stdout"])) <= 64 * 1024


def test_code_over_the_size_limit_is_422(runner: Learner) -> None:
    response = runner.client.post(
        "/api/run", json={"code": "#" * (65 * 1024)}, headers={"X-CSRF-Token": runner.csrf}
    )
    assert response.status_code == 422
    assert "larger than 64 KB" in response.json()["detail"]


def test_run_needs_the_csrf_token(live_client: TestClient) -> None:
    live_client.get("/api/session")
    response = live_client.post("/api/run", json={"code": "print(1)"})
    assert response.status_code == 403


def test_run_without_javascript_shows_escaped_output(live_client: TestClient) -> None:
    page = live_client.get("/topics/basics")
    assert 'action="/run"' in page.text and "<textarea" in page.text
    response = live_client.post(
        "/run",
        data={
            "csrf_token": csrf_from(page.text),
            "code": "print('<b>bold</b> \\x1b[31m')",
            "back": "/topics/basics",
        },
    )
    assert response.status_code == 200
    assert template_name(response) == "run.html"
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "<b>bold</b>" not in response.text
    assert 'href="/topics/basics"' in response.text


def test_run_form_refuses_an_offsite_back_link(live_client: TestClient) -> None:
    page = live_client.get("/topics/basics")
    response = live_client.post(
        "/run",
        data={"csrf_token": csrf_from(page.text), "code": "print(1)", "back": "//evil.example"},
    )
    assert "evil.example" not in response.text


def test_healthz_reports_the_isolation_layers(live_client: TestClient) -> None:
    sandbox = live_client.get("/healthz").json()["sandbox"]
    assert sandbox["enabled"] is True and sandbox["ready"] is True
    assert {"seccomp", "landlock", "uid_drop"} <= set(sandbox["layers"])
    assert sandbox["layers"]["seccomp"] is True
    assert sandbox["workers"] == 2


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        quiz_dir=FIXTURE_QUIZZES,
        secret_key="test",
        run_rate_per_min=2,
    )
    with TestClient(migrated_app(settings)) as client:
        learner = Learner(client)
        run(learner, "print(1)")
        run(learner, "print(2)")
        response = client.post(
            "/api/run", json={"code": "print(3)"}, headers={"X-CSRF-Token": learner.csrf}
        )
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert "wait" in response.json()["detail"]
        # Another learner still runs.
        with TestClient(client.app) as other:
            assert run(Learner(other), "print(4)")["stdout"] == "4\n"


def test_runs_off_is_a_clear_503(client: TestClient, learner: Learner) -> None:
    response = client.post(
        "/api/run", json={"code": "print(1)"}, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 503
    assert "turned off" in response.json()["detail"]


def test_each_visitor_gets_their_own_token_in_a_lesson_rendered_once(
    live_client: TestClient,
) -> None:
    # The lesson's HTML is shared by every visitor; its run forms are each visitor's own.
    tokens = []
    for _ in range(2):
        visitor = TestClient(live_client.app)
        token = Learner(visitor).csrf
        html = visitor.get("/topics/basics").text
        forms = re.findall(r'<form method="post" action="/run".*?</form>', html, re.S)
        assert forms, "the lesson has a run form"
        assert {csrf_from(form) for form in forms} == {token}
        assert "stand-in" not in html
        ran = visitor.post("/run", data={"csrf_token": csrf_from(forms[0]), "code": "print(2)"})
        assert ran.status_code == 200 and "2\n" in ran.text
        tokens.append(token)
    assert tokens[0] != tokens[1]
