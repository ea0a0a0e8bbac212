"""Optional accounts: a username and an Argon2 password hash on a learner (sessions are in
app.services.people.login_sessions, guesses counted in app.services.people.login_throttle). Never
needed to learn."""

import re
import secrets
from datetime import datetime

from pwdlib import PasswordHash
from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app.services.people.learners import new_learner_id
from app.services.people.login_sessions import new_session, revoke_others
from app.services.people.login_throttle import (
    Reservation,
    release,
    remember_address,
    reserve_try,
)
from app.services.people.merging import adopt
from app.services.refusals import Refused
from app.services.running.shared_limits import count_event
from app.store.database import session_scope
from app.store.models import Learner, utcnow

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


class SignUpsLimited(Refused):
    """Too many accounts made from this address lately; `retry_after` says when to retry."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            f"too many accounts were made from your address lately; "
            f"try again in {retry_after / 60:.0f} min"
        )
        self.retry_after = retry_after


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


SIGN_UPS_PER_ADDRESS = 10  # an hour: a classroom behind one address, not a bot's thousand
SIGN_UP_WINDOW_S = 3600.0


def sign_up(
    *, engine: Engine, learner_id: str, username: str, password: str, address: str
) -> tuple[str, str]:
    """Create an account that adopts this browser's anonymous learner (all it did); returns
    the account's learner id and the new session's token. Raises InvalidAccount,
    UsernameTaken or SignUpsLimited.

    The account gets a new id, as login merges into one: the anonymous id was in a cookie
    that may have been saved or planted before, and must not name the account."""
    name = _checked(username, password)
    # Counted before the (slow) hash: each sign-up costs an Argon2 hash and a row.
    retry_after = count_event(
        engine,
        scope="signup-addr",
        key=address[:128],
        limit=SIGN_UPS_PER_ADDRESS,
        window_s=SIGN_UP_WINDOW_S,
    )
    if retry_after is not None:
        raise SignUpsLimited(retry_after)
    password_hash = _hasher.hash(password)  # slow: before the transaction, not inside it
    with session_scope(engine) as session:
        taken = session.exec(select(Learner.id).where(Learner.username == name)).first()
        if taken is not None:
            raise UsernameTaken(f"the username {name!r} is taken; choose another")
        current = session.get(Learner, learner_id)
        if current is not None and current.username is not None:
            raise InvalidAccount("this browser is signed in already; log out first")
        account_id = new_learner_id()
        session.add(Learner(id=account_id, username=name, password_hash=password_hash))
        try:
            session.flush()  # the account exists before the anonymous rows move into it
        except IntegrityError:  # the same name signed up a moment ago, on any replica
            raise UsernameTaken(f"the username {name!r} is taken; choose another") from None
        adopt(session, anonymous_id=learner_id, account_id=account_id)
        remember_address(session, username=name, address=address, now=utcnow())
        return account_id, new_session(session, account_id)


def _verified(
    engine: Engine,
    *,
    username: str,
    password: str,
    address: str,
    now: datetime,
    known: bool = False,
) -> tuple[Learner, Reservation]:
    """The account whose password this is, its try counted first (see login_throttle;
    `known`: from a browser the account signed in from); raises LoginThrottled or
    WrongCredentials (the same for an unknown username, after the same work)."""
    with session_scope(engine) as session:
        reservation = reserve_try(session, username=username, address=address, now=now, known=known)
    with session_scope(engine) as session:
        account = session.exec(select(Learner).where(Learner.username == username)).first()
    stored = account.password_hash if account is not None else None
    valid = _hasher.verify(password[:PASSWORD_MAX], stored or _DUMMY_HASH)
    if account is None or stored is None or not valid:
        raise WrongCredentials()  # the reservation stays: a counted failure
    return account, reservation


def log_in(
    *,
    engine: Engine,
    learner_id: str,
    username: str,
    password: str,
    address: str,
    known_browser: bool = False,
    now: datetime | None = None,
) -> tuple[str, str]:
    """Sign in; what this browser did anonymously is merged into the account. Returns the
    account's learner id and the new session's token. `known_browser`: this browser signed
    in to the account before (the per-username ceiling does not hold it back).

    Raises WrongCredentials (the same for an unknown username and a wrong password, after
    the same work) or LoginThrottled."""
    now = now or utcnow()
    name = normalize_username(username)[:64]
    account, reservation = _verified(
        engine, username=name, password=password, address=address, now=now, known=known_browser
    )
    with session_scope(engine) as session:
        release(session, reservation, now=now)
        if learner_id != account.id:
            adopt(session, anonymous_id=learner_id, account_id=account.id)
        return account.id, new_session(session, account.id)


def _own_account(engine: Engine, learner_id: str) -> Learner:
    with session_scope(engine) as session:
        learner = session.get(Learner, learner_id)
    if learner is None or learner.username is None or learner.password_hash is None:
        raise NotSignedIn("sign in first: only an account has a password")
    return learner


def change_password(
    *,
    engine: Engine,
    learner_id: str,
    token: str | None,
    current_password: str,
    new_password: str,
    address: str,
    now: datetime | None = None,
) -> None:
    """Set a new password once the current one is confirmed, and end every other session
    of the account (another browser that knew the old password is signed out). Wrong
    current passwords count as failed sign-ins. Raises NotSignedIn, InvalidAccount,
    WrongCredentials or LoginThrottled."""
    now = now or utcnow()
    account = _own_account(engine, learner_id)
    assert account.username is not None
    _checked(account.username, new_password)
    _, reservation = _verified(
        engine,
        username=account.username,
        password=current_password,
        address=address,
        now=now,
        known=True,  # a signed-in session: a guesser elsewhere cannot lock it out
    )
    password_hash = _hasher.hash(new_password)
    with session_scope(engine) as session:
        release(session, reservation, now=now)
        session.execute(
            update(Learner).where(col(Learner.id) == learner_id).values(password_hash=password_hash)
        )
        revoke_others(session, learner_id=learner_id, keep_token=token)


def delete_account(*, engine: Engine, learner_id: str, password: str, address: str) -> None:
    """Delete the account and everything it owns (attempts, cards, sessions). Wrong
    passwords count as failed sign-ins. Raises NotSignedIn, WrongCredentials or
    LoginThrottled."""
    account = _own_account(engine, learner_id)
    assert account.username is not None
    now = utcnow()
    _verified(
        engine,
        username=account.username,
        password=password,
        address=address,
        now=now,
        known=True,  # a signed-in session: a guesser elsewhere cannot lock it out
    )
    with session_scope(engine) as session:
        session.execute(delete(Learner).where(col(Learner.id) == learner_id))


def is_account(*, engine: Engine, learner_id: str) -> bool:
    """Whether this learner id is an account's (one primary-key read)."""
    with session_scope(engine) as session:
        learner = session.get(Learner, learner_id)
    return learner is not None and learner.username is not None


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
