"""The Authors area's statistics: per question, from first attempts (one topic or all).

Runs in: the web process.
"""

from typing import Annotated

from fastapi import Depends, HTTPException, Query

from app.services.authoring.statistics import TopicStats, catalog_stats
from app.services.running.threads import in_thread
from app.web.deps import CatalogDep, EngineDep

TopicQuery = Annotated[str | None, Query(max_length=80, description="One topic id; all if unset.")]


async def topic_stats(
    engine: EngineDep, catalog: CatalogDep, topic: TopicQuery = None
) -> list[TopicStats]:
    """The statistics of one topic (404 when unknown), or of every topic."""
    if topic is not None and catalog.topic(topic) is None:
        raise HTTPException(status_code=404, detail=f"no topic {topic!r}")
    return await in_thread(catalog_stats, engine=engine, catalog=catalog, topic_id=topic)


StatsDep = Annotated[list[TopicStats], Depends(topic_stats)]
