"""axe-core on every page and every state, in both themes: no serious or critical violation,
and nothing in the console. Screenshots of each state land in test-artifacts/screens/."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Response

from tests.browser.tour import MISSING_PAGE, tour
from tests.conftest import FIXTURE_QUIZZES
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("a11y") / "data", FIXTURE_QUIZZES) as running:
        yield running


def watch_console(page: Page) -> list[str]:
    """Console errors, uncaught exceptions and failed requests, except the 404 asked for."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith(MISSING_PAGE):
            problems.append(f"console: {message.text} at {message.location}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith(MISSING_PAGE):
            problems.append(f"HTTP {response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("response", on_response)
    return problems


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_passes_axe_and_logs_no_error(
    browser: Browser, fixture_server: LiveServer, artifacts: Path, theme: str
) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 900}, color_scheme=theme)
    page = context.new_page()
    problems = watch_console(page)
    screens = artifacts / "screens" / theme
    screens.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    found: dict[str, list[dict[str, object]]] = {}
    try:
        for state in tour(page, fixture_server.url):
            violations = axe.run(page).response["violations"]
            found[state] = [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "targets": [node["target"] for node in v["nodes"]][:5],
                }
                for v in violations
            ]
            page.screenshot(path=str(screens / f"{state}.png"), full_page=True)
    finally:
        context.close()
        (artifacts / f"axe-{theme}.json").write_text(json.dumps(found, indent=2))
    assert len(found) == 22  # the whole tour ran
    blocking = {s: [v for v in vs if v["impact"] in BLOCKING] for s, vs in found.items()}
    assert not any(blocking.values()), json.dumps(blocking, indent=2)
    assert problems == []
