"""A 390 px wide phone: nothing overflows sideways except code, which scrolls in its box,
every control is at least 44 px tall and wide, and axe finds nothing serious.
Screenshots in test-artifacts/screens/mobile."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.browser.test_accessibility import PHONE, blocking
from tests.browser.tour import tour
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

# Elements wider than the page, outside the boxes that scroll (code, editors, outputs).
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .filter(el => !el.closest("pre, .cm-editor, .output, table, [hidden]"))
  .map(el => el.outerHTML.slice(0, 100))"""
# Controls a finger taps, and their size.
TARGETS = """() => [...document.querySelectorAll(
    "button, .button, summary, label.option, header.site a, .crumbs a, .path-nav a, "
    + ".question-list a, .topic-card h3 a, input[type=text]")]
  .filter(el => el.getClientRects().length > 0)
  .map(el => { const r = el.getBoundingClientRect();
               return {what: el.outerHTML.slice(0, 80), width: r.width, height: r.height}; })"""


def test_every_page_fits_a_phone(
    browser: Browser,
    quiz_server: LiveServer,
    artifacts: Path,
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    screens = artifacts / "screens" / "mobile"
    screens.mkdir(parents=True, exist_ok=True)
    overflow: dict[str, object] = {}
    small: dict[str, object] = {}
    violations: dict[str, object] = {}
    axe = Axe()
    try:
        for state in tour(page, quiz_server.url):
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                overflow[state] = {"scroll_width": width, "elements": page.evaluate(OVERFLOWING)}
            tiny = [t for t in page.evaluate(TARGETS) if min(t["width"], t["height"]) < 44]
            if tiny:
                small[state] = tiny
            if serious := blocking(axe.run(page).response["violations"]):
                violations[state] = serious
            page.screenshot(path=str(screens / f"{state}.png"), full_page=True)
    finally:
        context.close()
    assert overflow == {}
    assert small == {}
    assert violations == {}
