"""The Content-Security-Policy holds on every page and state of the tour: each document
carries it and the browser reports no violation (security review 3, finding 15)."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Response

from tests.browser.tour import tour
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

# Set before any page script runs: every violation the browser reports, kept across the
# page's life (read at each step of the tour, before the next navigation clears it).
RECORD = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
      ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def reported(page: Page) -> list[str]:
    found: list[str] = page.evaluate("() => window.__cspViolations || []")
    return found


def test_every_page_of_the_tour_has_no_csp_violation(
    browser: Browser, quiz_server: LiveServer
) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.add_init_script(RECORD)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    documents: list[tuple[str, dict[str, Any]]] = []

    def on_response(response: Response) -> None:
        if response.request.resource_type == "document":
            documents.append((response.url, response.headers))

    page.on("response", on_response)
    violations: dict[str, list[str]] = {}
    states = 0
    try:
        for state in tour(page, quiz_server.url):
            states += 1
            if found := reported(page):
                violations[state] = found
        in_tour = list(console)
        # The check sees a violation when there is one: an inline script is refused.
        page.evaluate(
            "() => document.body.appendChild(Object.assign("
            "document.createElement('script'), {textContent: 'window.__ran = true'}))"
        )
        page.wait_for_function("() => window.__cspViolations.length > 0")
        assert page.evaluate("() => window.__ran === undefined")
        assert len(console) > len(in_tour)  # and Chromium logs it
    finally:
        context.close()
    assert states == 27  # the whole tour ran
    assert violations == {} and in_tour == [], (violations, in_tour)
    assert documents and all(
        "script-src 'self'" in headers.get("content-security-policy", "")
        and "frame-ancestors 'none'" in headers["content-security-policy"]
        for _, headers in documents
    ), [url for url, headers in documents if "content-security-policy" not in headers]
