"""One body per page: each coroutine builds a page's model once, as a dependency; the
HTML route renders it and its JSON twin under /api returns it."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool

from app.content import Question, Snippet
from app.services.answers import Answered, latest_answered, submit_answer
from app.services.grades import Answer
from app.services.hints import hints_revealed, reveal_next_hint
from app.services.refusals import RunsDisabled
from app.services.review_queue import count_due, due_keys, schedule_of
from app.services.variants import draw_state, latest_seed, seed_to_answer, variant_of
from app.store.models import utcnow
from app.web import schemas, views
from app.web.deps import (
    CatalogDep,
    EngineDep,
    LearnerDep,
    LiveDep,
    QuestionPlace,
    QuestionPlaceDep,
    SettingsDep,
    TopicDep,
)
from app.web.feedback import counts, feedback


def snippets_of(question: Question) -> list[Snippet]:
    """The live snippets shown with a question."""
    return [question.code] if question.code else []


async def home_page(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep, settings: SettingsDep
) -> schemas.HomePage:
    """Every topic in study order, with the learner's progress."""
    return await run_in_threadpool(
        views.home_page,
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        show_errors=settings.dev,
        now=utcnow(),
    )


async def topic_page(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep, topic: TopicDep, live: LiveDep
) -> schemas.TopicPage:
    """A topic's lesson with the real output of its code, and its questions."""
    outputs = await live.outputs(topic.lesson_snippets)
    return await run_in_threadpool(
        views.topic_page,
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        outputs=outputs,
        now=utcnow(),
    )


async def learner_variant(
    place: QuestionPlace, learner_id: str, *, sent: int | None = None, latest: bool = False
) -> QuestionPlace:
    """The place with the learner's variant of its question: the current one (or the one
    `sent` back by the page, when it is theirs), or with `latest` the one last answered.
    A question without `params` comes back as it is; so does every question while runs
    are off (its placeholders then show as written)."""
    topic, question, engine = place.topic, place.question, place.engine
    if question.params is None:
        return place
    if latest:
        seed = await run_in_threadpool(
            latest_seed, engine=engine, learner_id=learner_id, topic=topic, question=question
        )
    else:
        state = await run_in_threadpool(
            draw_state,
            engine=engine,
            learner_id=learner_id,
            topic=topic,
            question=question,
            now=utcnow(),
        )
        seed = seed_to_answer(place.secret, learner_id, topic, question, state=state, sent=sent)
    try:
        variant = await variant_of(place.live, question, seed)
    except RunsDisabled:
        return place
    return replace(place, question=variant.question, variant_seed=variant.seed)


async def question_page(place: QuestionPlaceDep, learner_id: LearnerDep) -> schemas.QuestionPage:
    """One question (the learner's variant) without its answer, with its code's real output
    and the hints the learner asked for."""
    place = await learner_variant(place, learner_id)
    topic, question = place.topic, place.question
    outputs = await place.live.outputs(snippets_of(question), persist=question.params is None)
    revealed, due = await run_in_threadpool(_question_reads, place, learner_id, utcnow())
    return views.question_page(
        topic=topic,
        question=question,
        outputs=outputs,
        hints_revealed=revealed,
        variant=place.variant_seed,
        reviews_due=due,
    )


def _question_reads(place: QuestionPlace, learner_id: str, now: datetime) -> tuple[int, int]:
    """What a question page reads, on one connection: the hints the learner revealed and
    the reviews due (for the navigation)."""
    topic, question = place.topic, place.question
    with place.engine.connect() as connection:
        revealed = hints_revealed(connection, learner_id=learner_id, topic=topic, question=question)
        due = due_keys(connection, learner_id=learner_id, now=now)
    return revealed, count_due(due, place.catalog)


async def reveal_hint(place: QuestionPlace, learner_id: str) -> schemas.HintsPublic:
    """Reveal the next hint of the question in the path (raises NoHints)."""
    place = await learner_variant(place, learner_id)
    topic, question = place.topic, place.question
    revealed = await run_in_threadpool(
        reveal_next_hint, engine=place.engine, learner_id=learner_id, topic=topic, question=question
    )
    return views.hints_public(topic, question, revealed)


async def progress_page(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep
) -> schemas.ProgressPage:
    """The learner's progress per topic, the numbers of its charts, and attempts, newest first."""
    return await run_in_threadpool(
        views.progress_page, engine=engine, learner_id=learner_id, catalog=catalog, now=utcnow()
    )


async def review_page(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep, live: LiveDep
) -> schemas.ReviewPage:
    """The questions due for review now, oldest first, the first one ready to answer, and
    when the next one is due."""
    now = utcnow()
    schedule = await run_in_threadpool(
        schedule_of, engine=engine, learner_id=learner_id, catalog=catalog
    )
    due = schedule.due(now)
    current = None
    if due:
        topic, question = due[0].topic, due[0].question
        outputs = await live.outputs(snippets_of(question))
        current = views.question_page(topic=topic, question=question, outputs=outputs)
    return views.review_page(schedule=schedule, now=now, current=current)


@dataclass(frozen=True)
class Submission:
    """An answer as a client sent it: the answer, its idempotency key, when it was shown."""

    answer: Answer
    idempotency_key: str | None = None
    shown_at: int | None = None  # ms since the epoch, from the question page
    variant: int | None = None  # the variant seed the question page showed


async def submit(place: QuestionPlace, learner_id: str, sent: Submission) -> Answered:
    """Grade and record an answer to the question in the path, as the learner's variant
    of it (raises `Refused`)."""
    place = await learner_variant(place, learner_id, sent=sent.variant)
    if place.question.params is not None and place.variant_seed is None:
        # Runs are off: the variant cannot be made, so it cannot be graded either.
        raise RunsDisabled(place.live.why_off)
    return await submit_answer(
        live=place.live,
        engine=place.engine,
        writer=place.writer,
        learner_id=learner_id,
        topic=place.topic,
        question=place.question,
        answer=sent.answer,
        idempotency_key=sent.idempotency_key or None,
        shown_at=views.from_epoch_ms(sent.shown_at),
        variant_seed=place.variant_seed,
    )


async def answer_feedback(
    place: QuestionPlace, learner_id: str, sent: Submission
) -> schemas.Feedback:
    """Grade and record an answer, then the feedback on it."""
    answered = await submit(place, learner_id, sent)
    place = await learner_variant(place, learner_id, latest=True)
    known = counts(place, learner_id, answered, may_read=False)  # no I/O: no thread needed
    if known is None:
        known = await run_in_threadpool(counts, place, learner_id, answered)
    return feedback(place, answered, known)


async def latest_feedback(
    place: QuestionPlaceDep, learner_id: LearnerDep
) -> schemas.Feedback | None:
    """The feedback on the learner's latest answer, or None before the first."""
    place = await learner_variant(place, learner_id, latest=True)

    def build() -> schemas.Feedback | None:
        answered = latest_answered(
            engine=place.engine,
            learner_id=learner_id,
            topic=place.topic,
            question=place.question,
        )
        if answered is None:
            return None
        return feedback(place, answered, counts(place, learner_id, answered))

    return await run_in_threadpool(build)


HomePageDep = Annotated[schemas.HomePage, Depends(home_page)]
TopicPageDep = Annotated[schemas.TopicPage, Depends(topic_page)]
QuestionPageDep = Annotated[schemas.QuestionPage, Depends(question_page)]
ProgressPageDep = Annotated[schemas.ProgressPage, Depends(progress_page)]
ReviewPageDep = Annotated[schemas.ReviewPage, Depends(review_page)]
LatestFeedbackDep = Annotated[schemas.Feedback | None, Depends(latest_feedback)]
