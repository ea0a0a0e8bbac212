"""The app's state, typed: what `create_app` builds and every request reads.

Runs in: the web process.
"""

from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine

from app.config import Settings
from app.content import Catalog, ContentSource
from app.services.answering.learner_question import Course
from app.services.running.live_code import LiveCode
from app.store.writer import Writer
from app.web.render_cache import RenderCache, RenderCaches
from app.web.templating import Templates


@dataclass
class AppState:
    """One app's settings, database, content, templates and caches (two apps in one
    process share none of them)."""

    settings: Settings
    secret: str  # signs cookies, CSRF tokens and variant seeds
    engine: Engine
    writer: Writer  # answers are stored through it, by the answer service (Course)
    content: ContentSource
    templates: Templates
    renders: RenderCaches
    live: LiveCode | None = None  # started by the lifespan, before the first request

    def catalog(self) -> Catalog:
        """The catalog to serve now (reloaded first in development when a file changed)."""
        return self.content.current()

    def render_cache(self, catalog: Catalog | None = None) -> RenderCache:
        """The render cache of `catalog` (of the one served now by default)."""
        return self.renders.of(catalog or self.catalog())

    def live_code(self) -> LiveCode:
        """Live code; set by the lifespan before any request is served."""
        assert self.live is not None, "live code starts in the lifespan"
        return self.live

    def course(self, catalog: Catalog | None = None) -> Course:
        """What services resolve and answer a learner's question with."""
        return Course(
            catalog=catalog or self.catalog(),
            engine=self.engine,
            writer=self.writer,
            live=self.live_code(),
            secret=self.secret,
        )


def app_state(app: FastAPI | object) -> AppState:
    """The state `create_app` gave `app` (a test client's `app` is typed as any ASGI app)."""
    state = getattr(getattr(app, "state", None), "torchquiz", None)
    assert isinstance(state, AppState), "an app made by create_app"
    return state
