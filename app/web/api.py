"""The JSON twins of every page, the answer endpoint and live code runs."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from app.services.grading import Answer
from app.services.progress import latest_answer
from app.web import schemas, views
from app.web.deps import (
    CatalogDep,
    CsrfTokenDep,
    EngineDep,
    LearnerDep,
    LiveDep,
    QuestionDep,
    SettingsDep,
    TopicDep,
    learner_from_header,
)
from app.web.feedback import feedback as feedback_page
from app.web.running import answer_question, run_or_http_error, snippets_of


class ErrorBody(BaseModel):
    """Why a request was refused, in words."""

    detail: str


router = APIRouter(
    prefix="/api",
    tags=["api"],
    responses={
        400: {"model": ErrorBody, "description": "A body that cannot be read (not UTF-8 JSON)"},
        404: {"model": ErrorBody, "description": "Unknown topic or question"},
    },
)

PostingLearner = Annotated[str, Depends(learner_from_header)]
REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "Missing or invalid CSRF token"}
}


class AnswerBody(BaseModel):
    """An answer: `choice` for choice, `choices` for multi, `value` for predict, `code` for
    code questions."""

    model_config = ConfigDict(extra="forbid")

    choice: str | None = Field(default=None, min_length=1, max_length=80, examples=["a"])
    choices: list[Annotated[str, Field(min_length=1, max_length=80)]] | None = Field(
        default=None, max_length=26, examples=[["a", "c"]]
    )
    value: str | None = Field(default=None, max_length=10_000, examples=["torch.Size([2, 3])"])
    code: str | None = Field(default=None, max_length=1_000_000)

    def answer(self) -> Answer:
        return Answer(
            choice=self.choice,
            choices=tuple(self.choices) if self.choices is not None else None,
            value=self.value,
            code=self.code,
        )


class RunRequest(BaseModel):
    """Code to run in the sandbox."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=1_000_000, examples=["import torch\nprint(torch.ones(2))"])


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
async def topic(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep, topic: TopicDep, live: LiveDep
) -> schemas.TopicPage:
    """A topic's lesson with the real output of its code, and its questions (the topic page)."""
    outputs = await live.outputs(topic.lesson_snippets)
    return await run_in_threadpool(
        views.topic_page,
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        outputs=outputs,
    )


@router.get("/topics/{topic_id}/questions/{question_id}")
async def question(topic: TopicDep, question: QuestionDep, live: LiveDep) -> schemas.QuestionPage:
    """One question without its answer, with its code's real output (the question page)."""
    outputs = await live.outputs(snippets_of(question))
    return views.question_page(topic=topic, question=question, outputs=outputs)


@router.post(
    "/topics/{topic_id}/questions/{question_id}/answer",
    responses={
        **REFUSED,
        422: {"description": "An answer that does not fit the question"},
        429: {"description": "Too many runs by this learner (code questions)"},
        503: {"description": "Code cannot run now (predict and code questions)"},
    },
)
async def answer(
    body: AnswerBody,
    engine: EngineDep,
    catalog: CatalogDep,
    topic: TopicDep,
    question: QuestionDep,
    live: LiveDep,
    learner_id: PostingLearner,
) -> schemas.Feedback:
    """Answer a question; the reply says whether it was right and explains the solution."""
    given = body.answer()
    verdict = await answer_question(
        live=live,
        engine=engine,
        learner_id=learner_id,
        topic=topic,
        question=question,
        answer=given,
    )
    return await run_in_threadpool(
        feedback_page,
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        question=question,
        answer=given,
        grade=verdict,
        outputs=live.cached_outputs(snippets_of(question)),
    )


@router.get("/topics/{topic_id}/questions/{question_id}/feedback")
def feedback(
    engine: EngineDep,
    learner_id: LearnerDep,
    catalog: CatalogDep,
    topic: TopicDep,
    question: QuestionDep,
    live: LiveDep,
) -> schemas.Feedback:
    """The feedback on the learner's latest answer (404 until they have answered)."""
    latest = latest_answer(engine=engine, learner_id=learner_id, topic=topic, question=question)
    if latest is None:
        raise HTTPException(status_code=404, detail="not answered yet")
    given, verdict = latest
    return feedback_page(
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        question=question,
        answer=given,
        grade=verdict,
        outputs=live.cached_outputs(snippets_of(question)),
    )


@router.get("/progress")
def progress(
    engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep
) -> schemas.ProgressPage:
    """The learner's progress per topic and attempts, newest first."""
    return views.progress_page(engine=engine, learner_id=learner_id, catalog=catalog)


@router.post(
    "/run",
    responses={
        **REFUSED,
        422: {"description": "Code over the size limit"},
        429: {"description": "Too many runs by this learner; see Retry-After"},
        503: {"description": "Every worker busy, or runs turned off; see Retry-After"},
    },
)
async def run(body: RunRequest, live: LiveDep, learner_id: PostingLearner) -> schemas.RunPublic:
    """Run code in the sandbox with torch preloaded; the output is always plain text."""
    return views.run_public(await run_or_http_error(live, body.code, learner_id=learner_id))
