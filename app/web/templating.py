"""The Jinja2 environment shared by every HTML route."""

import functools
import logging
import secrets
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from app import __version__
from app.paths import TEMPLATES_DIR
from app.services.review_queue import due_count
from app.store.models import utcnow
from app.web.csrf import csrf_token
from app.web.identity import Visitor
from app.web.per_object import PerObjectAnd
from app.web.schemas import LessonPart

log = logging.getLogger("torchquiz.web")

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["version"] = __version__

_RENDERED: PerObjectAnd[object, str, Markup] = PerObjectAnd()


def once(name: str, item: object) -> Markup:
    """Partial `name` rendered with `item` once per item and shared by every page that
    shows it. `item` must be frozen (a page model built once per catalog object) and the
    partial must use nothing else. Where templates may change (development), every time."""

    def rendered() -> Markup:
        return Markup(templates.get_template(name).render(item=item))

    return rendered() if templates.env.auto_reload else _RENDERED.get(item, name, rendered)


templates.env.globals["once"] = once

# Put in place of the visitor's CSRF token in HTML rendered once for every visitor; never a
# real token (those are 64 hex digits) nor anything an author writes.
STAND_IN_TOKEN = f"csrf-stand-in-{secrets.token_hex(16)}"


def lesson_html(parts: list[LessonPart], *, live: bool, back_path: str, csrf_token: str) -> Markup:
    """A topic's lesson (`_lesson.html`), rendered once per lesson and shared by every
    visitor: only the token of its run forms is theirs. Where templates may change
    (development), every time."""
    if templates.env.auto_reload:
        return Markup(_render_lesson(tuple(parts), live, back_path, csrf_token))
    shared = _shared_lesson(tuple(parts), live, back_path)
    return Markup(shared.replace(STAND_IN_TOKEN, escape(csrf_token)))


@functools.lru_cache(maxsize=256)  # lessons are few: a topic's, per outputs shown
def _shared_lesson(parts: tuple[LessonPart, ...], live: bool, back_path: str) -> str:
    return _render_lesson(parts, live, back_path, STAND_IN_TOKEN)


def _render_lesson(
    parts: tuple[LessonPart, ...], live: bool, back_path: str, csrf_token: str
) -> str:
    context = {"parts": parts, "live": live, "back_path": back_path, "csrf_token": csrf_token}
    return templates.get_template("_lesson.html").render(context)


templates.env.globals["lesson_html"] = lesson_html


async def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    *,
    reviews_due: int | None = None,
) -> Response:
    """Render template `name` with `context`, the navigation's review count (read here
    unless the page read it already: `reviews_due`), the visitor's CSRF token and whether
    code runs (`csrf_token` and `live`, unless `context` gives them); in development,
    with the quiz files' errors."""
    state = request.app.state
    live = getattr(state, "live", None)  # set by the lifespan, before any request
    context = {"live": live is not None and live.enabled, **context}  # run forms shown
    if state.settings.dev:
        context = {**context, "content_errors": [str(e) for e in state.content.current().errors]}
    visitor = getattr(request.state, "visitor", None)
    if visitor is not None:  # the navigation: who is signed in, a logout form, reviews due
        # The page's own forms carry the same token unless the route gives another.
        token = csrf_token(state.session_secret, visitor.csrf_subject)
        context = {"visitor": visitor, "nav_csrf": token, "csrf_token": token, **context}
        if reviews_due is None and status_code < 500:
            reviews_due = await run_in_threadpool(_reviews_due, request, visitor)
        context = {**context, "reviews_due": reviews_due or 0}
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _reviews_due(request: Request, visitor: Visitor) -> int:
    # Read only: a visitor who never answered has no cards, and no row is made here.
    learner_id = visitor.learner_id
    state = request.app.state
    try:
        return due_count(
            engine=state.engine,
            learner_id=learner_id,
            catalog=state.content.current(),
            now=utcnow(),
        )
    except SQLAlchemyError:
        # The count is a nicety of the navigation: the page itself must still be shown.
        log.warning("could not count the reviews due for the navigation", exc_info=True)
        return 0
