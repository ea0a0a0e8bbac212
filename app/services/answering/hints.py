"""Hints: revealed one at a time when a learner asks (a POST), counted per learner and
question until their next right answer, and stored with each attempt as `hints_seen`."""

from sqlalchemy import Connection, Engine, bindparam, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.content import Question, Topic
from app.services.people.learners import ensure_learner
from app.services.refusals import NoHints
from app.store.database import session_scope
from app.store.models import HintReveal


def _row(session: Session, learner_id: str, topic: Topic, question: Question) -> HintReveal | None:
    return session.get(HintReveal, (learner_id, topic.id, question.id))


_REVEALED = select(HintReveal.revealed).where(
    col(HintReveal.learner_id) == bindparam("learner_id"),
    col(HintReveal.topic_id) == bindparam("topic_id"),
    col(HintReveal.question_id) == bindparam("question_id"),
)


def hints_revealed(
    connection: Connection, *, learner_id: str, topic: Topic, question: Question
) -> int:
    """How many hints this learner has revealed since their last right answer (a read;
    none for a question without hints)."""
    if not question.hints:
        return 0
    key = {"learner_id": learner_id, "topic_id": topic.id, "question_id": question.id}
    revealed = connection.execute(_REVEALED, key).scalar()
    return min(revealed, len(question.hints)) if revealed else 0


def revealed_count(*, engine: Engine, learner_id: str, topic: Topic, question: Question) -> int:
    """How many hints the question page shows this learner (never writes)."""
    if not question.hints:
        return 0
    with engine.connect() as connection:
        return hints_revealed(connection, learner_id=learner_id, topic=topic, question=question)


def reveal_next_hint(*, engine: Engine, learner_id: str, topic: Topic, question: Question) -> int:
    """Reveal one more hint (all shown: nothing changes); how many are revealed now.

    Raises NoHints for a question without hints."""
    if not question.hints:
        raise NoHints("this question has no hints")
    for _ in range(2):  # two first reveals at once: the loser of the insert tries again
        try:
            with session_scope(engine) as session:
                ensure_learner(session, learner_id)
                row = _row(session, learner_id, topic, question)
                if row is None:
                    row = HintReveal(
                        learner_id=learner_id,
                        topic_id=topic.id,
                        question_id=question.id,
                        revealed=0,
                    )
                row.revealed = min(row.revealed + 1, len(question.hints))
                row.updated_at = utcnow()
                session.add(row)
                return row.revealed
        except IntegrityError:
            continue
    return revealed_count(engine=engine, learner_id=learner_id, topic=topic, question=question)


def forget_hints(session: Session, *, learner_id: str, topic: Topic, question: Question) -> None:
    """After a right answer the next review starts without hints (in the caller's
    transaction)."""
    session.execute(
        delete(HintReveal).where(
            col(HintReveal.learner_id) == learner_id,
            col(HintReveal.topic_id) == topic.id,
            col(HintReveal.question_id) == question.id,
        )
    )
