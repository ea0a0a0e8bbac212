"""A learner follows the study path from the first topic of the course to the last."""

import pytest
from playwright.sync_api import Page, expect

from app.content import load_catalog
from tests.helpers import COURSE_QUIZZES
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_follow_the_path_through_the_whole_course(page: Page, server: LiveServer) -> None:
    course = load_catalog(COURSE_QUIZZES)
    page.goto(server.url + "/")
    expect(page.locator(".level-title")).to_have_text(["Beginner", "Intermediate", "Advanced"])
    page.get_by_role("link", name=f"Start with {course.topics[0].title}").click()
    visited = []
    while True:
        visited.append(page.url.rsplit("/", 1)[-1])
        expect(page.locator("article.lesson h1")).to_be_visible()
        assert page.locator(".output").count() >= 1  # the lesson's code ran
        following = page.locator(".path-nav a.next")
        if following.count() == 0:
            break
        following.click()
    assert visited == [t.id for t in course.topics]
