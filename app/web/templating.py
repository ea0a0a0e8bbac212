"""The Jinja2 environment shared by every HTML route."""

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app import __version__
from app.paths import TEMPLATES_DIR
from app.web.csrf import csrf_token

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["version"] = __version__


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """Render template `name` with `context`; in development, with the quiz files' errors."""
    state = request.app.state
    if state.settings.dev:
        context = {**context, "content_errors": [str(e) for e in state.content.current().errors]}
    visitor = getattr(request.state, "visitor", None)
    if visitor is not None:  # the navigation: who is signed in, and a logout form
        token = csrf_token(state.session_secret, visitor.learner_id)
        context = {"visitor": visitor, "nav_csrf": token, **context}
    return templates.TemplateResponse(request, name, context, status_code=status_code)
