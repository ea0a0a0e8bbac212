"""The answer flow: grade an answer, record it as an attempt, explain it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.content import CodeQuestion, Question, Topic
from app.services.answering.grades import Answer, Explanation, Grade
from app.services.answering.grading import explain, grade, outcome
from app.services.answering.learner_question import Course
from app.services.learning.progress import KeyBinding, answer_work, attempt_by_key, latest_answer
from app.services.learning.review_queue import DueKeys
from app.services.running.threads import in_thread


@dataclass(frozen=True)
class Answered:
    """An answer with its verdict and what explains it: all that feedback shows."""

    answer: Answer
    grade: Grade
    explanation: Explanation
    # How many hints the learner had revealed when answering (None: stored before hints).
    # The review scheduler's `used_hint` is `hints_seen > 0`.
    hints_seen: int | None = None
    # The learner's cards due right after this answer (None: not read with it).
    due: DueKeys | None = None


MAX_TIME_TAKEN = timedelta(hours=24)  # longer means the page was left open, not thought


def time_taken_ms(shown_at: datetime | None, now: datetime) -> int | None:
    """Milliseconds from the question being shown to the answer; None when unknown or
    implausible (a clock in the future, a tab left open for days)."""
    if shown_at is None or not timedelta(0) <= now - shown_at <= MAX_TIME_TAKEN:
        return None
    return round((now - shown_at).total_seconds() * 1000)


async def _submitted(
    engine: Engine,
    learner_id: str,
    question: Question,
    idempotency_key: str | None,
    bound: KeyBinding,
) -> Answered | None:
    """The answer already stored under this idempotency key, if any (KeyReused when the
    key was used for another question or answer)."""
    if idempotency_key is None:
        return None
    done = await in_thread(
        attempt_by_key,
        engine=engine,
        learner_id=learner_id,
        idempotency_key=idempotency_key,
        bound=bound,
    )
    if done is None:
        return None
    given, verdict, hints_seen = done
    return Answered(given, verdict, explain(question, given, verdict), hints_seen=hints_seen)


async def submit_answer(
    *,
    course: Course,
    learner_id: str,
    topic: Topic,
    question: Question,
    answer: Answer,
    idempotency_key: str | None = None,
    shown_at: datetime | None = None,
    variant_seed: int | None = None,
) -> Answered:
    """Grade an answer and store it as an attempt through the writer; a refused answer
    stores nothing. A repeated submit with the same idempotency key stores nothing more
    and gets the first verdict back.

    Raises the `Refused` errors of grading and of running code (see app.services.refusals).
    """
    bound = KeyBinding(topic.id, question.id, answer.as_json(), variant_seed)
    live, engine = course.live, course.engine
    if isinstance(question, CodeQuestion):
        # A second click must not run the learner's code again: look before grading.
        # (Every other kind grades in microseconds; the writer's unit looks for the key.)
        done = await _submitted(engine, learner_id, question, idempotency_key, bound)
        if done is not None:
            return done
    verdict = await grade(question, answer, live=live, learner_id=learner_id)
    work = answer_work(
        learner_id=learner_id,
        topic=topic,
        question=question,
        answer=answer,
        grade=verdict,
        idempotency_key=idempotency_key,
        time_taken_ms=time_taken_ms(shown_at, utcnow()),
        outcome=outcome(question, answer, verdict),
        variant_seed=variant_seed,
    )
    try:
        recorded = await course.writer.run(work)
    except IntegrityError:
        # The same key raced in from another server process: the first one stored wins.
        done = await _submitted(engine, learner_id, question, idempotency_key, bound)
        if done is None:
            raise
        return done
    given, verdict = recorded.answer, recorded.grade
    return Answered(
        given,
        verdict,
        explain(question, given, verdict),
        hints_seen=recorded.hints_seen,
        due=recorded.due,
    )


def latest_answered(
    *, engine: Engine, learner_id: str, topic: Topic, question: Question
) -> Answered | None:
    """The learner's latest answer to this question as it was graded, or None."""
    latest = latest_answer(engine=engine, learner_id=learner_id, topic=topic, question=question)
    if latest is None:
        return None
    given, verdict, hints_seen = latest
    return Answered(given, verdict, explain(question, given, verdict), hints_seen=hints_seen)
