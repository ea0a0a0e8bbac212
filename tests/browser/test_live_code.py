"""A learner edits a snippet on a question page, runs it, and sees the new output in place."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.editing import append_to_editor, set_editor_text
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_edit_and_run_a_snippet_on_a_question_page(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    page.goto(server.url + "/topics/weight-decay/questions/printed-change")
    snippet = page.locator("figure.snippet").first
    # The authored code's real output is on the page before anything is clicked.
    expect(snippet.locator(".output .stdout")).not_to_be_empty()
    authored = snippet.locator(".output .stdout").inner_text()

    snippet.locator("summary", has_text="Edit and run").click()
    append_to_editor(page, snippet, "\nprint('edited:', 6 * 7)\n")
    snippet.get_by_role("button", name="Run").click()

    expect(snippet.locator(".output .stdout")).to_contain_text("edited: 42")
    assert snippet.locator(".output .stdout").inner_text().startswith(authored.strip())
    assert page.url.endswith("/questions/printed-change")  # ran in place, no navigation
    page.screenshot(path=str(artifacts / "live-code.png"), full_page=True)


def test_hostile_output_is_shown_as_text(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/topics/weight-decay")
    snippet = page.locator("figure.snippet").first
    snippet.locator("summary", has_text="Edit and run").click()
    set_editor_text(page, snippet, "print('<img src=x onerror=alert(1)>')")
    snippet.get_by_role("button", name="Run").click()
    expect(snippet.locator(".output .stdout")).to_have_text("<img src=x onerror=alert(1)>\n")
    assert snippet.locator(".output img").count() == 0
