"""Spaced review with FSRS: every graded answer reviews its question's card.

A wrong answer rates the card Again, a right one Good (Hard when the learner used a hint).
The card is a cache: replaying the learner's review logs in time order rebuilds it.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, delete, select

from app.store.review import ReviewCard, ReviewLog

# No learning or relearning steps of minutes: a question answered wrong is due again at
# once (the review queue lists it), a right answer schedules it days ahead. No fuzzing:
# the same logs must replay to the same cards, so that rebuilding them changes nothing.
SCHEDULER = Scheduler(
    learning_steps=(timedelta(0),), relearning_steps=(timedelta(0),), enable_fuzzing=False
)
_CARD_ID = 0  # fsrs only uses card ids to tie logs to cards; ours are tied by their keys


def utc(moment: datetime) -> datetime:
    """`moment` in UTC, as fsrs wants it; a naive datetime is refused, not guessed."""
    if moment.utcoffset() is None:
        raise ValueError(f"a review time needs a time zone (got naive {moment.isoformat()})")
    return moment.astimezone(UTC)


def rating_for(*, correct: bool, used_hint: bool = False) -> Rating:
    """How an answer rates its question's card: wrong Again, right Good, right after a hint Hard."""
    if not correct:
        return Rating.Again
    return Rating.Hard if used_hint else Rating.Good


class StoredCard(Protocol):
    """A card's stored fields: a ReviewCard, or a row of them read with Core."""

    @property
    def state(self) -> int: ...
    @property
    def step(self) -> int | None: ...
    @property
    def stability(self) -> float | None: ...
    @property
    def difficulty(self) -> float | None: ...
    @property
    def due(self) -> datetime: ...
    @property
    def last_review(self) -> datetime | None: ...


def as_fsrs(row: StoredCard) -> Card:
    """A stored card as the fsrs card it caches."""
    return Card(
        card_id=_CARD_ID,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=utc(row.due),
        last_review=utc(row.last_review) if row.last_review else None,
    )


def _stored_fields(card: Card) -> dict[str, Any]:
    """An fsrs card as the columns of its ReviewCard row."""
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
    }


def _store(row: ReviewCard, card: Card) -> ReviewCard:
    for name, value in _stored_fields(card).items():
        setattr(row, name, value)
    return row


def _new_row(learner_id: str, topic_id: str, question_id: str, at: datetime) -> ReviewCard:
    # A card never reviewed: Learning, step 0, due at once.
    return ReviewCard(
        learner_id=learner_id,
        topic_id=topic_id,
        question_id=question_id,
        state=int(State.Learning),
        step=0,
        due=at,
    )


# Statements built once (the answer path runs them for every answer; the ORM's unit of
# work cost more than the writes). Key parameters are named k_*: in an UPDATE, names of
# the table's columns are kept for the SET clause.
_CARD_KEY = (
    col(ReviewCard.learner_id) == bindparam("k_learner"),
    col(ReviewCard.topic_id) == bindparam("k_topic"),
    col(ReviewCard.question_id) == bindparam("k_question"),
)
# FOR UPDATE on PostgreSQL: two answers at once must not both start from the old card.
_READ_CARD = (
    core_select(
        col(ReviewCard.state),
        col(ReviewCard.step),
        col(ReviewCard.stability),
        col(ReviewCard.difficulty),
        col(ReviewCard.due),
        col(ReviewCard.last_review),
    )
    .where(*_CARD_KEY)
    .with_for_update()
)
_UPDATE_CARD = update(ReviewCard).where(*_CARD_KEY)
_INSERT_CARD = insert(ReviewCard)
_INSERT_LOG = insert(ReviewLog)


def review_answer(
    *,
    session: Session,
    learner_id: str,
    topic_id: str,
    question_id: str,
    correct: bool,
    used_hint: bool = False,
    at: datetime,
    attempt_id: int | None = None,
) -> Card:
    """Review the question's card with the answer's rating at `at`, and log the review;
    returns the card as it is now.

    Runs in the caller's session, so the review commits with the attempt that made it.
    """
    at = utc(at)
    rating = rating_for(correct=correct, used_hint=used_hint)
    connection = session.connection()
    key = {"k_learner": learner_id, "k_topic": topic_id, "k_question": question_id}
    stored = connection.execute(_READ_CARD, key).first()
    before = _new_row(learner_id, topic_id, question_id, at) if stored is None else stored
    card, _ = SCHEDULER.review_card(as_fsrs(before), rating, review_datetime=at)
    values = _stored_fields(card)
    if stored is None:
        ids = {"learner_id": learner_id, "topic_id": topic_id, "question_id": question_id}
        connection.execute(_INSERT_CARD, ids | values)
    else:
        connection.execute(_UPDATE_CARD, key | values)
    log = {
        "learner_id": learner_id,
        "topic_id": topic_id,
        "question_id": question_id,
        "rating": int(rating),
        "reviewed_at": at,
        "attempt_id": attempt_id,
    }
    connection.execute(_INSERT_LOG, log)
    return card


def rebuild_cards(*, session: Session, learner_id: str) -> int:
    """Delete the learner's cards and rebuild them by replaying their review logs in time
    order; returns how many cards there are now. Runs in the caller's session."""
    session.exec(delete(ReviewCard).where(col(ReviewCard.learner_id) == learner_id))
    logs = session.exec(
        select(ReviewLog)
        .where(ReviewLog.learner_id == learner_id)
        .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
    ).all()
    cards: dict[tuple[str, str], ReviewCard] = {}
    for log in logs:
        key = (log.topic_id, log.question_id)
        at = utc(log.reviewed_at)
        row = cards.get(key) or _new_row(learner_id, log.topic_id, log.question_id, at)
        card, _ = SCHEDULER.review_card(as_fsrs(row), Rating(log.rating), review_datetime=at)
        cards[key] = _store(row, card)
    session.add_all(cards.values())
    return len(cards)
