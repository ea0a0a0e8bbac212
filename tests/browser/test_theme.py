"""Dark mode: the system's choice by default, or the toggle's, remembered in a cookie."""

from typing import Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"


def background(
    browser: Browser,
    url: str,
    color_scheme: Literal["light", "dark"],
    java_script_enabled: bool | None = None,
) -> str:
    opened = browser.new_context(color_scheme=color_scheme, java_script_enabled=java_script_enabled)
    try:
        page = opened.new_page()
        page.goto(url)
        return str(page.evaluate(BACKGROUND))
    finally:
        opened.close()


def test_the_system_theme_is_followed_even_without_javascript(
    browser: Browser, quiz_server: LiveServer
) -> None:
    light = background(browser, quiz_server.url, color_scheme="light")
    dark = background(browser, quiz_server.url, color_scheme="dark")
    no_script = background(browser, quiz_server.url, color_scheme="dark", java_script_enabled=False)
    assert light != dark
    assert no_script == dark


def test_the_toggle_switches_and_the_cookie_keeps_it(
    page: Page, browser: Browser, quiz_server: LiveServer
) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(quiz_server.url + "/")
    toggle = page.get_by_role("button", name="Dark mode")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    light = page.evaluate(BACKGROUND)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(BACKGROUND) == background(browser, quiz_server.url, color_scheme="dark")
    assert any(c["name"] == "theme" and c["value"] == "dark" for c in page.context.cookies())
    # The next page comes dark from the server, before any script runs.
    html = page.request.get(quiz_server.url + "/progress").text()
    assert '<html lang="en" data-theme="dark">' in html
    page.goto(quiz_server.url + "/progress")
    assert page.evaluate(BACKGROUND) != light
    page.get_by_role("button", name="Dark mode").click()
    assert page.evaluate(BACKGROUND) == light
    assert any(c["name"] == "theme" and c["value"] == "light" for c in page.context.cookies())
