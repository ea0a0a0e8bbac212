"""A tour of every page and state a learner can reach, for the checks that apply to them all
(accessibility, console errors, mobile layout): each step drives the browser there, then
yields the state's name for the caller to check and photograph."""

from collections.abc import Iterator
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.editing import editor_in, set_editor_text

# Right and wrong answers to the fixture quizzes (tests/fixtures/quizzes), one per kind.
ANSWERS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    # (kind, question path, a right answer, a wrong answer)
    ("choice", "basics/questions/shape", {"choice": "b"}, {"choice": "a"}),
    (
        "multi",
        "kinds/questions/even-shapes",
        {"choices": ["two-three", "six"]},
        {"choices": ["three"]},
    ),
    ("predict", "kinds/questions/sum-shape", {"value": "tensor([2., 2., 2.])"}, {"value": "6"}),
    (
        "code",
        "kinds/questions/make-sgd",
        {
            "code": "import torch\nmodel = torch.nn.Linear(2, 1)\n"
            "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        },
        {
            "code": "import torch\nmodel = torch.nn.Linear(2, 1)\n"
            "optimizer = torch.optim.Adam(model.parameters(), lr=0.1)\n"
        },
    ),
]
MISSING_PAGE = "/no-such-page"


def answer(page: Page, base: str, question: str, body: dict[str, Any]) -> None:
    """Answer through the JSON API, in the page's own session (its cookie, its CSRF token)."""
    token = page.request.get(f"{base}/api/session").json()["csrf_token"]
    reply = page.request.post(
        f"{base}/api/topics/{question}/answer", data=body, headers={"X-CSRF-Token": token}
    )
    assert reply.ok, reply.text()


def tour(page: Page, base: str) -> Iterator[str]:
    """Every page, every kind of question before and after answering, and every state of a run."""
    page.goto(base + "/")
    yield "home"
    page.goto(base + "/topics/basics")
    yield "topic"
    page.locator("summary", has_text="Edit and run").first.click()
    editor_in(page)
    yield "topic-editor-open"

    for kind, question, _, _ in ANSWERS:
        page.goto(f"{base}/topics/{question}")
        if kind == "code":
            editor_in(page)
        yield f"question-{kind}"

    # A run on the code question: running, then finished in each status.
    slot = page.locator(".code-answer .output-slot")
    set_editor_text(page, page, "while True:\n    pass\n")
    run = page.get_by_role("button", name="Run", exact=True)
    run.click()
    # At once: "Running…" in the live region, and the button off until the result is in.
    expect(slot).to_have_attribute("data-state", "running")
    expect(slot).to_have_text("Running…")
    expect(slot).to_have_attribute("aria-live", "polite")
    expect(run).to_be_disabled()
    yield "run-running"
    expect(slot.locator(".output")).to_contain_text("time limit", timeout=20_000)
    expect(run).to_be_enabled()
    yield "run-timed-out"
    set_editor_text(
        page, page, "import torch\nprint(torch.ones(2, 3))\nraise ValueError('on purpose')\n"
    )
    run.click()
    expect(slot.locator(".output .stderr")).to_contain_text("ValueError")
    yield "run-error"
    set_editor_text(page, page, "import socket\nsocket.socket()\n")
    run.click()
    expect(slot.locator(".output")).to_contain_text("Not allowed")
    yield "run-not-allowed"

    # The run page, as a browser without JavaScript reaches it (the form posts itself).
    page.goto(base + "/topics/basics")
    page.locator("form.run-form").first.evaluate("form => form.submit()")
    expect(page.locator("h1")).to_have_text("Run your code")
    editor_in(page)
    yield "run-page"

    # A wrong answer makes its question due: the review page shows it, ready to answer.
    answer(page, base, ANSWERS[0][1], ANSWERS[0][3])
    page.goto(base + "/review")
    expect(page.locator("form.answer")).to_be_visible()
    yield "review-due"

    for kind, question, right, wrong in ANSWERS:
        for verdict, body in (("wrong", wrong), ("right", right)):
            answer(page, base, question, body)
            page.goto(f"{base}/topics/{question}/feedback")
            expect(page.locator(".verdict")).to_have_text(
                "Correct" if verdict == "right" else "Incorrect"
            )
            yield f"feedback-{kind}-{verdict}"

    page.goto(base + "/progress")
    yield "progress"
    page.goto(base + "/review")
    yield "review-nothing-due"
    for name in ("signup", "login", "account"):
        page.goto(f"{base}/{name}")
        yield name
    page.goto(base + MISSING_PAGE)
    yield "not-found"
