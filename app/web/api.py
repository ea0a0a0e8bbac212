"""The JSON twins of every page, and the answer endpoint."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from app.services.grading import InvalidAnswer
from app.services.progress import answer_choice, latest_answer
from app.web import schemas, views
from app.web.deps import (
    CatalogDep,
    CsrfTokenDep,
    EngineDep,
    LearnerDep,
    QuestionDep,
    SettingsDep,
    TopicDep,
    learner_from_header,
)

router = APIRouter(prefix="/api", tags=["api"])


class ChoiceAnswer(BaseModel):
    """The answer to a choice question: the id of one option."""

    model_config = ConfigDict(extra="forbid")

    choice: str = Field(min_length=1, max_length=80, examples=["a"])


@router.get("/session")
def session(csrf: CsrfTokenDep) -> schemas.SessionInfo:
    """Start or resume a session; returns the CSRF token that POSTs must carry."""
    return schemas.SessionInfo(csrf_token=csrf)


@router.get("/topics")
def topics(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep, settings: SettingsDep
) -> schemas.HomePage:
    """Every topic in study order, with the learner's progress (the home page)."""
    return views.home_page(
        engine=engine, learner_id=learner_id, catalog=catalog, show_errors=settings.dev
    )


@router.get("/topics/{topic_id}")
def topic(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep, topic: TopicDep
) -> schemas.TopicPage:
    """A topic's lesson and question list (the topic page)."""
    return views.topic_page(engine=engine, learner_id=learner_id, catalog=catalog, topic=topic)


@router.get("/topics/{topic_id}/questions/{question_id}")
def question(topic: TopicDep, question: QuestionDep) -> schemas.QuestionPage:
    """One question without its answer (the question page)."""
    return views.question_page(topic=topic, question=question)


@router.post(
    "/topics/{topic_id}/questions/{question_id}/answer",
    responses={403: {"description": "Missing or invalid CSRF token"}},
)
def answer(
    body: ChoiceAnswer,
    engine: EngineDep,
    catalog: CatalogDep,
    topic: TopicDep,
    question: QuestionDep,
    learner_id: Annotated[str, Depends(learner_from_header)],
) -> schemas.Feedback:
    """Answer a question; the reply says whether it was right and explains the solution."""
    try:
        grade, _ = answer_choice(
            engine=engine, learner_id=learner_id, topic=topic, question=question, choice=body.choice
        )
    except InvalidAnswer as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    return views.feedback(
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        question=question,
        grade=grade,
    )


@router.get("/topics/{topic_id}/questions/{question_id}/feedback")
def feedback(
    engine: EngineDep,
    learner_id: LearnerDep,
    catalog: CatalogDep,
    topic: TopicDep,
    question: QuestionDep,
) -> schemas.Feedback:
    """The feedback on the learner's latest answer (404 until they have answered)."""
    latest = latest_answer(engine=engine, learner_id=learner_id, topic=topic, question=question)
    if latest is None:
        raise HTTPException(status_code=404, detail="not answered yet")
    return views.feedback(
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        question=question,
        grade=latest[0],
    )


@router.get("/progress")
def progress(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep
) -> schemas.ProgressPage:
    """The learner's progress per topic and attempts, newest first."""
    return views.progress_page(engine=engine, learner_id=learner_id, catalog=catalog)
