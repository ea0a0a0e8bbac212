"""One body per page: each coroutine builds a page's model once, as a dependency; the
HTML route renders it and its JSON twin under /api returns it."""

from typing import Annotated

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from app.content import Catalog, Question, Snippet, Topic
from app.services.answers import Answered, latest_answered
from app.services.live_code import LiveCode
from app.web import schemas, views
from app.web.deps import (
    CatalogDep,
    EngineDep,
    LearnerDep,
    LiveDep,
    QuestionDep,
    SettingsDep,
    TopicDep,
)
from app.web.feedback import feedback


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
    )


async def question_page(
    topic: TopicDep, question: QuestionDep, live: LiveDep
) -> schemas.QuestionPage:
    """One question without its answer, with its code's real output."""
    outputs = await live.outputs(snippets_of(question))
    return views.question_page(topic=topic, question=question, outputs=outputs)


async def progress_page(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep
) -> schemas.ProgressPage:
    """The learner's progress per topic and attempts, newest first."""
    return await run_in_threadpool(
        views.progress_page, engine=engine, learner_id=learner_id, catalog=catalog
    )


def feedback_model(
    *,
    engine: Engine,
    learner_id: str,
    catalog: Catalog,
    topic: Topic,
    question: Question,
    live: LiveCode,
    answered: Answered,
) -> schemas.Feedback:
    """The feedback on one graded answer."""
    return feedback(
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        question=question,
        answered=answered,
        outputs=live.cached_outputs(snippets_of(question)),
    )


async def latest_feedback(
    engine: EngineDep,
    learner_id: LearnerDep,
    catalog: CatalogDep,
    topic: TopicDep,
    question: QuestionDep,
    live: LiveDep,
) -> schemas.Feedback | None:
    """The feedback on the learner's latest answer, or None before the first."""

    def build() -> schemas.Feedback | None:
        answered = latest_answered(
            engine=engine, learner_id=learner_id, topic=topic, question=question
        )
        if answered is None:
            return None
        return feedback_model(
            engine=engine,
            learner_id=learner_id,
            catalog=catalog,
            topic=topic,
            question=question,
            live=live,
            answered=answered,
        )

    return await run_in_threadpool(build)


HomePageDep = Annotated[schemas.HomePage, Depends(home_page)]
TopicPageDep = Annotated[schemas.TopicPage, Depends(topic_page)]
QuestionPageDep = Annotated[schemas.QuestionPage, Depends(question_page)]
ProgressPageDep = Annotated[schemas.ProgressPage, Depends(progress_page)]
LatestFeedbackDep = Annotated[schemas.Feedback | None, Depends(latest_feedback)]
