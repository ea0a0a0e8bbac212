"""Record attempts and summarize what a learner has done, topic by topic."""

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import col, select

from app.content import Catalog, Question, Topic
from app.services.grades import Answer, Grade
from app.services.hints import forget_hints, hints_revealed
from app.services.learners import ensure_learner
from app.services.review import review_answer
from app.store.database import session_scope
from app.store.models import Attempt, utcnow


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


def record_attempt(
    *,
    engine: Engine,
    learner_id: str,
    topic: Topic,
    question: Question,
    answer: Answer,
    grade: Grade,
    idempotency_key: str | None = None,
    time_taken_ms: int | None = None,
    outcome: str | None = None,
    variant_seed: int | None = None,
) -> Attempt:
    """Store a graded answer as an attempt, with what its feedback shows, how many hints
    the learner had revealed (`hints_seen`; a right answer clears them for the next
    review) and the variant's seed, and review the question's card with it (a right
    answer after a hint is Hard), in one short transaction; the learner's first answer
    stores the learner too.

    Raises sqlalchemy's IntegrityError when this learner already used `idempotency_key`."""
    at = utcnow()
    attempt = Attempt(
        learner_id=learner_id,
        topic_id=topic.id,
        question_id=question.id,
        answer=answer.as_json(),
        correct=grade.correct,
        detail=grade.as_json(),
        idempotency_key=idempotency_key,
        time_taken_ms=time_taken_ms,
        outcome=outcome,
        created_at=at,
        variant_seed=variant_seed,
    )
    with session_scope(engine) as session:
        ensure_learner(session, learner_id)
        attempt.hints_seen = hints_revealed(
            session, learner_id=learner_id, topic=topic, question=question
        )
        if grade.correct and attempt.hints_seen:
            forget_hints(session, learner_id=learner_id, topic=topic, question=question)
        session.add(attempt)
        # The insert first: the log needs its id, and on SQLite it takes the write lock
        # before the card is read, so two answers at once cannot both start from one card.
        session.flush()
        review_answer(
            session=session,
            learner_id=learner_id,
            topic_id=topic.id,
            question_id=question.id,
            correct=grade.correct,
            used_hint=bool(attempt.hints_seen),
            at=at,
            attempt_id=attempt.id,
        )
    return attempt


def attempt_by_key(
    *, engine: Engine, learner_id: str, idempotency_key: str
) -> tuple[Answer, Grade, int | None] | None:
    """The answer this learner already submitted with this idempotency key, as graded."""
    with session_scope(engine) as session:
        attempt = session.exec(
            select(Attempt).where(
                Attempt.learner_id == learner_id, Attempt.idempotency_key == idempotency_key
            )
        ).first()
    if attempt is None:
        return None
    answer = Answer.from_json(attempt.answer)
    return answer, Grade.from_stored(attempt.correct, attempt.detail), attempt.hints_seen


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


def progress_by_topic(
    *, engine: Engine, learner_id: str, catalog: Catalog
) -> dict[str, TopicProgress]:
    """Progress in every topic of the catalog; attempts on removed questions are ignored."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Attempt.topic_id, Attempt.question_id, Attempt.correct)
            .where(Attempt.learner_id == learner_id)
            .order_by(col(Attempt.id))
        ).all()
    latest: dict[tuple[str, str], bool] = {}
    for topic_id, question_id, correct in rows:
        latest[(topic_id, question_id)] = correct  # later rows overwrite earlier ones
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
