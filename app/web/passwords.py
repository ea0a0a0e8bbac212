"""Changing an account's password, as a form and as JSON; every other session ends."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.services.people import accounts
from app.services.refusals import Refused
from app.web import schemas
from app.web.accounts import BODY_REFUSED, REFUSED, Password
from app.web.client_address import client_address
from app.web.csrf import csrf_token
from app.web.deps import FormVisitor, PostingVisitor
from app.web.identity import Visitor
from app.web.refusals import as_http
from app.web.state import app_state
from app.web.templating import render

api = APIRouter(prefix="/api", tags=["account"], responses=BODY_REFUSED)
pages = APIRouter(include_in_schema=False)


async def _change(request: Request, visitor: Visitor, current: str, new: str) -> None:
    await asyncio.to_thread(
        accounts.change_password,
        engine=app_state(request.app).engine,
        learner_id=visitor.learner_id,
        token=visitor.token,
        current_password=current,
        new_password=new,
        address=client_address(request),
    )


@api.post(
    "/account/password",
    responses={
        **REFUSED,
        401: {"description": "Wrong current password, or not signed in"},
        422: {"description": "A new password that cannot be used"},
        429: {"description": "Too many wrong passwords; see Retry-After"},
    },
)
async def change_password(
    body: schemas.PasswordChange, request: Request, visitor: PostingVisitor
) -> schemas.AccountInfo:
    """Change the password (the current one confirms it); every other session ends."""
    await _change(request, visitor, body.current_password, body.new_password)
    token = csrf_token(app_state(request.app).secret, visitor.csrf_subject)
    return schemas.AccountInfo(username=visitor.username, csrf_token=token)


@pages.post("/account/password")
async def change_password_form(
    request: Request,
    visitor: FormVisitor,
    current_password: Password,
    new_password: Password,
) -> Response:
    """Change the password, then back to the account page (303), or the page with what to fix."""
    try:
        await _change(request, visitor, current_password, new_password)
    except Refused as error:
        refusal = as_http(error)
        context: dict[str, Any] = {
            "csrf_token": csrf_token(app_state(request.app).secret, visitor.csrf_subject),
            "error": refusal.message,
        }
        page = await render(request, "account.html", context, status_code=refusal.status)
        page.headers.update(refusal.headers)
        return page
    return RedirectResponse("/account?changed=1", status_code=303)
