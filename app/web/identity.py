"""Who is asking: a signed-in account (a session token in the cookie) or an anonymous
visitor (a random learner id in the cookie, given at the first visit). Reading who it is
never writes to the database."""

from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from app.services.people.accounts import is_account
from app.services.people.learners import new_learner_id
from app.services.people.login_sessions import session_account

LEARNER_KEY = "learner"  # an anonymous visitor's learner id
LOGIN_KEY = "login"  # a signed-in visitor's session token
# Set beside an anonymous id minted since sign-up gives accounts ids of their own: such an
# id can never have become an account's. An id without it (a cookie from before) is looked
# up once, and refused when it names an account (security review 3, finding 4).
MINTED_KEY = "minted"
# The accounts that signed in from this browser: the login throttle's per-username ceiling
# does not hold them back (app/services/people/login_throttle.py). The cookie is signed.
KNOWN_KEY = "known"
KNOWN_MAX = 5


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

    @property
    def csrf_subject(self) -> str:
        """What this visitor's CSRF token is bound to: the sign-in session when signed in
        (every login, logout and sign-up changes the token), else the anonymous id."""
        return f"session:{self.token}" if self.token is not None else self.learner_id


async def visitor_of(request: Request, engine: Engine) -> Visitor:
    """The visitor behind this request; an anonymous one gets its id into the cookie now
    (only a signed-in one costs a database read)."""
    token = request.session.get(LOGIN_KEY)
    if isinstance(token, str):
        account = await run_in_threadpool(session_account, engine=engine, token=token)
        if account is not None:
            account_id, username, is_author = account
            return Visitor(account_id, username=username, token=token, is_author=is_author)
        _keep_known(request)  # revoked (logged out elsewhere, or the account deleted)
    learner_id = request.session.get(LEARNER_KEY)
    if isinstance(learner_id, str) and learner_id and request.session.get(MINTED_KEY) is not True:
        if await run_in_threadpool(is_account, engine=engine, learner_id=learner_id):
            learner_id = None  # an account is reached only through a sign-in session
        else:
            request.session[MINTED_KEY] = True
    if not isinstance(learner_id, str) or not learner_id:
        learner_id = new_learner_id()
        _keep_known(request)
        request.session[LEARNER_KEY] = learner_id
        request.session[MINTED_KEY] = True
    return Visitor(learner_id=learner_id)


def known_here(request: Request, username: str) -> bool:
    """Whether this browser has signed in to the account before (its cookie says so)."""
    known = request.session.get(KNOWN_KEY)
    return isinstance(known, list) and username in known


def _keep_known(request: Request, adding: str | None = None) -> None:
    known = request.session.get(KNOWN_KEY)
    kept = [name for name in known if isinstance(name, str)] if isinstance(known, list) else []
    if adding is not None and adding not in kept:
        kept = [*kept, adding][-KNOWN_MAX:]
    request.session.clear()
    if kept:
        request.session[KNOWN_KEY] = kept


def sign_in(request: Request, token: str, username: str) -> None:
    """Put a new sign-in session in the cookie (replacing the anonymous id); the browser
    now counts as known to the account."""
    _keep_known(request, adding=username)
    request.session[LOGIN_KEY] = token


def sign_out(request: Request) -> None:
    """Forget the session: the next request is a new anonymous visitor (the browser stays
    known to the accounts it signed in to)."""
    _keep_known(request)
