"""A learner answers weight-decay questions by clicking, in Chromium, on a real server."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import COURSE_QUIZZES
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser


def test_answer_a_question_and_see_the_feedback(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    page.goto(server.url + "/")
    page.get_by_role("link", name="Weight decay").first.click()
    expect(page.locator("h1")).to_contain_text("Weight decay")
    page.get_by_role("link", name="Start the questions").click()
    expect(page.locator(".counter")).to_contain_text("Question 1 of")
    page.locator("label.option").first.click()
    page.get_by_role("button", name="Check").click()
    assert page.locator(".verdict").inner_text().strip() in {"Correct", "Incorrect"}
    expect(page.locator(".solution")).to_contain_text("Final answer")
    expect(page.locator(".quick-check")).to_be_visible()
    page.screenshot(path=str(artifacts / "feedback.png"), full_page=True)
    page.get_by_role("link", name="Next question").click()
    expect(page.locator(".counter")).to_contain_text("Question 2 of")


def test_progress_survives_a_server_restart(page: Page, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with live_server(data, COURSE_QUIZZES) as first:
        page.goto(first.url + "/topics/weight-decay")
        page.get_by_role("link", name="Start the questions").click()
        page.locator("label.option").nth(1).click()
        page.get_by_role("button", name="Check").click()
        expect(page.locator(".verdict")).to_be_visible()
    # A new server process on the same data folder; cookies ignore the port, so the
    # browser's session cookie reaches it as it would reach a restarted server.
    with live_server(data, COURSE_QUIZZES) as second:
        page.goto(second.url + "/progress")
        expect(page.locator("table.attempts tbody tr")).to_have_count(1)
        page.goto(second.url + "/")
        heading = page.get_by_role("heading", name="Weight decay")
        card = page.locator(".topic-card").filter(has=heading)
        expect(card.locator(".progress-text")).to_contain_text("answered")
