"""A learner answers anonymously, signs up and keeps the progress, logs out, then logs in
from a fresh browser and finds it again; in Chromium, on a real server."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_review import options, pick
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def fill_credentials(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)


def test_progress_follows_the_account_to_a_fresh_browser(
    browser: Browser, page: Page, server: LiveServer, artifacts: Path
) -> None:
    wrong, _ = options("weight-decay", "purpose")
    page.goto(server.url + "/topics/weight-decay/questions/purpose")
    pick(page, wrong)
    expect(page.locator(".verdict")).to_have_text("Incorrect")

    page.get_by_role("link", name="Sign up").click()
    fill_credentials(page, "Ada", "correct horse")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("header.site .account-nav")).to_contain_text("ada")
    page.goto(server.url + "/progress")
    expect(page.locator("main")).to_contain_text("purpose")
    page.screenshot(path=str(artifacts / "signed-up-progress.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page.locator("header.site .account-nav")).to_contain_text("Log in")
    page.goto(server.url + "/api/progress")
    assert '"attempts":[]' in page.content().replace(" ", "")

    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(server.url + "/login")
        fill_credentials(other, "ada", "wrong horse")
        other.get_by_role("button", name="Log in").click()
        expect(other.get_by_role("alert")).to_contain_text("wrong username or password")
        fill_credentials(other, "ADA", "correct horse")
        other.get_by_role("button", name="Log in").click()
        expect(other.locator("header.site .account-nav")).to_contain_text("ada")
        other.goto(server.url + "/progress")
        expect(other.locator("main")).to_contain_text("purpose")
        # The wrong answer made the question due: the account's review page shows it.
        other.goto(server.url + "/review")
        expect(other.locator(".review-question .prompt")).to_contain_text("weight decay")
    finally:
        fresh.close()
