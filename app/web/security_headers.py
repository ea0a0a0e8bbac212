"""Security headers on every response (security review 3, finding 15): a
Content-Security-Policy that allows only the app's own scripts, styles and connections,
no framing by default, no MIME sniffing, and no full Referer to other sites."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The editor bundle (static/editor.js, CodeMirror) writes its base theme into one <style>
# element; CSP allows exactly that text by its hash. Rebuilding the bundle may change it:
# tests/browser/test_csp.py then fails with the new hash in Chromium's message.
EDITOR_STYLE_HASHES = ("'sha256-KITAeg/6873qSMw+WZ2LLXe6k9ie4S67qjPOgXpCE48='",)


def content_security_policy(frame_ancestors: str) -> str:
    """The policy: scripts and style sheets from this origin only (app.js, the editor
    bundle, style.css; no inline script), and the editor's own style element by hash.
    Style *attributes* stay allowed: a progress bar's width and a chart's size are set in
    markup, and a style attribute cannot run script."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' {' '.join(EDITOR_STYLE_HASHES)}",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class SecurityHeaders:
    """Adds the headers to every HTTP response the app sends."""

    def __init__(self, app: ASGIApp, frame_ancestors: str = "'none'") -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(frame_ancestors),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        if frame_ancestors.strip() == "'none'":
            # For browsers without frame-ancestors; an allow-list has no X-Frame-Options form.
            self.headers["X-Frame-Options"] = "DENY"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
