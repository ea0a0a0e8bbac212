"""Password guesses counted in the database, so that every replica refuses a guesser
together, without locking the real owner out (security review 3, finding 8).

- Per (username, address): the first few failures are free, then each one doubles the wait
  before the next try (30 s, 1 min, 2 min ... at most 15 min).
- Per username, from any address, and per address, for any username: a ceiling of failures
  in 15 minutes. An address the account has signed in from, a browser that has, and a
  signed-in session are not held by them: a guesser elsewhere cannot lock the owner out.

A try is counted *before* the password is verified (a reservation, taken back when the
password is right), in one transaction per username, so that concurrent guesses cannot
all pass one check and be evaluated together."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from app.services.refusals import Refused
from app.store.shared import RateEvent

WINDOW = timedelta(minutes=15)  # the ceilings count failures in this window
PAIR_MEMORY = timedelta(hours=24)  # a pair's failures are forgotten after this
KNOWN_FOR = timedelta(days=30)  # how long a sign-in makes its address known
FREE_FAILURES = 3  # per (username, address) before the waiting starts
FIRST_DELAY = timedelta(seconds=30)  # a typo or two costs nothing, a guesser a lot
MAX_DELAY = timedelta(minutes=15)
PER_USERNAME = 20
PER_ADDRESS = 100

PAIR = "login-pair"
USER = "login-user"
ADDRESS = "login-addr"
KNOWN = "login-known"
SCOPES = (PAIR, USER, ADDRESS)


class LoginThrottled(Refused):
    """Too many failed sign-ins lately; `retry_after` says when to try again."""

    def __init__(self, retry_after: float) -> None:
        wait = f"{retry_after:.0f} s" if retry_after < 120 else f"{retry_after / 60:.0f} min"
        super().__init__(f"too many failed sign-ins; wait {wait} and try again")
        self.retry_after = retry_after


def _key(*parts: str) -> str:
    # Usernames and addresses are up to 64 characters each; a hash fits the column.
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def delay_after(failures: int) -> timedelta:
    """How long after the last failure of a pair the next try is allowed."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doubled: timedelta = FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 16)
    return min(MAX_DELAY, doubled)


@dataclass(frozen=True)
class Reservation:
    """The failure a try was counted as before its password was checked: the ids of the
    rows to remove when the password turns out right."""

    ids: tuple[int, ...]
    pair_key: str


def _aware(at: datetime, now: datetime) -> datetime:
    return at.replace(tzinfo=now.tzinfo) if at.tzinfo is None else at  # SQLite keeps no zone


def _lock(session: Session, username: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Every try at one username, on any replica, one at a time until commit.
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"),
            {"name": f"torchquiz-login|{username}"},
        )
    # On SQLite the caller's first write (the prune) takes the database's write lock.


def _count(session: Session, scope: str, key: str, since: datetime) -> tuple[int, datetime | None]:
    count, newest = session.exec(
        select(func.count(), func.max(RateEvent.at)).where(
            RateEvent.scope == scope, RateEvent.key == key, RateEvent.at >= since
        )
    ).one()
    return int(count), newest


def reserve_try(
    session: Session, *, username: str, address: str, now: datetime, known: bool = False
) -> Reservation:
    """Count this try as a failure now, or raise LoginThrottled; in the caller's
    transaction, which holds the username's lock until it commits. `known`: the try comes
    from a browser or session the account signed in from, which the ceilings do not hold."""
    _lock(session, username)
    session.execute(
        delete(RateEvent).where(
            col(RateEvent.scope).in_(SCOPES), col(RateEvent.at) < now - PAIR_MEMORY
        )
    )
    session.execute(
        delete(RateEvent).where(col(RateEvent.scope) == KNOWN, col(RateEvent.at) < now - KNOWN_FOR)
    )
    pair_key = _key(username, address)
    failures, last = _count(session, PAIR, pair_key, now - PAIR_MEMORY)
    if last is not None:
        allowed_at = _aware(last, now) + delay_after(failures)
        if allowed_at > now:
            raise LoginThrottled(max(1.0, (allowed_at - now).total_seconds()))
    if not known:
        known = _count(session, KNOWN, pair_key, now - KNOWN_FOR)[0] > 0
    if not known:
        for scope, key, limit in ((USER, username, PER_USERNAME), (ADDRESS, address, PER_ADDRESS)):
            count, newest = _count(session, scope, _key(key), now - WINDOW)
            if count >= limit and newest is not None:
                raise LoginThrottled(max(1.0, (_aware(newest, now) + WINDOW - now).total_seconds()))
    rows = [
        RateEvent(scope=PAIR, key=pair_key, at=now),
        RateEvent(scope=USER, key=_key(username), at=now),
        RateEvent(scope=ADDRESS, key=_key(address), at=now),
    ]
    session.add_all(rows)
    session.flush()
    return Reservation(tuple(row.id for row in rows if row.id is not None), pair_key)


def release(session: Session, reservation: Reservation, *, now: datetime) -> None:
    """The password was right: the try is no failure, the pair's failures are forgiven and
    its address becomes known to the account."""
    session.execute(delete(RateEvent).where(col(RateEvent.id).in_(reservation.ids)))
    session.execute(
        delete(RateEvent).where(
            col(RateEvent.scope).in_([PAIR, KNOWN]), col(RateEvent.key) == reservation.pair_key
        )
    )
    session.add(RateEvent(scope=KNOWN, key=reservation.pair_key, at=now))


def remember_address(session: Session, *, username: str, address: str, now: datetime) -> None:
    """The account was made from this address: it is known, as after a sign-in."""
    session.add(RateEvent(scope=KNOWN, key=_key(username, address), at=now))
