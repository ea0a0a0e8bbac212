"""The review page: the questions due now, oldest first, the first of them ready to answer
(as its own page shows it: `learner_question()`), and when the next one is due.

Runs in: the web process.
"""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from app.clock import utcnow
from app.services.answering.learner_question import learner_question
from app.services.learning.review_queue import Schedule, ScheduledQuestion, schedule_of
from app.services.running.threads import in_thread
from app.web.deps import LearnerDep
from app.web.presenters.common import question_number, question_url
from app.web.presenters.question import question_page_of
from app.web.schemas import pages as schemas
from app.web.state import app_state


def due_question(scheduled: ScheduledQuestion) -> schemas.DueQuestion:
    topic, question = scheduled.topic, scheduled.question
    return schemas.DueQuestion(
        topic_id=topic.id,
        question_id=question.id,
        url=question_url(topic, question),
        due=scheduled.due,
        topic_title=topic.title,
        number=question_number(topic, question),
    )


def review_page_of(
    *, schedule: Schedule, now: datetime, current: schemas.QuestionPage | None
) -> schemas.ReviewPage:
    """The questions due now, oldest first, the first of them to answer, and what comes next."""
    due = schedule.due(now)
    return schemas.ReviewPage(
        due_count=len(due),
        due=[due_question(q) for q in due],
        next_due=schedule.next_due(now),
        current=current,
    )


async def review_page(request: Request, learner_id: LearnerDep) -> schemas.ReviewPage:
    """The questions due for review now, oldest first, the first one ready to answer, and
    when the next one is due."""
    state = app_state(request.app)
    course = state.course()
    now = utcnow()
    schedule = await in_thread(
        schedule_of, engine=course.engine, learner_id=learner_id, catalog=course.catalog
    )
    due = schedule.due(now)
    current = None
    if due:
        first = due[0]
        seen = await learner_question(course, learner_id, first.topic, first.question)
        current = question_page_of(state.render_cache(course.catalog), seen)
    return review_page_of(schedule=schedule, now=now, current=current)


ReviewPageDep = Annotated[schemas.ReviewPage, Depends(review_page)]
