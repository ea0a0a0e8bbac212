"""The output fragment the page's script swaps in: the same partial the pages render."""

import re

import pytest
from fastapi.testclient import TestClient

from tests.helpers import Learner, csrf_from
from tests.web.test_live_code import live_client  # noqa: F401 - a module-scoped fixture


def fragment(client: TestClient, code: str) -> str:
    token = csrf_from(client.get("/topics/basics").text)
    response = client.post("/fragments/run", data={"csrf_token": token, "code": code})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def without_timing(html: str) -> str:
    return re.sub(r'<span class="run-time">[^<]*</span>', "", html).strip()


def test_the_fragment_is_the_run_page_output(live_client: TestClient) -> None:  # noqa: F811
    code = "print('<b>bold</b>')\nimport sys\nprint('oops', file=sys.stderr)"
    swapped = fragment(live_client, code)
    assert swapped.lstrip().startswith('<div class="output status-ok">')
    assert "<html" not in swapped and "&lt;b&gt;bold&lt;/b&gt;" in swapped
    page = live_client.post(
        "/run", data={"csrf_token": csrf_from(live_client.get("/topics/basics").text), "code": code}
    ).text
    shown = re.search(r'<div class="output status-ok">.*?\n</div>', page, re.S)
    assert shown is not None
    assert without_timing(swapped) == without_timing(shown.group(0))


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("print(1)", ["Output"]),
        ("raise ValueError('no')", ["Error", "ValueError"]),
        ("import socket\nsocket.socket()", ["Not allowed", "network"]),
        ("print('x' * 200_000)", ["Stopped: output cut", "Output was cut short."]),
        ("x = []\nwhile True:\n    x.append(' ' * 10**6)", ["Stopped: memory limit"]),
    ],
    ids=["ok", "error", "not-allowed", "output-cut", "memory"],
)
def test_every_status_is_said_in_words(
    live_client: TestClient,  # noqa: F811
    code: str,
    words: list[str],
) -> None:
    swapped = fragment(live_client, code)
    for word in words:
        assert word in swapped


def test_a_refused_run_is_a_banner_not_a_page(live_client: TestClient) -> None:  # noqa: F811
    live_client.get("/api/session")
    response = live_client.post("/fragments/run", data={"code": "print(1)"})
    assert response.status_code == 403
    assert response.text.strip().startswith('<p class="banner error" role="alert">')
    assert "CSRF" in response.text and "<html" not in response.text


def test_runs_off_is_a_banner_with_retry_after(client: TestClient, learner: Learner) -> None:
    response = client.post("/fragments/run", data={"csrf_token": learner.csrf, "code": "1"})
    assert response.status_code == 503
    assert "turned off" in response.text and "<html" not in response.text
    assert response.headers["Retry-After"] == "3600"
