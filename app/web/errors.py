"""Errors as pages for people and as JSON for /api clients; never a traceback."""

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from app.services.refusals import Refused
from app.web.fragments import PREFIX as FRAGMENTS
from app.web.refusals import as_http
from app.web.templating import render
from app.web.validation import validation_error

log = logging.getLogger("torchquiz.web")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in {"/healthz", "/readyz"}


def _allowed_methods(request: Request) -> str:
    # Starlette names only the first route whose path matches; a path served by two
    # routes (GET and DELETE /api/progress) allows the methods of both.
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


def _template(request: Request) -> str:
    # A fragment's script swaps the answer into the page: a banner there, not a whole page.
    return "_refused.html" if request.url.path.startswith(f"{FRAGMENTS}/") else "error.html"


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 405:
        allowed = _allowed_methods(request)
        error = StarletteHTTPException(405, error.detail, headers={"Allow": allowed})
    if _wants_json(request):
        return await http_exception_handler(request, error)
    context = {"status": error.status_code, "detail": error.detail}
    page = await render(request, _template(request), context, status_code=error.status_code)
    page.headers.update(error.headers or {})  # e.g. Allow on a 405, Retry-After on a 503
    return page


async def _refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    refusal = as_http(error)
    if _wants_json(request):
        return JSONResponse(
            {"detail": refusal.message}, status_code=refusal.status, headers=refusal.headers
        )
    context = {"status": refusal.status, "detail": refusal.message}
    page = await render(request, _template(request), context, status_code=refusal.status)
    page.headers.update(refusal.headers)
    return page


async def _unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    detail = "something went wrong on our side; it has been logged"
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=500)
    return await render(
        request, _template(request), {"status": 500, "detail": detail}, status_code=500
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route HTTP errors and refusals to the error page or JSON; log anything unexpected."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(Exception, _unexpected_error)
