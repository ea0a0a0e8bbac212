"""Record attempts and summarize what a learner has done, topic by topic."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, bindparam, func, insert
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.content import Catalog, Question, Topic
from app.services.answering.grades import Answer, Grade
from app.services.answering.hints import forget_hints, hints_revealed
from app.services.learning.review import review_answer
from app.services.learning.review_queue import DueKeys, due_keys
from app.services.people.learners import ensure_learner
from app.services.refusals import KeyReused
from app.store.database import session_scope
from app.store.models import Attempt


@dataclass(frozen=True)
class TopicProgress:
    """Where a learner stands in one topic, judged by their latest answer to each question."""

    topic_id: str
    total: int
    answered: int = 0
    correct: int = 0
    latest: dict[str, bool] = field(default_factory=dict)  # question id -> latest was correct

    @property
    def done(self) -> bool:
        """Every question answered at least once."""
        return self.total > 0 and self.answered == self.total

    @property
    def percent(self) -> int:
        """Share of questions whose latest answer is correct, 0-100."""
        return round(100 * self.correct / self.total) if self.total else 0


@dataclass(frozen=True)
class Recorded:
    """What storing an answer gave: the attempt stored under its idempotency key, how many
    hints the learner had revealed (None: stored before hints), and whether it is the
    attempt just given (False: a repeat of one stored before, which stored nothing)."""

    answer: Answer
    grade: Grade
    hints_seen: int | None
    new: bool = True
    # The learner's cards due once this answer reviewed its own (None for a repeat).
    due: DueKeys | None = None


def answer_work(
    *,
    learner_id: str,
    topic: Topic,
    question: Question,
    answer: Answer,
    grade: Grade,
    idempotency_key: str | None = None,
    time_taken_ms: int | None = None,
    outcome: str | None = None,
    variant_seed: int | None = None,
) -> Callable[[Session], Recorded]:
    """The unit of work (for app.store.writer) that stores a graded answer as an attempt,
    with what its feedback shows, how many hints the learner had revealed (`hints_seen`;
    a right answer clears them for the next review) and the variant's seed, and reviews
    the question's card with it (a right answer after a hint is Hard), all in one
    transaction; the learner's first answer stores the learner too. An answer whose
    idempotency key this learner already used stores nothing and gives the stored one back.

    The unit raises sqlalchemy's IntegrityError when the same key is stored concurrently
    by another process."""

    def work(session: Session) -> Recorded:
        connection = session.connection()
        if idempotency_key is not None:
            bound = KeyBinding(topic.id, question.id, answer.as_json(), variant_seed)
            stored = _by_key(connection, learner_id, idempotency_key, bound)
            if stored is not None:
                return Recorded(*stored, new=False)
        at = utcnow()
        ensure_learner(session, learner_id)
        hints_seen = hints_revealed(
            connection, learner_id=learner_id, topic=topic, question=question
        )
        if grade.correct and hints_seen:
            forget_hints(session, learner_id=learner_id, topic=topic, question=question)
        # The insert first: the log needs its id, and on SQLite it takes the write lock
        # before the card is read, so two answers at once cannot both start from one card.
        inserted = connection.execute(
            _INSERT_ATTEMPT,
            {
                "learner_id": learner_id,
                "topic_id": topic.id,
                "question_id": question.id,
                "answer": answer.as_json(),
                "correct": grade.correct,
                "detail": grade.as_json(),
                "idempotency_key": idempotency_key,
                "time_taken_ms": time_taken_ms,
                "outcome": outcome,
                "created_at": at,
                "variant_seed": variant_seed,
                "hints_seen": hints_seen,
            },
        )
        review_answer(
            session=session,
            learner_id=learner_id,
            topic_id=topic.id,
            question_id=question.id,
            correct=grade.correct,
            used_hint=bool(hints_seen),
            at=at,
            attempt_id=_new_id(inserted),
        )
        due = due_keys(connection, learner_id=learner_id, now=at)
        return Recorded(answer, grade, hints_seen, due=due)

    return work


def _new_id(inserted: CursorResult[Any]) -> int:
    key = inserted.inserted_primary_key
    if key is None:  # an INSERT always has one
        raise RuntimeError("the attempt was stored without an id")
    return int(key[0])


# Statements built once: the answer path runs them for every answer.
_INSERT_ATTEMPT = insert(Attempt)
_ATTEMPT_BY_KEY = sql_select(
    col(Attempt.answer),
    col(Attempt.correct),
    col(Attempt.detail),
    col(Attempt.hints_seen),
    col(Attempt.topic_id),
    col(Attempt.question_id),
    col(Attempt.variant_seed),
).where(
    col(Attempt.learner_id) == bindparam("learner_id"),
    col(Attempt.idempotency_key) == bindparam("key"),
)


@dataclass(frozen=True)
class KeyBinding:
    """What an idempotency key stands for: one answer (as stored) to one question (and
    variant). The stored answer is the body's meaning, so it serves as the body's hash."""

    topic_id: str
    question_id: str
    answer: str  # Answer.as_json()
    variant_seed: int | None


def _by_key(
    connection: Connection, learner_id: str, idempotency_key: str, bound: KeyBinding
) -> tuple[Answer, Grade, int | None] | None:
    parameters = {"learner_id": learner_id, "key": idempotency_key}
    found = connection.execute(_ATTEMPT_BY_KEY, parameters).first()
    if found is None:
        return None
    answer, correct, detail, hints_seen, topic_id, question_id, variant_seed = found
    if KeyBinding(topic_id, question_id, answer, variant_seed) != bound:
        # Never another question's (or answer's) verdict and feedback: security review 3, #11.
        raise KeyReused()
    return Answer.from_json(answer), Grade.from_stored(correct, detail), hints_seen


def attempt_by_key(
    *, engine: Engine, learner_id: str, idempotency_key: str, bound: KeyBinding
) -> tuple[Answer, Grade, int | None] | None:
    """The answer this learner already submitted with this idempotency key, as graded;
    raises KeyReused when the key was used for another question or answer."""
    with engine.connect() as connection:
        return _by_key(connection, learner_id, idempotency_key, bound)


def latest_answer(
    *, engine: Engine, learner_id: str, topic: Topic, question: Question
) -> tuple[Answer, Grade, int | None] | None:
    """The learner's latest answer to this question, as it was graded."""
    with session_scope(engine) as session:
        attempt = session.exec(
            select(Attempt)
            .where(
                Attempt.learner_id == learner_id,
                Attempt.topic_id == topic.id,
                Attempt.question_id == question.id,
            )
            .order_by(col(Attempt.id).desc())
            .limit(1)
        ).first()
    if attempt is None:
        return None
    answer = Answer.from_json(attempt.answer)
    return answer, Grade.from_stored(attempt.correct, attempt.detail), attempt.hints_seen


def attempts_of(*, engine: Engine, learner_id: str, limit: int = 500) -> list[Attempt]:
    """The learner's attempts, newest first."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Attempt)
                .where(Attempt.learner_id == learner_id)
                .order_by(col(Attempt.id).desc())
                .limit(limit)
            )
        )


_LATEST_IDS = (
    select(func.max(Attempt.id))
    .where(col(Attempt.learner_id) == bindparam("learner_id"))
    .group_by(col(Attempt.topic_id), col(Attempt.question_id))
)
_LATEST_MARKS = select(Attempt.topic_id, Attempt.question_id, Attempt.correct).where(
    col(Attempt.id).in_(_LATEST_IDS.scalar_subquery())
)


def progress_by_topic(
    *, engine: Engine, learner_id: str, catalog: Catalog
) -> dict[str, TopicProgress]:
    """Progress in every topic of the catalog; attempts on removed questions are ignored.
    One read: the latest attempt per question, found on the learner's index."""
    with engine.connect() as connection:
        rows = connection.execute(_LATEST_MARKS, {"learner_id": learner_id}).all()
    latest = {(topic_id, question_id): correct for topic_id, question_id, correct in rows}
    result: dict[str, TopicProgress] = {}
    for topic in catalog.topics:
        marks = {
            q.id: latest[(topic.id, q.id)] for q in topic.questions if (topic.id, q.id) in latest
        }
        result[topic.id] = TopicProgress(
            topic_id=topic.id,
            total=len(topic.questions),
            answered=len(marks),
            correct=sum(marks.values()),
            latest=marks,
        )
    return result
