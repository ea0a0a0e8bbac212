"""Keyboard only: a choice, a multi and a code question answered without the mouse, with a
visible focus ring at every stop."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

# The focused element, or the box around it that draws its ring (a radio's option, the
# editor's frame around its content), has a solid outline at least 2 px wide.
FOCUS_RING = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body) return "nothing has focus";
  const box = focused.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return "the focused element is invisible";
  for (let el = focused, up = 0; el && up < 3; el = el.parentElement, up++) {
    const style = getComputedStyle(el);
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) return "ring";
  }
  return "no focus ring on " + focused.outerHTML.slice(0, 120);
}"""


def focus_ring(page: Page) -> str:
    """ "ring" once the focused element shows one (CodeMirror marks its focus a moment
    after the keypress), else what is wrong."""
    try:
        page.wait_for_function(f"() => ({FOCUS_RING})() === 'ring'", timeout=5_000)
    except PlaywrightTimeout:
        return str(page.evaluate(FOCUS_RING))
    return "ring"


def focused_matches(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement.matches(s)", selector))


def tab_until(page: Page, selector: str, *, stops: list[str], key: str = "Tab") -> None:
    """Press Tab until the focus is on `selector`, checking the ring at every stop."""
    for _ in range(40):
        page.keyboard.press(key)
        ring = focus_ring(page)
        where = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        stops.append(where)
        assert ring == "ring", f"after {len(stops)} presses of {key}: {ring}"
        if focused_matches(page, selector):
            return
    pytest.fail(f"{selector} never got the focus; stops: {stops}")


def expect_verdict(page: Page, verdict: str) -> None:
    expect(page.locator(".verdict")).to_have_text(verdict)


def test_answer_three_kinds_of_question_with_the_keyboard_only(
    page: Page, quiz_server: LiveServer, artifacts: Path
) -> None:
    base = quiz_server.url + "/topics"
    stops: list[str] = []

    # A choice question: Tab to the options, an arrow key picks B, Tab to Check, Enter.
    page.goto(base + "/basics/questions/shape")
    tab_until(page, "input[type=radio]", stops=stops)
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[type=radio][value=b]")).to_be_checked()
    assert focus_ring(page) == "ring"
    tab_until(page, "button[type=submit]", stops=stops)
    expect(page.locator(":focus")).to_have_text("Check")
    page.keyboard.press("Enter")
    expect_verdict(page, "Correct")

    # A multi question: Space ticks each right option.
    page.goto(base + "/kinds/questions/even-shapes")
    tab_until(page, "input[value=two-three]", stops=stops)
    page.keyboard.press("Space")
    tab_until(page, "input[value=six]", stops=stops)
    page.keyboard.press("Space")
    tab_until(page, "button[type=submit]", stops=stops)
    page.keyboard.press("Enter")
    expect_verdict(page, "Correct")

    # A code question: Tab into the editor, edit the starter, where Tab indents.
    page.goto(base + "/kinds/questions/make-sgd")
    expect(page.locator(".cm-editor")).to_be_visible()
    tab_until(page, ".cm-content", stops=stops)
    code = page.locator("textarea[name=code]")  # hidden; the editor keeps it in step
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    page.keyboard.type("optimizer = torch.optim.SGD(model.parameters(), lr=0.1)")
    page.keyboard.press("Enter")
    page.keyboard.type("for group in optimizer.param_groups:")
    page.keyboard.press("Enter")  # the editor indents the block's body by itself
    page.keyboard.type("print('lr', group['lr'])")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")  # back out of the block
    page.keyboard.press("Tab")  # Tab indents: the focus stays in the editor
    assert focused_matches(page, ".cm-content")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("print('done')")
    expect(code).to_have_value(
        "import torch\nmodel = torch.nn.Linear(2, 1)\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for group in optimizer.param_groups:\n    print('lr', group['lr'])\nprint('done')\n"
    )

    # Shift-Ctrl-Enter runs in place; the focus stays in the editor.
    page.keyboard.press("Shift+ControlOrMeta+Enter")
    expect(page.locator(".code-answer .output .stdout")).to_have_text("lr 0.1\ndone\n")
    assert focused_matches(page, ".cm-content")

    # Esc then Tab leaves the editor for the Run button; Enter on it runs and hands the
    # focus to the result, which shows its ring.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Run")
    assert focus_ring(page) == "ring"
    page.keyboard.press("Enter")
    expect(page.locator(".code-answer .output")).to_be_focused()
    assert focus_ring(page) == "ring"
    page.screenshot(path=str(artifacts / "keyboard-code-question.png"), full_page=True)

    # Back into the editor, and Ctrl-Enter submits the answer.
    tab_until(page, ".cm-content", stops=stops, key="Shift+Tab")
    page.keyboard.press("ControlOrMeta+Enter")
    expect_verdict(page, "Correct")
    expect(page.locator(".your-answer")).to_contain_text("print('done')")
