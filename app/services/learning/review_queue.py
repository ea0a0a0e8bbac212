"""What a learner's review schedule says now: what is due, what comes next, what is mastered.

Read-only. Cards of questions no longer in the catalog are left out, never an error.
"""

from dataclasses import dataclass
from datetime import date, datetime

from fsrs import State
from sqlalchemy import Connection, Engine, bindparam
from sqlmodel import col, select

from app.content import Catalog, Question, Topic
from app.services.learning.review import SCHEDULER, as_fsrs, utc
from app.store.database import session_scope
from app.store.review import ReviewCard

MASTERED_RETRIEVABILITY = 0.9  # FSRS's desired retention: a card is due when it drops below


@dataclass(frozen=True)
class ScheduledQuestion:
    """A question on the learner's review schedule."""

    topic: Topic
    question: Question
    card: ReviewCard

    @property
    def due(self) -> datetime:
        """When the question is due for review, in UTC."""
        return utc(self.card.due)

    def mastered(self, now: datetime) -> bool:
        """In review (past its first steps) and still likely recalled now."""
        card = as_fsrs(self.card)
        return (
            card.state == State.Review
            and SCHEDULER.get_card_retrievability(card, utc(now)) >= MASTERED_RETRIEVABILITY
        )


@dataclass(frozen=True)
class Schedule:
    """A learner's cards on questions of the catalog, earliest due first."""

    questions: list[ScheduledQuestion]

    def due(self, now: datetime) -> list[ScheduledQuestion]:
        """The questions due at `now` (due <= now), the longest waiting first."""
        return [q for q in self.questions if q.due <= utc(now)]

    def next_due(self, now: datetime) -> datetime | None:
        """When the next question not yet due becomes due; None when nothing is scheduled."""
        return next((q.due for q in self.questions if q.due > utc(now)), None)

    def forecast(self, today: date, days: int = 30) -> list[int]:
        """Reviews due on each of `days` days from `today` (UTC); overdue ones count today."""
        counts = [0] * days
        for question in self.questions:
            offset = max((question.due.date() - today).days, 0)
            if offset < days:
                counts[offset] += 1
        return counts

    def mastered(self, topic: Topic, now: datetime) -> int:
        """How many of the topic's questions are mastered at `now`."""
        return sum(q.mastered(now) for q in self.questions if q.topic.id == topic.id)


def schedule_of(*, engine: Engine, learner_id: str, catalog: Catalog) -> Schedule:
    """The learner's review schedule over the questions the catalog still has."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(ReviewCard)
            .where(ReviewCard.learner_id == learner_id)
            .order_by(col(ReviewCard.due), col(ReviewCard.topic_id), col(ReviewCard.question_id))
        ).all()
    questions = []
    for row in rows:
        topic = catalog.topic(row.topic_id)
        question = topic.question(row.question_id) if topic else None
        if topic is not None and question is not None:
            questions.append(ScheduledQuestion(topic, question, row))
    return Schedule(questions)


DueKeys = tuple[tuple[str, str], ...]  # (topic id, question id) of each card due

_DUE_KEYS = select(ReviewCard.topic_id, ReviewCard.question_id).where(
    col(ReviewCard.learner_id) == bindparam("learner_id"), col(ReviewCard.due) <= bindparam("now")
)


def due_keys(connection: Connection, *, learner_id: str, now: datetime) -> DueKeys:
    """The learner's cards due at `now`, catalog or not (one small read, on the caller's
    connection: the answer's unit of work reads them after reviewing the answer's card)."""
    parameters = {"learner_id": learner_id, "now": utc(now)}
    return tuple((t, q) for t, q in connection.execute(_DUE_KEYS, parameters))


def count_due(keys: DueKeys, catalog: Catalog, besides: tuple[str, str] | None = None) -> int:
    """How many of the due `keys` are questions of the catalog, leaving out `besides`."""
    return sum(
        1
        for topic_id, question_id in keys
        if (t := catalog.topic(topic_id))
        and t.question(question_id)
        and (topic_id, question_id) != besides
    )


def due_count(
    *,
    engine: Engine,
    learner_id: str,
    catalog: Catalog,
    now: datetime,
    besides: tuple[str, str] | None = None,
) -> int:
    """How many questions of the catalog are due for the learner at `now`, leaving out the
    (topic id, question id) `besides` when given (one small query)."""
    with engine.connect() as connection:
        keys = due_keys(connection, learner_id=learner_id, now=now)
    return count_due(keys, catalog, besides)
