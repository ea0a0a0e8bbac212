"""Sign-in sessions: opaque tokens whose hashes are kept in the database, so that logging
out, changing the password or deleting the account revokes them on every replica. A
session ends after 30 days unused and one year after it began, whatever its use."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from app.store.database import session_scope
from app.store.models import Learner, LoginSession, utcnow

IDLE_LIFETIME = timedelta(days=30)
ABSOLUTE_LIFETIME = timedelta(days=365)
# A session's last use is written at most this often: not a write on every request.
TOUCH_EVERY = timedelta(hours=1)


def token_hash(token: str) -> str:
    """What the table keeps of a token (the token itself only the cookie has)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(session: Session, learner_id: str) -> str:
    """Start a sign-in session for the learner in the caller's transaction; its token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=token_hash(token), learner_id=learner_id, created_at=now, last_seen_at=now
        )
    )
    return token


def _aware(at: datetime, now: datetime) -> datetime:
    return at.replace(tzinfo=now.tzinfo) if at.tzinfo is None else at  # SQLite keeps no zone


def session_account(
    *, engine: Engine, token: str, now: datetime | None = None
) -> tuple[str, str, bool] | None:
    """The account (learner id, username, is an author) a session token signs in, or None
    when the session was revoked or has expired; one indexed read (and, at most hourly, a
    write of the session's last use)."""
    now = now or utcnow()
    hashed = token_hash(token)
    with session_scope(engine) as session:
        found = session.execute(
            sql_select(
                col(Learner.id),
                col(Learner.username),
                col(Learner.is_author),
                col(LoginSession.created_at),
                col(LoginSession.last_seen_at),
            )
            .join(LoginSession, col(LoginSession.learner_id) == col(Learner.id))
            .where(col(LoginSession.token_hash) == hashed)
        ).first()
        if found is None or found[1] is None:
            return None
        learner_id, username, is_author, created_at, last_seen_at = found
        created_at, last_seen_at = _aware(created_at, now), _aware(last_seen_at, now)
        if now - created_at > ABSOLUTE_LIFETIME or now - last_seen_at > IDLE_LIFETIME:
            session.execute(delete(LoginSession).where(col(LoginSession.token_hash) == hashed))
            return None
        if now - last_seen_at > TOUCH_EVERY:
            session.execute(
                update(LoginSession)
                .where(col(LoginSession.token_hash) == hashed)
                .values(last_seen_at=now)
            )
    return learner_id, username, is_author


def revoke(*, engine: Engine, token: str) -> None:
    """End one session (every replica sees it gone at once)."""
    with session_scope(engine) as session:
        session.execute(
            delete(LoginSession).where(col(LoginSession.token_hash) == token_hash(token))
        )


def revoke_others(session: Session, *, learner_id: str, keep_token: str | None) -> None:
    """End every session of the learner but `keep_token`'s, in the caller's transaction."""
    statement = delete(LoginSession).where(col(LoginSession.learner_id) == learner_id)
    if keep_token is not None:
        statement = statement.where(col(LoginSession.token_hash) != token_hash(keep_token))
    session.execute(statement)
