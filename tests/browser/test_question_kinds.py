"""A learner answers a multi, a predict and a code question by clicking and typing."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.editing import set_editor_text
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_answer_every_kind_in_the_browser(
    page: Page, quiz_server: LiveServer, artifacts: Path
) -> None:
    base = quiz_server.url + "/topics/kinds/questions"

    page.goto(base + "/even-shapes")
    page.get_by_label("torch.zeros(2, 3)").check()
    page.get_by_label("torch.zeros(6)").check()
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".verdict")).to_have_text("Correct")

    page.goto(base + "/sum-shape")
    page.get_by_role("textbox").fill("tensor([2., 2., 2.])")
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".verdict")).to_have_text("Correct")
    expect(page.locator("code.expected")).to_have_text("tensor([2., 2., 2.])")

    page.goto(base + "/make-sgd")
    starter = page.locator("textarea[name=code]").input_value()
    set_editor_text(
        page,
        page,
        starter.replace(
            "optimizer = None  # replace this line",
            "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
            "print('built', type(optimizer).__name__)",
        ),
    )
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".code-answer .output .stdout")).to_have_text("built SGD\n")
    assert page.url.endswith("/make-sgd")  # ran in place
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".verdict")).to_have_text("Correct")
    expect(page.locator(".final-answer")).to_contain_text("torch.optim.SGD")
    page.screenshot(path=str(artifacts / "code-question-feedback.png"), full_page=True)
