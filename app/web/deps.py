"""Dependencies routes declare: settings, engine, catalog, the current learner, CSRF checks."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Header, HTTPException, Request
from sqlalchemy import Engine

from app.config import Settings
from app.content import Catalog, Question, Topic
from app.services.answering.learner_question import Course
from app.services.running.live_code import LiveCode
from app.services.running.run_budget import Requester, act_for
from app.web.client_address import client_address
from app.web.csrf import csrf_token, csrf_valid
from app.web.identity import Visitor, visitor_of
from app.web.render_cache import RenderCache
from app.web.state import app_state


# Each reads the app's state itself: a level of dependencies costs FastAPI's solving.
async def get_settings(request: Request) -> Settings:
    return app_state(request.app).settings


async def get_engine(request: Request) -> Engine:
    return app_state(request.app).engine


async def get_catalog(request: Request) -> Catalog:
    return app_state(request.app).catalog()


async def get_live(request: Request) -> LiveCode:
    return app_state(request.app).live_code()


SettingsDep = Annotated[Settings, Depends(get_settings)]
LiveDep = Annotated[LiveCode, Depends(get_live)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
EngineDep = Annotated[Engine, Depends(get_engine)]


async def get_visitor(request: Request) -> Visitor:
    """Who is asking: an account or an anonymous visitor (never a database write)."""
    visitor = await visitor_of(request, app_state(request.app).engine)
    request.state.visitor = visitor  # the navigation shows it on every page
    # Every run this request starts, however deep, is counted against this visitor.
    # The address as the login throttle sees it (X-Forwarded-For only from trusted proxies).
    address = client_address(request)
    act_for(Requester(visitor.learner_id, address, anonymous=not visitor.signed_in))
    return visitor


VisitorDep = Annotated[Visitor, Depends(get_visitor)]


async def _visitor(request: Request) -> Visitor:
    # The visitor another dependency of this request resolved already: each level of
    # dependencies costs FastAPI's solving on every request.
    known: Visitor | None = getattr(request.state, "visitor", None)
    return known if known is not None else await get_visitor(request)


async def get_learner_id(request: Request) -> str:
    """The current learner's id (stored only once they answer or sign up)."""
    return (await _visitor(request)).learner_id


LearnerDep = Annotated[str, Depends(get_learner_id)]


async def get_csrf_token(request: Request) -> str:
    visitor = await _visitor(request)
    return csrf_token(app_state(request.app).secret, visitor.csrf_subject)


CsrfTokenDep = Annotated[str, Depends(get_csrf_token)]

_REFUSED = (
    "missing or invalid CSRF token: reload the page (or GET /api/session) and send the "
    "token it gives"
)


async def _posting_visitor(request: Request, token: str | None) -> Visitor:
    # Without a cookie no token was ever issued: refused before anything is stored.
    if not request.session:
        raise HTTPException(status_code=403, detail=_REFUSED)
    visitor = await get_visitor(request)
    if not csrf_valid(app_state(request.app).secret, visitor.csrf_subject, token):
        raise HTTPException(status_code=403, detail=_REFUSED)
    return visitor


async def visitor_from_header(
    request: Request, x_csrf_token: Annotated[str | None, Header()] = None
) -> Visitor:
    """The visitor posting JSON, once its X-CSRF-Token header checks out."""
    return await _posting_visitor(request, x_csrf_token)


async def visitor_from_form(
    request: Request, csrf_token: Annotated[str | None, Form()] = None
) -> Visitor:
    """The visitor posting a form, once its csrf_token field checks out."""
    return await _posting_visitor(request, csrf_token)


async def learner_from_header(visitor: Annotated[Visitor, Depends(visitor_from_header)]) -> str:
    """The learner posting JSON, once its X-CSRF-Token header checks out."""
    return visitor.learner_id


async def learner_from_form(visitor: Annotated[Visitor, Depends(visitor_from_form)]) -> str:
    """The learner posting a form, once its csrf_token field checks out."""
    return visitor.learner_id


PostingVisitor = Annotated[Visitor, Depends(visitor_from_header)]
FormVisitor = Annotated[Visitor, Depends(visitor_from_form)]


def _topic(catalog: Catalog, topic_id: str) -> Topic:
    topic = catalog.topic(topic_id)
    if topic is None:
        raise HTTPException(status_code=404, detail=f"no topic {topic_id!r}")
    return topic


def _question(topic: Topic, question_id: str) -> Question:
    question = topic.question(question_id)
    if question is None:
        raise HTTPException(
            status_code=404, detail=f"no question {question_id!r} in topic {topic.id!r}"
        )
    return question


async def find_topic(topic_id: str, catalog: CatalogDep) -> Topic:
    """The topic named in the path, or 404."""
    return _topic(catalog, topic_id)


TopicDep = Annotated[Topic, Depends(find_topic)]


async def find_question(question_id: str, topic: TopicDep) -> Question:
    """The question named in the path, or 404."""
    return _question(topic, question_id)


QuestionDep = Annotated[Question, Depends(find_question)]


@dataclass(frozen=True)
class QuestionPlace:
    """The question in the path, with what services answer and explain it with."""

    course: Course
    renders: RenderCache  # of the course's catalog
    topic: Topic
    question: Question  # as authored: learner_question() makes the learner's variant


async def question_place(request: Request, topic_id: str, question_id: str) -> QuestionPlace:
    """The question in the path (or 404), with the course around it. One dependency, not
    one per part: each costs FastAPI's solving on every answer."""
    state = app_state(request.app)
    course = state.course()
    topic = _topic(course.catalog, topic_id)
    renders = state.render_cache(course.catalog)
    return QuestionPlace(course, renders, topic, _question(topic, question_id))


QuestionPlaceDep = Annotated[QuestionPlace, Depends(question_place)]
