"""The shapes of the replies that are no page: the session, the account, health, errors."""

from typing import Any

from pydantic import BaseModel, Field

from app.web.schemas.pages import Public


class SessionInfo(Public):
    csrf_token: str


class Health(Public):
    status: str
    version: str
    topics: int
    questions: int
    content_errors: int
    sandbox: dict[str, Any] = Field(
        description="Whether code runs, which isolation layers are active, pool and queue."
    )


class ErrorBody(BaseModel):
    """Why a request was refused, in words."""

    detail: str


class AccountInfo(Public):
    """Who is signed in (None when anonymous), and the CSRF token for this session."""

    username: str | None
    csrf_token: str
