"""The app the benchmarks serve: the product app, plus a bare FastAPI JSON route beside it.

The bare route is a separate, empty FastAPI app (no middleware, no dependencies) served by
the same uvicorn process, so every page's requests/s can be read as a ratio to it measured
in the same run on the same machine. It exists only here, never in the product.
"""

from typing import Annotated

from fastapi import FastAPI, Header
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from app.main import create_served_app
from app.web.api import PostingLearner
from app.web.deps import CsrfTokenDep, QuestionPlaceDep
from app.web.schemas import KEY_MAX, AnswerBody

BARE_PATH = "/bench/bare"
# Inside the product: its middleware (session cookie, access log, body limit), the
# visitor and its CSRF token (every page resolves both), then a constant page. What no
# page can beat without leaving that stack: the floor under the page figures.
FLOOR_PATH = "/bench/floor"
FLOOR_HTML = "<!doctype html><title>floor</title><p>constant</p>"
# The same for answers: POST .../answer's middleware, dependencies and body (the question's
# place, the learner from the CSRF header, the Idempotency-Key, the answer parsed), then a
# constant reply, before any grading, storing or feedback.
ANSWER_FLOOR_PREFIX = "/bench/answer-floor"


def _bare_app() -> FastAPI:
    bare = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @bare.get(BARE_PATH)
    async def bare_route() -> dict[str, str]:
        return {"status": "ok"}

    return bare


async def _floor_route(csrf: CsrfTokenDep) -> HTMLResponse:
    return HTMLResponse(FLOOR_HTML)


async def _answer_floor_route(
    body: AnswerBody,
    place: QuestionPlaceDep,
    learner_id: PostingLearner,
    idempotency_key: Annotated[str | None, Header(max_length=KEY_MAX)] = None,
) -> dict[str, bool]:
    return {"correct": False}


class BenchApp:
    """Routes BARE_PATH to the bare app and everything else (lifespan too) to the product."""

    def __init__(self) -> None:
        self.product = create_served_app()
        self.product.add_api_route(FLOOR_PATH, _floor_route, methods=["GET"])
        self.product.add_api_route(
            ANSWER_FLOOR_PREFIX + "/topics/{topic_id}/questions/{question_id}/answer",
            _answer_floor_route,
            methods=["POST"],
        )
        self.bare = _bare_app()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == BARE_PATH:
            await self.bare(scope, receive, send)
        else:
            await self.product(scope, receive, send)


def create_bench_app() -> BenchApp:
    """The uvicorn factory bench/server.py runs."""
    return BenchApp()
