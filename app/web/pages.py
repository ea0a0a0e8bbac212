"""The HTML pages; each calls the same view as its JSON twin under /api."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from app.services.grading import Answer
from app.services.progress import latest_answer
from app.web import views
from app.web.deps import (
    CatalogDep,
    CsrfTokenDep,
    EngineDep,
    LearnerDep,
    LiveDep,
    QuestionDep,
    SettingsDep,
    TopicDep,
    learner_from_form,
)
from app.web.feedback import feedback as feedback_page
from app.web.running import answer_question, run_or_http_error, snippets_of
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(
    request: Request,
    engine: EngineDep,
    learner_id: LearnerDep,
    catalog: CatalogDep,
    settings: SettingsDep,
) -> Response:
    """The topics, in study order, with the learner's progress."""
    page = views.home_page(
        engine=engine, learner_id=learner_id, catalog=catalog, show_errors=settings.dev
    )
    return render(request, "home.html", {"page": page})


@router.get("/topics/{topic_id}")
async def topic(
    request: Request,
    engine: EngineDep,
    learner_id: LearnerDep,
    catalog: CatalogDep,
    topic: TopicDep,
    live: LiveDep,
    csrf: CsrfTokenDep,
) -> Response:
    """A topic's lesson, with the real output of its code, and its questions."""
    outputs = await live.outputs(topic.lesson_snippets)
    page = await run_in_threadpool(
        views.topic_page,
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        outputs=outputs,
    )
    return render(request, "topic.html", {"page": page, "csrf_token": csrf, "live": live.enabled})


@router.get("/topics/{topic_id}/questions/{question_id}")
async def question(
    request: Request, csrf: CsrfTokenDep, topic: TopicDep, question: QuestionDep, live: LiveDep
) -> Response:
    """One question, as a form, with its code's real output."""
    outputs = await live.outputs(snippets_of(question))
    page = views.question_page(topic=topic, question=question, outputs=outputs)
    context = {"page": page, "csrf_token": csrf, "error": None, "live": live.enabled, "given": None}
    return render(request, "question.html", context)


@router.post("/topics/{topic_id}/questions/{question_id}")
async def answer(
    request: Request,
    engine: EngineDep,
    topic: TopicDep,
    question: QuestionDep,
    learner_id: Annotated[str, Depends(learner_from_form)],
    csrf: CsrfTokenDep,
    live: LiveDep,
    choice: Annotated[str | None, Form(max_length=80)] = None,
    choices: Annotated[list[str] | None, Form()] = None,
    value: Annotated[str | None, Form(max_length=10_000)] = None,
    code: Annotated[str | None, Form(max_length=1_000_000)] = None,
) -> Response:
    """Grade the submitted form, then show the feedback page (303)."""
    given = Answer(
        choice=choice,
        # An unticked set of checkboxes sends nothing: that is the empty answer.
        choices=tuple(choices or ()) if question.kind == "multi" else None,
        value=value,
        code=code,
    )
    if question.kind == "choice" and not choice:
        error: str | None = "pick one of the options, then press Check"
    else:
        error = None
        try:
            await answer_question(
                live=live,
                engine=engine,
                learner_id=learner_id,
                topic=topic,
                question=question,
                answer=given,
            )
        except HTTPException as refused:
            if refused.status_code == 403:
                raise
            error = str(refused.detail)
    if error is not None:
        outputs = live.cached_outputs(snippets_of(question))
        page = views.question_page(topic=topic, question=question, outputs=outputs)
        context = {
            "page": page,
            "csrf_token": csrf,
            "error": error,
            "live": live.enabled,
            "given": given,
        }
        return render(request, "question.html", context, status_code=422)
    return RedirectResponse(f"{views.question_url(topic, question)}/feedback", status_code=303)


@router.get("/topics/{topic_id}/questions/{question_id}/feedback")
def feedback(
    request: Request,
    engine: EngineDep,
    learner_id: LearnerDep,
    catalog: CatalogDep,
    topic: TopicDep,
    question: QuestionDep,
    live: LiveDep,
    csrf: CsrfTokenDep,
) -> Response:
    """Right or wrong, why, and the worked solution for the learner's latest answer."""
    latest = latest_answer(engine=engine, learner_id=learner_id, topic=topic, question=question)
    if latest is None:
        return RedirectResponse(views.question_url(topic, question), status_code=303)
    given, verdict = latest
    page = feedback_page(
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        question=question,
        answer=given,
        grade=verdict,
        outputs=live.cached_outputs(snippets_of(question)),
    )
    context = {"page": page, "csrf_token": csrf, "live": live.enabled}
    return render(request, "feedback.html", context)


@router.get("/progress")
def progress(
    request: Request, engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep
) -> Response:
    """The learner's progress in every topic and their recent answers."""
    page = views.progress_page(engine=engine, learner_id=learner_id, catalog=catalog)
    return render(request, "progress.html", {"page": page})


def _local_path(url: str | None) -> str | None:
    # Only same-site paths: a crafted form must not turn the back link into an open redirect.
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


@router.post("/run")
async def run(
    request: Request,
    live: LiveDep,
    learner_id: Annotated[str, Depends(learner_from_form)],
    csrf: CsrfTokenDep,
    code: Annotated[str, Form(max_length=1_000_000)] = "",
    back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Run edited code without JavaScript: a page with the editor and the output."""
    context: dict[str, object] = {"code": code, "back": _local_path(back), "csrf_token": csrf}
    try:
        result = await run_or_http_error(live, code, learner_id=learner_id)
    except HTTPException as error:
        context |= {"run": None, "error": error.detail}
        return render(request, "run.html", context, status_code=error.status_code)
    context |= {"run": views.run_public(result), "error": None}
    return render(request, "run.html", context)
