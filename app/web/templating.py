"""The app's Jinja environments, and render(): a page with the navigation every page has.

Runs in: the web process.
"""

import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from app import __version__
from app.clock import utcnow
from app.paths import TEMPLATES_DIR
from app.services.learning.review_queue import due_count
from app.services.running.threads import in_thread
from app.web.csrf import csrf_token
from app.web.identity import Visitor, visitor_of
from app.web.render_cache import RenderCache
from app.web.schemas import LessonPart

if TYPE_CHECKING:
    from app.web.state import AppState

log = logging.getLogger("torchquiz.web")

# Put in place of the visitor's CSRF token in HTML rendered once for every visitor; never a
# real token (those are 64 hex digits) nor anything an author writes.
STAND_IN_TOKEN = f"csrf-stand-in-{secrets.token_hex(16)}"


class Templates:
    """One app's templates: `pages` renders per request; `shared` renders what every
    visitor shares (strict: a partial reading a value it was not handed fails loudly)."""

    def __init__(
        self,
        *,
        auto_reload: bool,
        static_url: Callable[[str], str],
        renders: Callable[[], RenderCache],
    ) -> None:
        self.pages = Jinja2Templates(directory=TEMPLATES_DIR)
        env = self.pages.env
        # Outside development templates never change while the server runs: no stat per render.
        env.auto_reload = auto_reload
        env.globals |= {
            "version": __version__,
            "static_url": static_url,
            "once": self.once,
            "lesson_html": self.lesson_html,
        }
        self.shared = env.overlay(undefined=StrictUndefined)
        self._renders = renders

    def once(self, name: str, item: object) -> Markup:
        """Partial `name` rendered with `item` once per item and shared by every page that
        shows it. `item` must be a frozen value from the render cache, and the partial
        must use nothing else. Where templates may change (development), every time."""

        def rendered() -> Markup:
            return Markup(self.shared.get_template(name).render(item=item))

        if self.pages.env.auto_reload:
            return rendered()
        return self._renders().for_item(("once", name), item, rendered)

    def lesson_html(
        self, parts: list[LessonPart], *, live: bool, back_path: str, csrf_token: str
    ) -> Markup:
        """A topic's lesson (`_lesson.html`), rendered once per lesson and shared by every
        visitor: only the token of its run forms is theirs. Where templates may change
        (development), every time."""
        if self.pages.env.auto_reload:
            return Markup(self._lesson(parts, live, back_path, csrf_token))
        shared = self._renders().for_item(
            ("lesson", live, back_path),
            parts,
            lambda: self._lesson(parts, live, back_path, STAND_IN_TOKEN),
        )
        return Markup(shared.replace(STAND_IN_TOKEN, escape(csrf_token)))

    def _lesson(self, parts: list[LessonPart], live: bool, back_path: str, token: str) -> str:
        context = {
            "parts": parts,
            "live": live,
            "back_path": back_path,
            "csrf_token": token,
            "hide_output": False,
        }
        return self.shared.get_template("_lesson.html").render(context)


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
    from app.web.state import app_state  # the state module builds Templates

    state = app_state(request.app)
    live = state.live
    context = {"live": live is not None and live.enabled, **context}  # run forms shown
    if state.settings.dev:
        context = {**context, "content_errors": [str(e) for e in state.catalog().errors]}
    visitor: Visitor | None = getattr(request.state, "visitor", None)
    if visitor is None and status_code < 500:
        # A page no dependency resolved (a 404 for an unknown path) still shows who is
        # signed in (B4); a 500 reads nothing more.
        visitor = request.state.visitor = await visitor_of(request, state.engine)
    if visitor is not None:  # the navigation: who is signed in, a logout form, reviews due
        # The page's own forms carry the same token unless the route gives another.
        token = csrf_token(state.secret, visitor.csrf_subject)
        context = {"visitor": visitor, "nav_csrf": token, "csrf_token": token, **context}
        if reviews_due is None and status_code < 500:
            reviews_due = await in_thread(_reviews_due, state, visitor)
        context = {**context, "reviews_due": reviews_due or 0}
    return state.templates.pages.TemplateResponse(request, name, context, status_code=status_code)


def _reviews_due(state: "AppState", visitor: Visitor) -> int:
    # Read only: a visitor who never answered has no cards, and no row is made here.
    try:
        return due_count(
            engine=state.engine,
            learner_id=visitor.learner_id,
            catalog=state.catalog(),
            now=utcnow(),
        )
    except SQLAlchemyError:
        # The count is a nicety of the navigation: the page itself must still be shown.
        log.warning("could not count the reviews due for the navigation", exc_info=True)
        return 0
