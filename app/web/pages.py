"""The HTML pages; each calls the same view as its JSON twin under /api."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.services.grading import InvalidAnswer
from app.services.progress import answer_choice, latest_answer
from app.web import views
from app.web.deps import (
    CatalogDep,
    CsrfTokenDep,
    EngineDep,
    LearnerDep,
    QuestionDep,
    SettingsDep,
    TopicDep,
    learner_from_form,
)
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
def topic(
    request: Request,
    engine: EngineDep,
    learner_id: LearnerDep,
    catalog: CatalogDep,
    topic: TopicDep,
) -> Response:
    """A topic's lesson and its questions."""
    page = views.topic_page(engine=engine, learner_id=learner_id, catalog=catalog, topic=topic)
    return render(request, "topic.html", {"page": page})


@router.get("/topics/{topic_id}/questions/{question_id}")
def question(
    request: Request, csrf: CsrfTokenDep, topic: TopicDep, question: QuestionDep
) -> Response:
    """One question, as a form."""
    page = views.question_page(topic=topic, question=question)
    return render(request, "question.html", {"page": page, "csrf_token": csrf, "error": None})


@router.post("/topics/{topic_id}/questions/{question_id}")
def answer(
    request: Request,
    engine: EngineDep,
    topic: TopicDep,
    question: QuestionDep,
    learner_id: Annotated[str, Depends(learner_from_form)],
    csrf: CsrfTokenDep,
    choice: Annotated[str | None, Form(max_length=80)] = None,
) -> Response:
    """Grade the submitted form, then show the feedback page (303)."""
    try:
        if not choice:
            raise InvalidAnswer("pick one of the options, then press Check")
        answer_choice(
            engine=engine, learner_id=learner_id, topic=topic, question=question, choice=choice
        )
    except InvalidAnswer as error:
        page = views.question_page(topic=topic, question=question)
        context = {"page": page, "csrf_token": csrf, "error": str(error)}
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
) -> Response:
    """Right or wrong, why, and the worked solution for the learner's latest answer."""
    latest = latest_answer(engine=engine, learner_id=learner_id, topic=topic, question=question)
    if latest is None:
        return RedirectResponse(views.question_url(topic, question), status_code=303)
    page = views.feedback(
        engine=engine,
        learner_id=learner_id,
        catalog=catalog,
        topic=topic,
        question=question,
        grade=latest[0],
    )
    return render(request, "feedback.html", {"page": page})


@router.get("/progress")
def progress(
    request: Request, engine: EngineDep, learner_id: LearnerDep, catalog: CatalogDep
) -> Response:
    """The learner's progress in every topic and their recent answers."""
    page = views.progress_page(engine=engine, learner_id=learner_id, catalog=catalog)
    return render(request, "progress.html", {"page": page})
