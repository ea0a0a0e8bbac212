"""Hostile bodies (security review 3, findings 5 and 13): oversized bodies are refused
with 413 before anything parses them, a 422 never echoes its input, a lone surrogate is
a 422 and not a 500, and /healthz answers while a huge body is still arriving."""

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.helpers import FIXTURE_QUIZZES, Learner
from tests.live_server import live_server

RUN = "/api/run"
ANSWER = "/api/topics/basics/questions/shape/answer"
MARKER = "ECHO-MARKER-7x13"


def _post_raw(learner: Learner, path: str, body: bytes | Iterator[bytes]) -> httpx.Response:
    headers = {"X-CSRF-Token": learner.csrf, "Content-Type": "application/json"}
    return learner.client.post(path, content=body, headers=headers)


def test_two_hundred_thousand_unknown_keys_are_refused_unread(learner: Learner) -> None:
    body = "{" + ",".join(f'"k{i}":1' for i in range(200_000)) + "}"  # 2.3 MB
    response = _post_raw(learner, RUN, body.encode())
    assert response.status_code == 413
    assert len(response.content) < 200 and "KB" in response.json()["detail"]


def test_a_streamed_body_without_a_length_is_cut_at_the_limit(learner: Learner) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"code": "'
        for _ in range(10_000):  # 10 MB if it were all read
            sent += 1
            yield b"x" * 1024
        yield b'"}'

    response = _post_raw(learner, RUN, chunks())
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/api/login", "/api/topics/basics/questions/shape/hint"])
def test_small_routes_take_small_bodies(learner: Learner, path: str) -> None:
    body = json.dumps({"username": "a" * 40_000, "password": "p" * 8}).encode()
    assert _post_raw(learner, path, body).status_code == 413


def test_a_form_over_the_limit_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "a" * 40_000, "password": "x" * 10})
    assert response.status_code == 413


def test_code_at_the_run_limit_still_fits(learner: Learner) -> None:
    """The largest legitimate body: 64 KB of code escaped as JSON (\\uXXXX, two per
    four-byte character) is not refused for its size."""
    code = "# " + "\U0001f600" * (60 * 1024 // 4)
    body = json.dumps({"code": code}).encode()  # ensure_ascii: 12 bytes per character
    assert len(body) > 150_000
    response = _post_raw(learner, RUN, body)
    assert response.status_code != 413  # runs are off here: 503, but never "too large"


def test_a_422_does_not_echo_the_input_and_lists_few_errors(learner: Learner) -> None:
    body = {"choice": MARKER * 100} | {f"unknown{i}": MARKER for i in range(500)}
    response = learner.client.post(ANSWER, json=body, headers={"X-CSRF-Token": learner.csrf})
    assert response.status_code == 422
    assert MARKER not in response.text
    assert len(response.json()["detail"]) <= 5 and response.json()["more_errors"] > 400
    assert len(response.content) < 4000


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (RUN, '{"code": "%s"}'),
        (ANSWER, '{"choice": "%s"}'),
        (ANSWER, '{"value": "%s"}'),
        ("/api/login", '{"username": "%s", "password": "correct horse"}'),
        ("/api/account", '{"username": "ada", "password": "pass%sword"}'),
        (ANSWER, '{"choice": "b", "extra": {"deep": ["%s"]}}'),
        (ANSWER, '{"%s": 1}'),
    ],
)
def test_a_lone_surrogate_is_a_422_with_a_message(
    learner: Learner, path: str, template: str
) -> None:
    response = _post_raw(learner, path, (template % "\\ud800").encode())
    assert response.status_code == 422, response.text
    assert "surrogate" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("content_type", [None, "application/merge-patch+json", "text/json"])
def test_a_lone_surrogate_is_a_422_whatever_json_type_is_named(
    learner: Learner, content_type: str | None
) -> None:
    headers = {"X-CSRF-Token": learner.csrf}
    if content_type is not None:
        headers["Content-Type"] = content_type
    body = b'{"code": "\\ud800"}'
    response = learner.client.post(RUN, content=body, headers=headers)
    assert response.status_code == 422 and "surrogate" in response.text


def test_a_surrogate_pair_is_text_and_accepted(learner: Learner) -> None:
    response = _post_raw(learner, ANSWER, b'{"choice": "\\ud83d\\ude00"}')
    assert response.status_code == 422 and "surrogate" not in response.text  # no such option


def test_healthz_answers_while_a_huge_body_is_still_arriving(tmp_path: Path) -> None:
    env = {"TORCHQUIZ_RUN_ENABLED": "false"}
    with live_server(tmp_path / "data", FIXTURE_QUIZZES, env=env) as server:
        with httpx.Client(base_url=server.url) as http:
            token = http.get("/api/session").json()["csrf_token"]
            cookie = http.cookies["torchquiz_session"]
            port = int(server.url.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port)) as slow:
                head = (
                    f"POST {RUN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"X-CSRF-Token: {token}\r\nCookie: torchquiz_session={cookie}\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"
                )
                slow.sendall(head.encode())
                chunk = b'{"k0":1' + b',"k":1' * 8000
                slow.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                # The body is half sent and the connection open: the server still answers.
                for _ in range(3):
                    assert http.get("/healthz").status_code == 200
                more = b',"k":1' * 100_000
                try:
                    slow.sendall(b"%x\r\n%s\r\n" % (len(more), more))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # refused before all of it was read
                reply = slow.recv(4096)
            assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
            assert http.get("/healthz").status_code == 200
