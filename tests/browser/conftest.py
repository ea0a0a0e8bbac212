"""A real browser: Playwright driving Debian's Chromium against a real server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.helpers import COURSE_QUIZZES, FIXTURE_QUIZZES
from tests.live_server import LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per module; each test opens its own context. Not per session: while
    Playwright's sync API runs, its thread counts as inside an event loop, and a later
    module on the same worker could not call asyncio.run()."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (the test command does this)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server on the whole course for the run (per xdist worker): its start-up runs every
    authored snippet once. Tests share it as different learners (a fresh browser context
    each), so none may depend on another's answers."""
    with live_server(tmp_path_factory.mktemp("course") / "data", COURSE_QUIZZES) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def quiz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server on the fixture quizzes for the browser tests that only read or that answer
    as their own learner (each test's browser context is a new learner)."""
    with live_server(tmp_path_factory.mktemp("fixtures") / "data", FIXTURE_QUIZZES) as running:
        yield running
