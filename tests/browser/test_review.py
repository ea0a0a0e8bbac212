"""A learner answers wrong, finds the question on the review page, answers it right there,
and sees the three pictures of their progress, in Chromium, on a real server."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.content import OptionsQuestion, load_catalog
from tests.helpers import COURSE_QUIZZES
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def options(topic_id: str, question_id: str) -> tuple[str, str]:
    """A wrong and the right option id of a course question."""
    topic = load_catalog(COURSE_QUIZZES).topic(topic_id)
    question = topic.question(question_id) if topic else None
    assert isinstance(question, OptionsQuestion)
    wrong = next(o.id for o in question.options if not o.correct)
    right = next(o.id for o in question.options if o.correct)
    return wrong, right


def pick(page: Page, option_id: str) -> None:
    page.locator(f'label.option:has(input[value="{option_id}"])').click()
    page.get_by_role("button", name="Check").click()


def test_a_wrong_answer_comes_back_on_the_review_page(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    wrong, right = options("weight-decay", "purpose")
    page.goto(server.url + "/topics/weight-decay/questions/purpose")
    pick(page, wrong)
    expect(page.locator(".verdict")).to_have_text("Incorrect")
    expect(page.locator("header.site .badge")).to_have_text("1")

    page.locator("header.site").get_by_role("link", name="Review").click()
    expect(page.locator(".review-status")).to_contain_text("1 question due")
    expect(page.locator(".review-question .prompt")).to_contain_text("main purpose of weight decay")
    page.screenshot(path=str(artifacts / "review.png"), full_page=True)
    pick(page, right)
    expect(page.locator(".verdict")).to_have_text("Correct")
    expect(page.locator("header.site .badge")).to_have_count(0)

    page.get_by_role("link", name="Back to the review").click()
    expect(page.locator(".review-empty")).to_contain_text("Nothing to review now.")
    expect(page.locator(".review-empty")).to_contain_text("The next review is due")


def test_progress_shows_the_three_charts(page: Page, server: LiveServer, artifacts: Path) -> None:
    wrong, right = options("weight-decay", "purpose")
    page.goto(server.url + "/topics/weight-decay/questions/purpose")
    pick(page, wrong)
    page.goto(server.url + "/topics/weight-decay/questions/purpose")
    pick(page, right)
    page.goto(server.url + "/progress")
    for name in ("Mastery per topic", "Answers per day", "Reviews due, next 30 days"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.locator("#chart-activity rect.day[data-count='2']")).to_have_count(1)
    expect(page.locator("#chart-forecast rect.due[data-count='1']")).to_have_count(1)
    page.get_by_text("The numbers").first.click()
    expect(page.locator(".mastery-table")).to_contain_text("Weight decay")
    page.screenshot(path=str(artifacts / "progress.png"), full_page=True)
