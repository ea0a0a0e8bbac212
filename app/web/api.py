"""The JSON twins of every page, the answer endpoint and live code runs."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException

from app.web import schemas
from app.web.deps import CsrfTokenDep, LiveDep, QuestionPlaceDep, learner_from_header
from app.web.presenters.common import run_public
from app.web.presenters.feedback import LatestFeedbackDep, answer_feedback
from app.web.presenters.home import HomePageDep
from app.web.presenters.progress import ProgressPageDep
from app.web.presenters.question import QuestionPageDep, Submission, reveal_hint
from app.web.presenters.review import ReviewPageDep
from app.web.presenters.topic import TopicPageDep
from app.web.schemas import KEY_MAX, AnswerBody, ErrorBody, RunRequest

router = APIRouter(
    prefix="/api",
    tags=["api"],
    responses={
        400: {"model": ErrorBody, "description": "A body that cannot be read (not UTF-8 JSON)"},
        404: {"model": ErrorBody, "description": "Unknown topic or question"},
        413: {"model": ErrorBody, "description": "A body over this route's size limit"},
    },
)

PostingLearner = Annotated[str, Depends(learner_from_header)]
REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "Missing or invalid CSRF token"}
}


@router.get("/session")
async def session(csrf: CsrfTokenDep) -> schemas.SessionInfo:
    """Start or resume a session; returns the CSRF token that POSTs must carry."""
    return schemas.SessionInfo(csrf_token=csrf)


@router.get("/topics")
async def topics(page: HomePageDep) -> schemas.HomePage:
    """Every topic in study order, with the learner's progress (the home page)."""
    return page


@router.get("/topics/{topic_id}")
async def topic(page: TopicPageDep) -> schemas.TopicPage:
    """A topic's lesson with the real output of its code, and its questions (the topic page)."""
    return page


@router.get(
    "/topics/{topic_id}/questions/{question_id}",
    responses={
        429: {"description": "A variant question's runs over the visitor's run limit"},
        503: {"description": "A variant question whose numbers cannot be drawn now"},
    },
)
async def question(page: QuestionPageDep) -> schemas.QuestionPage:
    """One question without its answer, with its code's real output (the question page)."""
    return page


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
    place: QuestionPlaceDep,
    learner_id: PostingLearner,
    idempotency_key: Annotated[str | None, Header(max_length=KEY_MAX)] = None,
) -> schemas.Feedback:
    """Answer a question; the reply says whether it was right and explains the solution.
    A repeated request with the same Idempotency-Key is recorded once and answered alike."""
    sent = Submission(body.answer(), idempotency_key, body.shown_at, body.variant)
    return await answer_feedback(place, learner_id, sent)


@router.post(
    "/topics/{topic_id}/questions/{question_id}/hint",
    responses={**REFUSED, 409: {"model": ErrorBody, "description": "The question has no hints"}},
)
async def hint(place: QuestionPlaceDep, learner_id: PostingLearner) -> schemas.HintsPublic:
    """Reveal the next hint (once all are revealed, nothing changes); the reply lists every
    hint revealed so far. The next answer records how many were seen."""
    return await reveal_hint(place, learner_id)


@router.get("/topics/{topic_id}/questions/{question_id}/feedback")
async def feedback(page: LatestFeedbackDep) -> schemas.Feedback:
    """The feedback on the learner's latest answer (404 until they have answered)."""
    if page is None:
        raise HTTPException(status_code=404, detail="not answered yet")
    return page


@router.get("/progress")
async def progress(page: ProgressPageDep) -> schemas.ProgressPage:
    """The learner's progress per topic and attempts, newest first."""
    return page


@router.get("/review")
async def review(page: ReviewPageDep) -> schemas.ReviewPage:
    """The questions due for review now (due <= now), oldest first, and when the next one is
    due (the review page)."""
    return page


@router.post(
    "/run",
    responses={
        **REFUSED,
        422: {"description": "Code over the size limit"},
        429: {
            "description": "Too many runs by this learner (or, anonymous, from this "
            "address); see Retry-After"
        },
        503: {"description": "Every worker busy, or runs turned off; see Retry-After"},
    },
)
async def run(body: RunRequest, live: LiveDep, learner_id: PostingLearner) -> schemas.RunPublic:
    """Run code in the sandbox with torch preloaded; the output is always plain text."""
    return run_public(await live.try_code(body.code, learner_id=learner_id))
