"""Signing in from a browser that answered anonymously: the account adopts that work."""

from sqlalchemy import delete, update
from sqlmodel import Session

from app.store.models import Attempt, Learner


def adopt(session: Session, *, anonymous_id: str, account_id: str) -> None:
    """Move an anonymous learner's attempts into the account and remove the anonymous
    learner, in the caller's transaction. The union of both histories is kept; a learner
    that is itself an account is never merged."""
    anonymous = session.get(Learner, anonymous_id)
    if anonymous is None or anonymous.username is not None:
        return
    # Keys only deduplicate retries of one browser's submit; the merged rows need none.
    session.execute(
        update(Attempt)
        .where(Attempt.learner_id == anonymous_id)  # type: ignore[arg-type]
        .values(learner_id=account_id, idempotency_key=None)
    )
    session.execute(delete(Learner).where(Learner.id == anonymous_id))  # type: ignore[arg-type]
