"""The progress page: every topic's progress, the numbers of its three charts (mastery per
topic, answers per day, reviews due per day) and the learner's attempts, newest first.

Runs in: the web process.
"""

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import Depends

from app.content import Topic
from app.services.learning.activity import answers_per_day
from app.services.learning.progress import attempts_of, progress_by_topic
from app.services.learning.review_queue import Schedule, schedule_of
from app.services.running.threads import in_thread
from app.web.presenters.common import LearnerRead, LearnerReadDep, summary
from app.web.schemas import pages as schemas

ACTIVITY_DAYS = 84  # 12 weeks
FORECAST_DAYS = 30


def progress_page_of(read: LearnerRead) -> schemas.ProgressPage:
    """Every topic's progress and the learner's attempts, newest first, with the numbers of
    the charts: mastery per topic, answers per day, reviews due per day."""
    renders, engine, learner_id, now = read.renders, read.engine, read.learner_id, read.now
    catalog = renders.catalog
    progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)
    schedule = schedule_of(engine=engine, learner_id=learner_id, catalog=catalog)
    today = now.date()
    first = today - timedelta(days=ACTIVITY_DAYS - 1)
    answers = answers_per_day(engine=engine, learner_id=learner_id, first=first, days=ACTIVITY_DAYS)
    return schemas.ProgressPage(
        mastery=[_mastery(schedule, topic, now) for topic in catalog.topics],
        activity=_days(first, answers),
        forecast=_days(today, schedule.forecast(today, FORECAST_DAYS)),
        topics=[summary(renders, t, progress[t.id]) for t in catalog.topics],
        attempts=[
            schemas.AttemptPublic(
                topic_id=a.topic_id,
                question_id=a.question_id,
                answer=a.answer,
                correct=a.correct,
                created_at=a.created_at,
            )
            for a in attempts_of(engine=engine, learner_id=learner_id)
        ],
    )


def _mastery(schedule: Schedule, topic: Topic, now: datetime) -> schemas.TopicMastery:
    mastered, total = schedule.mastered(topic, now), len(topic.questions)
    return schemas.TopicMastery(
        topic_id=topic.id,
        title=topic.title,
        mastered=mastered,
        total=total,
        share=mastered / total if total else 0.0,
    )


def _days(first: date, counts: list[int]) -> list[schemas.DayCount]:
    return [
        schemas.DayCount(day=first + timedelta(days=offset), count=count)
        for offset, count in enumerate(counts)
    ]


async def progress_page(read: LearnerReadDep) -> schemas.ProgressPage:
    """The learner's progress per topic, the numbers of its charts, and attempts, newest first."""
    return await in_thread(progress_page_of, read)


ProgressPageDep = Annotated[schemas.ProgressPage, Depends(progress_page)]
