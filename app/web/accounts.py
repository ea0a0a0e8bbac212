"""Accounts, as forms and as JSON: sign up, log in, log out, the learner's own data."""

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine

from app.services.people import accounts
from app.services.people.export import export_learner
from app.services.people.login_sessions import revoke
from app.services.refusals import Refused
from app.web import schemas
from app.web.client_address import client_address
from app.web.csrf import csrf_token
from app.web.deps import EngineDep, FormVisitor, PostingVisitor, VisitorDep, get_visitor
from app.web.identity import Visitor, known_here, sign_in, sign_out
from app.web.refusals import as_http
from app.web.state import app_state
from app.web.templating import render

# What any account route may answer before it runs (the password routes share it).
BODY_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorBody, "description": "A body that cannot be read"},
    413: {"model": schemas.ErrorBody, "description": "A body over this route's size limit"},
}
api = APIRouter(prefix="/api", tags=["account"], responses=BODY_REFUSED)
pages = APIRouter(include_in_schema=False)

REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"model": schemas.ErrorBody, "description": "Missing or invalid CSRF token"},
}
Username = Annotated[str, Form(max_length=64)]
Password = Annotated[str, Form(max_length=1024)]


async def _account_info(request: Request, username: str | None) -> schemas.AccountInfo:
    visitor = await get_visitor(request)
    token = csrf_token(app_state(request.app).secret, visitor.csrf_subject)
    return schemas.AccountInfo(username=username, csrf_token=token)


async def _sign_up(
    request: Request, engine: Engine, visitor: Visitor, username: str, password: str
) -> str:
    _, token = await asyncio.to_thread(
        accounts.sign_up,
        engine=engine,
        learner_id=visitor.learner_id,
        username=username,
        password=password,
        address=client_address(request),
    )
    name = accounts.normalize_username(username)
    sign_in(request, token, name)
    return name


async def _log_in(
    request: Request, engine: Engine, visitor: Visitor, username: str, password: str
) -> str:
    name = accounts.normalize_username(username)
    _, token = await asyncio.to_thread(
        accounts.log_in,
        engine=engine,
        learner_id=visitor.learner_id,
        username=username,
        password=password,
        address=client_address(request),
        known_browser=known_here(request, name),
    )
    sign_in(request, token, name)
    return name


async def _log_out(request: Request, engine: Engine, visitor: Visitor) -> None:
    if visitor.token is not None:
        await asyncio.to_thread(revoke, engine=engine, token=visitor.token)
    sign_out(request)


# --- JSON ---------------------------------------------------------------------------


@api.post(
    "/account",
    status_code=201,
    responses={
        **REFUSED,
        409: {"description": "Username taken"},
        422: {"description": "Invalid"},
        429: {"description": "Too many sign-ups from this address; see Retry-After"},
    },
)
async def create_account(
    body: schemas.Credentials, request: Request, engine: EngineDep, visitor: PostingVisitor
) -> schemas.AccountInfo:
    """Sign up: this browser's learner, with everything it did, becomes the account."""
    name = await _sign_up(request, engine, visitor, body.username, body.password)
    return await _account_info(request, name)


@api.post(
    "/login",
    responses={
        **REFUSED,
        401: {"description": "Wrong username or password"},
        429: {"description": "Too many failed sign-ins; see Retry-After"},
    },
)
async def log_in(
    body: schemas.Credentials, request: Request, engine: EngineDep, visitor: PostingVisitor
) -> schemas.AccountInfo:
    """Log in; what this browser did anonymously is merged into the account."""
    name = await _log_in(request, engine, visitor, body.username, body.password)
    return await _account_info(request, name)


@api.post("/logout", responses=REFUSED)
async def log_out(
    request: Request, engine: EngineDep, visitor: PostingVisitor
) -> schemas.AccountInfo:
    """Log out: the session is revoked; the reply carries the new anonymous CSRF token."""
    await _log_out(request, engine, visitor)
    return await _account_info(request, None)


@api.delete(
    "/account",
    responses={
        **REFUSED,
        401: {"description": "Wrong password"},
        429: {"description": "Too many wrong passwords; see Retry-After"},
    },
)
async def delete_account(
    body: schemas.PasswordBody, request: Request, engine: EngineDep, visitor: PostingVisitor
) -> schemas.AccountInfo:
    """Delete the account and everything it owns (the password confirms it)."""
    await asyncio.to_thread(
        accounts.delete_account,
        engine=engine,
        learner_id=visitor.learner_id,
        password=body.password,
        address=client_address(request),
    )
    sign_out(request)
    return await _account_info(request, None)


@api.get("/progress/export")
async def export(engine: EngineDep, visitor: VisitorDep) -> JSONResponse:
    """Everything stored about this learner, as JSON (attempts, review cards and logs)."""
    data = await asyncio.to_thread(export_learner, engine=engine, learner_id=visitor.learner_id)
    headers = {"Content-Disposition": 'attachment; filename="torchquiz-progress.json"'}
    return JSONResponse(data, headers=headers)


@api.delete("/progress", responses={**REFUSED, 422: {"description": "An account"}})
async def wipe_progress(
    request: Request, engine: EngineDep, visitor: PostingVisitor
) -> schemas.AccountInfo:
    """Forget an anonymous learner and everything stored about it."""
    await asyncio.to_thread(accounts.wipe_anonymous, engine=engine, learner_id=visitor.learner_id)
    sign_out(request)
    return await _account_info(request, None)


# --- HTML ---------------------------------------------------------------------------


async def _form_page(
    request: Request, name: str, visitor: Visitor, error: Refused | None = None, **extra: Any
) -> Response:
    context = {"csrf_token": csrf_token(app_state(request.app).secret, visitor.csrf_subject)}
    context |= extra
    if error is None:
        return await render(request, name, context)
    refusal = as_http(error)
    page = await render(
        request, name, context | {"error": refusal.message}, status_code=refusal.status
    )
    page.headers.update(refusal.headers)
    return page


async def _credentials_posted(
    request: Request, name: str, visitor: Visitor, username: str, done: Awaitable[str]
) -> Response:
    """Back to the topics once signed in (303), or the form again with what to fix."""
    try:
        await done
    except Refused as error:
        return await _form_page(request, name, visitor, error, username=username)
    return RedirectResponse("/", status_code=303)


@pages.get("/signup")
async def signup_page(request: Request, visitor: VisitorDep) -> Response:
    """The sign-up form (accounts are optional: progress is kept without one)."""
    return await _form_page(request, "signup.html", visitor)


@pages.post("/signup")
async def signup(
    request: Request,
    engine: EngineDep,
    visitor: FormVisitor,
    username: Username,
    password: Password,
) -> Response:
    """Sign up, then back to the topics (303)."""
    done = _sign_up(request, engine, visitor, username, password)
    return await _credentials_posted(request, "signup.html", visitor, username, done)


@pages.get("/login")
async def login_page(request: Request, visitor: VisitorDep) -> Response:
    """The login form."""
    return await _form_page(request, "login.html", visitor)


@pages.post("/login")
async def login(
    request: Request,
    engine: EngineDep,
    visitor: FormVisitor,
    username: Username,
    password: Password,
) -> Response:
    """Log in, then back to the topics (303)."""
    done = _log_in(request, engine, visitor, username, password)
    return await _credentials_posted(request, "login.html", visitor, username, done)


@pages.post("/logout")
async def logout(request: Request, engine: EngineDep, visitor: FormVisitor) -> Response:
    """Log out, then back to the topics (303)."""
    await _log_out(request, engine, visitor)
    return RedirectResponse("/", status_code=303)


@pages.get("/account")
async def account_page(request: Request, visitor: VisitorDep) -> Response:
    """The learner's own data: download it, or delete it."""
    changed = request.query_params.get("changed") == "1"
    return await _form_page(request, "account.html", visitor, changed=changed)


@pages.post("/account/delete")
async def delete_account_form(
    request: Request, engine: EngineDep, visitor: FormVisitor, password: Password
) -> Response:
    """Delete the account (password required), then back to the topics (303)."""
    try:
        await asyncio.to_thread(
            accounts.delete_account,
            engine=engine,
            learner_id=visitor.learner_id,
            password=password,
            address=client_address(request),
        )
    except Refused as error:
        return await _form_page(request, "account.html", visitor, error)
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@pages.post("/progress/delete")
async def wipe_progress_form(request: Request, engine: EngineDep, visitor: FormVisitor) -> Response:
    """Forget this anonymous learner's progress, then back to the topics (303)."""
    try:
        await asyncio.to_thread(
            accounts.wipe_anonymous, engine=engine, learner_id=visitor.learner_id
        )
    except Refused as error:
        return await _form_page(request, "account.html", visitor, error)
    sign_out(request)
    return RedirectResponse("/", status_code=303)
