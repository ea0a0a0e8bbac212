"""The code editor is an enhancement: loaded only where there is code to edit, and the
forms post the same without it."""

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

BUNDLE = "/static/editor.js"


def test_the_editor_replaces_the_textarea_on_a_code_question(
    page: Page, quiz_server: LiveServer
) -> None:
    page.goto(quiz_server.url + "/topics/kinds/questions/make-sgd")
    editor = page.locator(".code-answer .cm-editor")
    expect(editor).to_be_visible()
    expect(page.locator("textarea[name=code]")).to_be_hidden()
    expect(editor.locator(".cm-lineNumbers .cm-gutterElement", has_text="3")).to_be_visible()
    expect(editor.locator(".tok-keyword", has_text="import")).to_be_visible()
    content = editor.locator(".cm-content")
    expect(content).to_have_attribute("aria-label", "Your code")
    hint = page.locator(".editor-hint")
    expect(hint).to_contain_text("Ctrl-Enter submits")
    expect(hint).to_contain_text("Esc then Tab leaves the editor")
    expect(content).to_have_attribute("aria-describedby", str(hint.get_attribute("id")))
    page.get_by_text("Your code", exact=True).click()  # the label focuses the editor
    expect(content).to_be_focused()


def test_the_bundle_loads_only_on_pages_with_an_editor(page: Page, quiz_server: LiveServer) -> None:
    loaded: list[str] = []

    def on_request(request: Request) -> None:
        if request.url.endswith(BUNDLE):
            loaded.append(page.url)

    page.on("request", on_request)
    for path in ("/", "/progress", "/topics/kinds/questions/sum-shape", "/no-such-page"):
        page.goto(quiz_server.url + path)
        page.wait_for_load_state("networkidle")
    assert loaded == []
    page.goto(quiz_server.url + "/topics/kinds/questions/make-sgd")
    expect(page.locator(".cm-editor")).to_be_visible()
    assert len(loaded) == 1


def test_without_javascript_the_code_answer_still_posts(
    browser: Browser, quiz_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(quiz_server.url + "/topics/kinds/questions/make-sgd")
        code = page.locator("textarea[name=code]")
        expect(code).to_be_visible()
        assert page.locator(".cm-editor").count() == 0
        code.fill(
            code.input_value().replace(
                "optimizer = None  # replace this line",
                "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)",
            )
        )
        page.get_by_role("button", name="Run").click()  # the run page, rendered by the server
        expect(page.locator(".output .run-status")).to_have_text("Output")
        page.go_back()
        page.get_by_role("button", name="Submit").click()
        expect(page.locator(".verdict")).to_have_text("Correct")
    finally:
        context.close()


def test_back_after_an_answer_does_not_post_it_again(page: Page, quiz_server: LiveServer) -> None:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(quiz_server.url + "/topics/basics/questions/shape")
    page.get_by_label("torch.Size([2, 3])").check()
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".verdict")).to_have_text("Correct")
    assert len(posts) == 1
    page.go_back()
    expect(page.locator("h1.counter")).to_have_text("Question 1 of 2")
    page.go_forward()
    expect(page.locator(".verdict")).to_have_text("Correct")
    page.reload()
    expect(page.locator(".verdict")).to_have_text("Correct")
    assert len(posts) == 1  # back, forward and reload only GET
    attempts = page.request.get(quiz_server.url + "/api/progress").json()["attempts"]
    assert len(attempts) == 1


def test_the_editor_colours_code_as_the_page_does(page: Page, quiz_server: LiveServer) -> None:
    page.goto(quiz_server.url + "/topics/basics")
    snippet = page.locator("figure.snippet").first
    snippet.locator("summary", has_text="Edit and run").click()
    shown, edited = snippet.locator("pre.highlight"), snippet.locator(".cm-editor")
    expect(edited).to_be_visible()
    colour = "el => getComputedStyle(el).color"
    for pygments, codemirror, text in [("kn", "tok-keyword", "import"), ("mi", "tok-number", "2")]:
        static = shown.locator(f".{pygments}", has_text=text).first.evaluate(colour)
        live = edited.locator(f".{codemirror}", has_text=text).first.evaluate(colour)
        assert static == live, f"{text}: {static} on the page, {live} in the editor"
