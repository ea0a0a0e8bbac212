"""Optional accounts: a username and an Argon2 password hash on a learner, and sign-in
sessions kept in the database so that logging out revokes them. Never needed to learn."""

import hashlib
import re
import secrets
from datetime import datetime

from pwdlib import PasswordHash
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.services.people.learners import ensure_learner
from app.services.people.login_throttle import count_failure, refuse_if_throttled
from app.services.people.merging import adopt
from app.services.refusals import Refused
from app.store.database import session_scope
from app.store.models import Learner, LoginSession, utcnow

USERNAME = re.compile(r"[a-z0-9_.-]{3,32}")
PASSWORD_MIN = 8
PASSWORD_MAX = 1024  # Argon2 takes any length; this only bounds the work a request can ask

_hasher = PasswordHash.recommended()
# Unknown usernames are verified against this, so they take as long as known ones.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class InvalidAccount(Refused):
    """A username or password that cannot be used; the message says which and why."""


class UsernameTaken(Refused):
    """Someone already has this username."""


class WrongCredentials(Refused):
    """Unknown username or wrong password (the same answer for both)."""

    def __init__(self) -> None:
        super().__init__("wrong username or password")


class NotSignedIn(Refused):
    """The request needs a signed-in account."""


def normalize_username(username: str) -> str:
    """The stored form of a username: trimmed and lowercase (unique whatever the case)."""
    return username.strip().lower()


def _checked(username: str, password: str) -> str:
    name = normalize_username(username)
    if not USERNAME.fullmatch(name):
        raise InvalidAccount(
            "a username is 3 to 32 characters: letters a-z, digits, '_', '.' or '-'"
        )
    if len(password) < PASSWORD_MIN:
        raise InvalidAccount(f"a password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InvalidAccount(f"a password may have at most {PASSWORD_MAX} characters")
    return name


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_session(session: Session, learner_id: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_token_hash(token), learner_id=learner_id))
    return token


def sign_up(*, engine: Engine, learner_id: str, username: str, password: str) -> str:
    """Turn this browser's learner (and all it did anonymously) into an account; returns
    the new session's token. Raises InvalidAccount or UsernameTaken."""
    name = _checked(username, password)
    password_hash = _hasher.hash(password)  # slow: before the transaction, not inside it
    with session_scope(engine) as session:
        taken = session.exec(select(Learner.id).where(Learner.username == name)).first()
        if taken is not None:
            raise UsernameTaken(f"the username {name!r} is taken; choose another")
        ensure_learner(session, learner_id)
        learner = session.get(Learner, learner_id)
        assert learner is not None
        if learner.username is not None:
            raise InvalidAccount("this browser is signed in already; log out first")
        learner.username, learner.password_hash = name, password_hash
        session.add(learner)
        return _new_session(session, learner_id)


def log_in(
    *,
    engine: Engine,
    learner_id: str,
    username: str,
    password: str,
    address: str,
    now: datetime | None = None,
) -> tuple[str, str]:
    """Sign in; what this browser did anonymously is merged into the account. Returns the
    account's learner id and the new session's token.

    Raises WrongCredentials (the same for an unknown username and a wrong password, after
    the same work) or LoginThrottled."""
    now = now or utcnow()
    name = normalize_username(username)[:64]
    with session_scope(engine) as session:
        refuse_if_throttled(session, username=name, address=address, now=now)
        account = session.exec(select(Learner).where(Learner.username == name)).first()
    stored = account.password_hash if account is not None else None
    valid = _hasher.verify(password[:PASSWORD_MAX], stored or _DUMMY_HASH)
    if account is None or stored is None or not valid:
        with session_scope(engine) as session:
            count_failure(session, username=name, address=address, now=now)
        raise WrongCredentials()
    with session_scope(engine) as session:
        if learner_id != account.id:
            adopt(session, anonymous_id=learner_id, account_id=account.id)
        return account.id, _new_session(session, account.id)


def session_account(*, engine: Engine, token: str) -> tuple[str, str, bool] | None:
    """The account (learner id, username, is an author) a session token signs in, or None
    when the session was revoked; one indexed read."""
    with session_scope(engine) as session:
        found = session.exec(
            select(Learner.id, Learner.username, Learner.is_author)
            .join(LoginSession, col(LoginSession.learner_id) == Learner.id)
            .where(col(LoginSession.token_hash) == _token_hash(token))
        ).first()
    if found is None or found[1] is None:
        return None
    return found[0], found[1], found[2]


def log_out(*, engine: Engine, token: str) -> None:
    """Revoke the session (every replica sees it gone at once)."""
    with session_scope(engine) as session:
        revoked = col(LoginSession.token_hash) == _token_hash(token)
        session.execute(delete(LoginSession).where(revoked))


def delete_account(*, engine: Engine, learner_id: str, password: str) -> None:
    """Delete the account and everything it owns (attempts, cards, sessions).
    Raises NotSignedIn or WrongCredentials."""
    with session_scope(engine) as session:
        learner = session.get(Learner, learner_id)
    if learner is None or learner.password_hash is None:
        raise NotSignedIn("only a signed-in account can be deleted; use DELETE /api/progress")
    if not _hasher.verify(password[:PASSWORD_MAX], learner.password_hash):
        raise WrongCredentials()
    with session_scope(engine) as session:
        session.execute(delete(Learner).where(col(Learner.id) == learner_id))


def wipe_anonymous(*, engine: Engine, learner_id: str) -> None:
    """Delete an anonymous learner and everything stored about it. Raises InvalidAccount
    for an account: accounts are deleted with their password (delete_account)."""
    with session_scope(engine) as session:
        learner = session.get(Learner, learner_id)
        if learner is None:
            return
        if learner.username is not None:
            raise InvalidAccount(
                "this is an account: delete it with its password (DELETE /api/account)"
            )
        session.execute(delete(Learner).where(col(Learner.id) == learner_id))
