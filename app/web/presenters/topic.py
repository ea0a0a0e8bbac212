"""The topic page: a topic's lesson with the real output of its code, and its questions
marked by the learner's latest answers.

Runs in: the web process.
"""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from app.clock import utcnow
from app.content import Topic
from app.services.live_code import Outputs
from app.services.progress import progress_by_topic
from app.services.review_queue import due_count
from app.services.threads import in_thread
from app.web.deps import CatalogDep, LearnerDep, TopicDep
from app.web.presenters.common import lesson, neighbour, question_url, summary
from app.web.render_cache import RenderCache
from app.web.schemas import pages as schemas
from app.web.state import app_state


def topic_page_of(
    *,
    renders: RenderCache,
    engine: Engine,
    learner_id: str,
    topic: Topic,
    outputs: Outputs,
    now: datetime,
) -> schemas.TopicPage:
    """A topic's lesson and its questions, marked by the learner's latest answers."""
    catalog = renders.catalog
    progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)[topic.id]
    links = []
    for number, question in enumerate(topic.questions, start=1):
        mark = progress.latest.get(question.id)
        status = "unanswered" if mark is None else ("correct" if mark else "incorrect")
        links.append(
            schemas.QuestionLink(
                id=question.id, number=number, url=question_url(topic, question), status=status
            )
        )
    pending = next((link for link in links if link.status == "unanswered"), None)
    return schemas.TopicPage(
        topic=summary(renders, topic, progress),
        lesson=lesson(renders, topic, outputs),
        questions=links,
        next_question_url=(pending or links[0]).url,
        previous_topic=neighbour(catalog, topic, -1),
        next_topic=neighbour(catalog, topic, +1),
        reviews_due=due_count(engine=engine, learner_id=learner_id, catalog=catalog, now=now),
    )


async def topic_page(
    request: Request, learner_id: LearnerDep, catalog: CatalogDep, topic: TopicDep
) -> schemas.TopicPage:
    """A topic's lesson with the real output of its code, and its questions."""
    state = app_state(request.app)
    outputs = await state.live_code().outputs(topic.lesson_snippets)
    return await in_thread(
        topic_page_of,
        renders=state.render_cache(catalog),
        engine=state.engine,
        learner_id=learner_id,
        topic=topic,
        outputs=outputs,
        now=utcnow(),
    )


TopicPageDep = Annotated[schemas.TopicPage, Depends(topic_page)]
