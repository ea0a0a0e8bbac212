"""Signing in from a browser that answered anonymously: the account adopts that work."""

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.services.learning.review import rebuild_cards
from app.store.models import Attempt, HintReveal, Learner
from app.store.review import ReviewLog


def adopt(session: Session, *, anonymous_id: str, account_id: str) -> None:
    """Move an anonymous learner's attempts, review log and revealed hints into the
    account, rebuild the
    account's review cards from the merged log, and remove the anonymous learner, in the
    caller's transaction. The union of both histories is kept; a learner that is itself
    an account is never merged."""
    anonymous = session.get(Learner, anonymous_id)
    if anonymous is None or anonymous.username is not None:
        return
    # Keys only deduplicate retries of one browser's submit; the merged rows need none.
    session.execute(
        update(Attempt)
        .where(col(Attempt.learner_id) == anonymous_id)
        .values(learner_id=account_id, idempotency_key=None)
    )
    session.execute(
        update(ReviewLog)
        .where(col(ReviewLog.learner_id) == anonymous_id)
        .values(learner_id=account_id)
    )
    _adopt_hints(session, anonymous_id=anonymous_id, account_id=account_id)
    # Its cards go with it (CASCADE); the account's are replayed from both logs in order.
    session.execute(delete(Learner).where(col(Learner.id) == anonymous_id))
    rebuild_cards(session=session, learner_id=account_id)


def _adopt_hints(session: Session, *, anonymous_id: str, account_id: str) -> None:
    """Hints revealed anonymously stay revealed (the larger count where both have some)."""
    theirs = session.exec(select(HintReveal).where(HintReveal.learner_id == anonymous_id)).all()
    for row in theirs:
        mine = session.get(HintReveal, (account_id, row.topic_id, row.question_id))
        if mine is None:
            session.add(
                HintReveal(
                    learner_id=account_id,
                    topic_id=row.topic_id,
                    question_id=row.question_id,
                    revealed=row.revealed,
                    updated_at=row.updated_at,
                )
            )
        else:
            mine.revealed = max(mine.revealed, row.revealed)
            session.add(mine)
    session.flush()  # before the anonymous learner (and its rows) are deleted
