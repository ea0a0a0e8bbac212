"""In the browser: hints revealed one at a time (without JavaScript too), two learners
seeing different variants and each graded on theirs, and the diff of a wrong code answer."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.editing import set_editor_text
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_hints_one_at_a_time_without_javascript(
    browser: Browser, quiz_server: LiveServer, artifacts: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(quiz_server.url + "/topics/kinds/questions/even-shapes")
    expect(page.locator(".hint")).to_have_count(0)
    page.get_by_label("torch.zeros(6)").check()
    page.get_by_role("button", name="Show a hint (1 of 2)").click()
    expect(page.locator(".hint")).to_have_count(1)
    expect(page.locator(".hint").first).to_contain_text("multiplying")
    expect(page.get_by_label("torch.zeros(6)")).to_be_checked()  # what was ticked stays
    page.get_by_role("button", name="Show the next hint (2 of 2)").click()
    expect(page.locator(".hint")).to_have_count(2)
    expect(page.locator(".hint-button")).to_have_count(0)
    page.screenshot(path=str(artifacts / "hints.png"), full_page=True)
    page.get_by_label("torch.zeros(2, 3)").check()
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".verdict")).to_have_text("Correct")
    context.close()


def _sizes(page: Page) -> tuple[int, int]:
    match = re.search(r"for a (\d+)×(\d+) tensor", page.locator(".prompt").inner_text())
    assert match
    return int(match[1]), int(match[2])


def test_two_learners_see_different_variants_each_graded_on_theirs(
    browser: Browser, quiz_server: LiveServer
) -> None:
    url = quiz_server.url + "/topics/kinds/questions/variant-sum"
    seen: list[tuple[int, int]] = []
    for _ in range(6):  # each context is a learner of its own
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        rows, cols = _sizes(page)
        expect(page.locator(".snippet")).to_contain_text(f"torch.ones({rows}, {cols})")
        page.reload()
        assert _sizes(page) == (rows, cols)  # stable for this learner
        page.get_by_role("textbox").fill(f"torch.Size([{cols}]) True")
        page.get_by_role("button", name="Check").click()
        expect(page.locator(".verdict")).to_have_text("Correct")
        context.close()
        seen.append((rows, cols))
        if len(set(seen)) == 2:
            break
    assert len(set(seen)) == 2, seen


def test_wrong_code_names_the_first_differing_value(page: Page, quiz_server: LiveServer) -> None:
    page.goto(quiz_server.url + "/topics/kinds/questions/scale-rows")
    starter = page.locator("textarea[name=code]").input_value()
    set_editor_text(page, page, starter.replace("w = x", "w = x.T"))
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".verdict")).to_have_text("Incorrect")
    expect(page.locator(".difference")).to_contain_text("`w` has shape (3, 2); expected (2, 3)")
    expect(page.locator("body")).not_to_contain_text('show("w", w)')
