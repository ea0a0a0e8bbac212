"""axe-core on every page and every state, in both themes: no serious or critical violation,
and nothing in the console. Screenshots of each state land in test-artifacts/screens/."""

import json
from pathlib import Path
from typing import Any, Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, ViewportSize

from app.content import load_catalog
from tests.browser.tour import MISSING_PAGE, tour
from tests.helpers import COURSE_QUIZZES
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
Theme = Literal["light", "dark"]
THEMES: tuple[Theme, ...] = ("light", "dark")
DESKTOP: ViewportSize = {"width": 1000, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, object]]:
    """The serious and critical violations, with where they are."""
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in violations
        if v["impact"] in BLOCKING
    ]


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


def axe_in_both_themes(axe: Axe, page: Page) -> dict[Theme, list[dict[str, Any]]]:
    """Every violation on the page as it stands, in the light and in the dark theme."""
    found: dict[Theme, list[dict[str, Any]]] = {}
    for theme in THEMES:
        page.emulate_media(color_scheme=theme)
        found[theme] = axe.run(page).response["violations"]
    return found


def test_every_page_and_state_passes_axe_and_logs_no_error(
    browser: Browser, quiz_server: LiveServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = watch_console(page)
    for theme in THEMES:
        (artifacts / "screens" / theme).mkdir(parents=True, exist_ok=True)
    axe = Axe()
    found: dict[Theme, dict[str, list[dict[str, Any]]]] = {theme: {} for theme in THEMES}
    try:
        for state in tour(page, quiz_server.url):
            for theme, violations in axe_in_both_themes(axe, page).items():
                found[theme][state] = violations
                page.emulate_media(color_scheme=theme)
                page.screenshot(
                    path=str(artifacts / "screens" / theme / f"{state}.png"), full_page=True
                )
    finally:
        context.close()
        for theme in THEMES:
            summary = {s: [(v["id"], v["impact"]) for v in vs] for s, vs in found[theme].items()}
            (artifacts / f"axe-{theme}.json").write_text(json.dumps(summary, indent=2))
    assert len(found["dark"]) == 27  # the whole tour ran
    serious = {
        f"{theme} {state}": blocking(violations)
        for theme in THEMES
        for state, violations in found[theme].items()
        if blocking(violations)
    }
    assert serious == {}, json.dumps(serious, indent=2)
    assert problems == []


def test_every_course_topic_passes_axe(browser: Browser, server: LiveServer) -> None:
    """The real lessons: long code that scrolls, tables, every level of heading. Each topic
    once wide in the light theme and once on a phone in the dark one: colours do not depend
    on the width, and on a phone more blocks scroll sideways (the keyboard must reach them)."""
    course = load_catalog(COURSE_QUIZZES)
    context = browser.new_context()
    page = context.new_page()
    problems = watch_console(page)
    axe = Axe()
    serious = {}
    try:
        for topic in course.topics:
            page.set_viewport_size(DESKTOP)
            page.goto(f"{server.url}/topics/{topic.id}")
            looks: tuple[tuple[ViewportSize, Theme], ...] = ((DESKTOP, "light"), (PHONE, "dark"))
            for viewport, theme in looks:
                page.set_viewport_size(viewport)
                page.emulate_media(color_scheme=theme)
                width = viewport["width"]
                page.wait_for_function(f"() => window.innerWidth === {width}")
                if found := blocking(axe.run(page).response["violations"]):
                    serious[f"{topic.id} {viewport['width']} px {theme}"] = found
    finally:
        context.close()
    assert serious == {}, json.dumps(serious, indent=2)
    assert problems == []
