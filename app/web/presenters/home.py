"""The home page: every topic in study order, grouped by level, with the learner's progress.

Runs in: the web process.
"""

from typing import Annotated

from fastapi import Depends

from app.services.learning.progress import progress_by_topic
from app.services.learning.review_queue import due_count
from app.services.running.threads import in_thread
from app.web.deps import SettingsDep
from app.web.presenters.common import LearnerRead, LearnerReadDep, summary, topic_ref
from app.web.schemas import pages as schemas


def home_page_of(read: LearnerRead, *, show_errors: bool) -> schemas.HomePage:
    """The topics in study order, grouped by level, with the learner's progress."""
    renders, engine, learner_id, now = read.renders, read.engine, read.learner_id, read.now
    catalog = renders.catalog
    progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)
    summaries = [summary(renders, t, progress[t.id]) for t in catalog.topics]
    levels = [
        schemas.LevelGroup(level=level, topics=[s for s in summaries if s.level == level])
        for level in dict.fromkeys(s.level for s in summaries)
    ]
    done = {t.id for t in catalog.topics if progress[t.id].done}
    ready = [t for t in catalog.topics if t.id not in done and all(r in done for r in t.requires)]
    unfinished = ready or [t for t in catalog.topics if t.id not in done]
    return schemas.HomePage(
        topics=summaries,
        levels=levels,
        next_topic=topic_ref(unfinished[0]) if unfinished else None,
        content_errors=[str(e) for e in catalog.errors] if show_errors else [],
        reviews_due=due_count(engine=engine, learner_id=learner_id, catalog=catalog, now=now),
    )


async def home_page(read: LearnerReadDep, settings: SettingsDep) -> schemas.HomePage:
    """Every topic in study order, with the learner's progress."""
    return await in_thread(home_page_of, read, show_errors=settings.dev)


HomePageDep = Annotated[schemas.HomePage, Depends(home_page)]
