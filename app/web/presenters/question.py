"""The question page: one question as the learner sees it (their variant, the hints they
revealed, its code's real output), without its answer; also the form shown again after a
refusal or a hint. Every one of them is built from `learner_question()`.

Runs in: the web process.
"""

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.clock import utcnow
from app.content import PredictQuestion, Question, Topic
from app.services.answering.answers import Answered, submit_answer
from app.services.answering.grades import Answer
from app.services.answering.hints import reveal_next_hint
from app.services.answering.learner_question import LearnerQuestion, learner_question
from app.services.refusals import RunsDisabled
from app.services.running.threads import in_thread
from app.web.deps import LearnerDep, QuestionPlace, QuestionPlaceDep
from app.web.presenters.common import (
    epoch_ms,
    from_epoch_ms,
    question_number,
    question_public,
    question_url,
    topic_ref,
)
from app.web.render_cache import RenderCache
from app.web.schemas import pages as schemas


def hints_public(topic: Topic, question: Question, revealed: int) -> schemas.HintsPublic:
    """The hints revealed so far, and where to ask for the next one."""
    shown = zip(question.hints[:revealed], question.hints_html[:revealed], strict=True)
    return schemas.HintsPublic(
        revealed=[schemas.HintPublic(text=text, html=html) for text, html in shown],
        total=len(question.hints),
        hint_url=f"/api{question_url(topic, question)}/hint" if question.hints else None,
    )


def question_page_of(renders: RenderCache, seen: LearnerQuestion) -> schemas.QuestionPage:
    """One question as the learner sees it, with nothing that gives its answer away (but
    the hints they asked for)."""
    topic, question = seen.topic, seen.question
    outputs = (
        {} if isinstance(question, PredictQuestion) else seen.outputs
    )  # its output is the answer
    return schemas.QuestionPage(
        topic=topic_ref(topic),
        question=question_public(renders, topic, question, outputs),
        number=question_number(topic, question),
        count=len(topic.questions),
        hints=hints_public(topic, question, seen.hints_revealed),
        variant=seen.seed,
        shown_at=epoch_ms(utcnow()),
        idempotency_key=secrets.token_urlsafe(16),
        reviews_due=seen.reviews_due or 0,
    )


async def question_page(place: QuestionPlaceDep, learner_id: LearnerDep) -> schemas.QuestionPage:
    """One question (the learner's variant) without its answer, with its code's real output
    and the hints the learner asked for."""
    course, topic, question = place.course, place.topic, place.question
    seen = await learner_question(course, learner_id, topic, question, due_at=utcnow())
    return question_page_of(place.renders, seen)


async def question_again(place: QuestionPlace, learner_id: str) -> schemas.QuestionPage:
    """The question page shown again after a POST (a refusal, a hint): the same question,
    variant and hints, with the outputs known (never waits for a run)."""
    course, topic, question = place.course, place.topic, place.question
    seen = await learner_question(course, learner_id, topic, question, wait=False)
    return question_page_of(place.renders, seen)


async def reveal_hint(place: QuestionPlace, learner_id: str) -> schemas.HintsPublic:
    """Reveal the next hint of the question in the path (raises NoHints)."""
    course, topic, question = place.course, place.topic, place.question
    seen = await learner_question(course, learner_id, topic, question, wait=False)
    revealed = await in_thread(
        reveal_next_hint,
        engine=course.engine,
        learner_id=learner_id,
        topic=topic,
        question=question,
    )
    return hints_public(topic, seen.question, revealed)


@dataclass(frozen=True)
class Submission:
    """An answer as a client sent it: the answer, its idempotency key, when it was shown."""

    answer: Answer
    idempotency_key: str | None = None
    shown_at: int | None = None  # ms since the epoch, from the question page
    variant: int | None = None  # the variant seed the question page showed


async def submit(
    place: QuestionPlace, learner_id: str, sent: Submission
) -> tuple[LearnerQuestion, Answered]:
    """Grade and record an answer to the question in the path, as the learner's variant
    of it (raises `Refused`); the question answered, and the answer."""
    course, topic, question = place.course, place.topic, place.question
    seen = await learner_question(
        course, learner_id, topic, question, sent=sent.variant, wait=False, hints=False
    )
    if seen.unresolved:
        # Runs are off: the variant cannot be made, so it cannot be graded either.
        raise RunsDisabled(course.live.why_off)
    answered = await submit_answer(
        course=course,
        learner_id=learner_id,
        topic=topic,
        question=seen.question,
        answer=sent.answer,
        idempotency_key=sent.idempotency_key or None,
        shown_at=from_epoch_ms(sent.shown_at),
        variant_seed=seen.seed,
    )
    return seen, answered


QuestionPageDep = Annotated[schemas.QuestionPage, Depends(question_page)]
