"""Who is asking: a signed-in account (a session token in the cookie) or an anonymous
visitor (a random learner id in the cookie, given at the first visit). Reading who it is
never writes to the database."""

from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from app.services.people.accounts import session_account
from app.services.people.learners import new_learner_id

LEARNER_KEY = "learner"  # an anonymous visitor's learner id
LOGIN_KEY = "login"  # a signed-in visitor's session token


@dataclass(frozen=True)
class Visitor:
    """The learner this request acts for, and the account's username when signed in."""

    learner_id: str
    username: str | None = None
    token: str | None = None  # the sign-in session, to revoke on logout
    is_author: bool = False

    @property
    def signed_in(self) -> bool:
        return self.username is not None


async def visitor_of(request: Request, engine: Engine) -> Visitor:
    """The visitor behind this request; an anonymous one gets its id into the cookie now
    (only a signed-in one costs a database read)."""
    token = request.session.get(LOGIN_KEY)
    if isinstance(token, str):
        account = await run_in_threadpool(session_account, engine=engine, token=token)
        if account is not None:
            account_id, username, is_author = account
            return Visitor(account_id, username=username, token=token, is_author=is_author)
        request.session.clear()  # revoked (logged out elsewhere, or the account deleted)
    learner_id = request.session.get(LEARNER_KEY)
    if not isinstance(learner_id, str) or not learner_id:
        learner_id = new_learner_id()
        request.session[LEARNER_KEY] = learner_id
    return Visitor(learner_id=learner_id)


def sign_in(request: Request, token: str) -> None:
    """Put a new sign-in session in the cookie (replacing the anonymous id)."""
    request.session.clear()
    request.session[LOGIN_KEY] = token


def sign_out(request: Request) -> None:
    """Forget the session: the next request is a new anonymous visitor."""
    request.session.clear()
