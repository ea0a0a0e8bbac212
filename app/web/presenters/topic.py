"""The topic page: a topic's lesson with the real output of its code, and its questions
marked by the learner's latest answers.

Runs in: the web process.
"""

from typing import Annotated

from fastapi import Depends

from app.content import Topic
from app.services.learning.progress import progress_by_topic
from app.services.learning.review_queue import due_count
from app.services.running.live_code import Outputs
from app.services.running.threads import in_thread
from app.web.deps import LiveDep, TopicDep
from app.web.presenters.common import (
    LearnerRead,
    LearnerReadDep,
    lesson,
    neighbour,
    question_url,
    summary,
)
from app.web.schemas import pages as schemas


def topic_page_of(read: LearnerRead, topic: Topic, outputs: Outputs) -> schemas.TopicPage:
    """A topic's lesson and its questions, marked by the learner's latest answers."""
    renders, engine, learner_id, now = read.renders, read.engine, read.learner_id, read.now
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


async def topic_page(read: LearnerReadDep, topic: TopicDep, live: LiveDep) -> schemas.TopicPage:
    """A topic's lesson with the real output of its code, and its questions."""
    outputs = await live.outputs(topic.lesson_snippets)
    return await in_thread(topic_page_of, read, topic, outputs)


TopicPageDep = Annotated[schemas.TopicPage, Depends(topic_page)]
