"""The HTML pages; each renders the same page model its JSON twin under /api returns."""

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.services.answering.grading import form_answer
from app.services.refusals import Refused
from app.web import charts
from app.web.deps import LiveDep, QuestionDep, QuestionPlaceDep, TopicDep, learner_from_form
from app.web.presenters.common import question_url, run_public
from app.web.presenters.feedback import LatestFeedbackDep
from app.web.presenters.home import HomePageDep
from app.web.presenters.progress import ProgressPageDep
from app.web.presenters.question import (
    QuestionPageDep,
    Submission,
    question_again,
    reveal_hint,
    submit,
)
from app.web.presenters.review import ReviewPageDep
from app.web.presenters.topic import TopicPageDep
from app.web.refusals import as_http
from app.web.schemas.requests import BACK_MAX, CHOICE_MAX, CODE_MAX, KEY_MAX, VALUE_MAX
from app.web.templating import render

router = APIRouter(include_in_schema=False)
FormLearner = Annotated[str, Depends(learner_from_form)]


@dataclass(frozen=True)
class FilledIn:
    """An answer form's fields as the learner filled them in (shown again on a refusal)."""

    choice: str | None
    choices: list[str] | None
    value: str | None
    code: str | None


async def filled_in(
    choice: Annotated[str | None, Form(max_length=CHOICE_MAX)] = None,
    choices: Annotated[list[str] | None, Form()] = None,
    value: Annotated[str | None, Form(max_length=VALUE_MAX)] = None,
    code: Annotated[str | None, Form(max_length=CODE_MAX)] = None,
) -> FilledIn:
    """The answer fields of a posted question form (the answer and the hint buttons)."""
    return FilledIn(choice, choices, value, code)


FilledInDep = Annotated[FilledIn, Depends(filled_in)]


@router.get("/")
async def home(request: Request, page: HomePageDep) -> Response:
    """The topics, in study order, with the learner's progress."""
    started = any(topic.progress.answered for topic in page.topics)
    context = {"page": page, "started": started}
    return await render(request, "home.html", context, reviews_due=page.reviews_due)


@router.get("/topics/{topic_id}")
async def topic(request: Request, page: TopicPageDep) -> Response:
    """A topic's lesson, with the real output of its code, and its questions."""
    return await render(request, "topic.html", {"page": page}, reviews_due=page.reviews_due)


@router.get("/topics/{topic_id}/questions/{question_id}")
async def question(request: Request, page: QuestionPageDep) -> Response:
    """One question, as a form, with its code's real output."""
    context = {"page": page, "error": None, "given": None}
    return await render(request, "question.html", context, reviews_due=page.reviews_due)


@router.post("/topics/{topic_id}/questions/{question_id}")
async def answer(
    request: Request,
    place: QuestionPlaceDep,
    learner_id: FormLearner,
    fields: FilledInDep,
    idempotency_key: Annotated[str | None, Form(max_length=KEY_MAX)] = None,
    shown_at: Annotated[int | None, Form(ge=0)] = None,
    review: Annotated[bool, Form()] = False,
    variant: Annotated[int | None, Form(ge=0)] = None,
) -> Response:
    """Grade the submitted form, then show the feedback page (303); a second click on the
    same form is recorded once; answered from the review page, the feedback leads on to
    the next review."""
    topic, question = place.topic, place.question
    try:
        given = form_answer(question, **asdict(fields))
        await submit(place, learner_id, Submission(given, idempotency_key, shown_at, variant))
    except Refused as error:
        # The same form again, as it was filled in, with what to do.
        page = await question_again(place, learner_id)
        context = {"page": page, "given": fields, "review": review}
        return await _refused(request, "question.html", context, error)
    after = "?review=1" if review else ""
    return RedirectResponse(f"{question_url(topic, question)}/feedback{after}", status_code=303)


@router.post("/topics/{topic_id}/questions/{question_id}/hint")
async def hint(
    request: Request,
    place: QuestionPlaceDep,
    learner_id: FormLearner,
    fields: FilledInDep,
    review: Annotated[bool, Form()] = False,
) -> Response:
    """Reveal the next hint without JavaScript: the question again, as it was filled in,
    with one more hint shown (still answered as a review, when it came from the review)."""
    context = {"given": fields, "error": None, "review": review}
    try:
        await reveal_hint(place, learner_id)
    except Refused as error:
        page = await question_again(place, learner_id)
        return await _refused(request, "question.html", context | {"page": page}, error)
    page = await question_again(place, learner_id)
    return await render(request, "question.html", context | {"page": page})


@router.get("/topics/{topic_id}/questions/{question_id}/feedback")
async def feedback(
    request: Request,
    page: LatestFeedbackDep,
    topic: TopicDep,
    question: QuestionDep,
    review: bool = False,
) -> Response:
    """Right or wrong, why, and the worked solution for the learner's latest answer; with
    `review`, it leads on to the next review rather than the next question."""
    if page is None:
        return RedirectResponse(question_url(topic, question), status_code=303)
    return await render(request, "feedback.html", {"page": page, "review": review})


@router.get("/progress")
async def progress(request: Request, page: ProgressPageDep) -> Response:
    """The learner's progress in every topic, as pictures and numbers, and their recent answers."""
    pictures = {
        "mastery": charts.mastery_chart(page.mastery),
        "activity": charts.activity_chart(page.activity),
        "forecast": charts.forecast_chart(page.forecast),
    }
    return await render(request, "progress.html", {"page": page, "charts": pictures})


@router.get("/review")
async def review(request: Request, page: ReviewPageDep) -> Response:
    """The questions due for review, the first one ready to answer; or when the next is due."""
    context = {"page": page, "error": None, "given": None, "review": True}
    return await render(request, "review.html", context)


async def _refused(
    request: Request, name: str, context: dict[str, object], error: Refused
) -> Response:
    """The form page again, with the refusal's message and status (and Retry-After)."""
    refusal = as_http(error)
    page = await render(
        request, name, context | {"error": refusal.message}, status_code=refusal.status
    )
    page.headers.update(refusal.headers)
    return page


def _local_path(url: str | None) -> str | None:
    # Only same-site paths: a crafted form must not turn the back link into an open redirect.
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


@router.post("/run")
async def run(
    request: Request,
    live: LiveDep,
    learner_id: FormLearner,
    code: Annotated[str, Form(max_length=CODE_MAX)] = "",
    back: Annotated[str | None, Form(max_length=BACK_MAX)] = None,
) -> Response:
    """Run edited code without JavaScript: a page with the editor and the output."""
    context: dict[str, object] = {"code": code, "back": _local_path(back)}
    try:
        result = await live.try_code(code, learner_id=learner_id)
    except Refused as error:
        return await _refused(request, "run.html", context | {"run": None}, error)
    context |= {"run": run_public(result), "error": None}
    return await render(request, "run.html", context)
