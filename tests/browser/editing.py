"""Typing into the code editor (CodeMirror over the textarea) as a learner does."""

from playwright.sync_api import Locator, Page, expect


def editor_in(scope: Page | Locator) -> Locator:
    """The first code editor in `scope`, once the editor bundle has replaced the textarea."""
    content = scope.locator(".cm-editor .cm-content").first
    expect(content).to_be_visible()
    return content


def set_editor_text(page: Page, scope: Page | Locator, text: str) -> None:
    """Replace the editor's code with `text`."""
    editor_in(scope).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def append_to_editor(page: Page, scope: Page | Locator, text: str) -> None:
    """Add `text` at the end of the editor's code."""
    editor_in(scope).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text(text)
