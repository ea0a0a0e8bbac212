"""The answer flow: grade an answer, record it as an attempt, explain it."""

import asyncio
from dataclasses import dataclass

from sqlalchemy import Engine

from app.content import Question, Topic
from app.services.grades import Answer, Explanation, Grade
from app.services.grading import explain, grade
from app.services.live_code import LiveCode
from app.services.progress import latest_answer, record_attempt


@dataclass(frozen=True)
class Answered:
    """An answer with its verdict and what explains it: all that feedback shows."""

    answer: Answer
    grade: Grade
    explanation: Explanation


async def submit_answer(
    *,
    live: LiveCode,
    engine: Engine,
    learner_id: str,
    topic: Topic,
    question: Question,
    answer: Answer,
) -> Answered:
    """Grade an answer and store it as an attempt; a refused answer stores nothing.

    Raises the `Refused` errors of grading and of running code (see app.services.refusals).
    """
    verdict = await grade(question, answer, live=live, learner_id=learner_id)
    await asyncio.to_thread(
        record_attempt,
        engine=engine,
        learner_id=learner_id,
        topic=topic,
        question=question,
        answer=answer,
        grade=verdict,
    )
    return Answered(answer, verdict, explain(question, answer, verdict))


def latest_answered(
    *, engine: Engine, learner_id: str, topic: Topic, question: Question
) -> Answered | None:
    """The learner's latest answer to this question as it was graded, or None."""
    latest = latest_answer(engine=engine, learner_id=learner_id, topic=topic, question=question)
    if latest is None:
        return None
    given, verdict = latest
    return Answered(given, verdict, explain(question, given, verdict))
