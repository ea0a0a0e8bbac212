"""The public shapes every page builds from catalog objects: links, summaries, questions,
snippets, runs. The shared ones are kept in the render cache (web/render_cache.py).

Runs in: the web process.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from app.clock import utcnow
from app.content import (
    Catalog,
    CodeQuestion,
    Option,
    OptionsQuestion,
    Question,
    Snippet,
    Topic,
)
from app.services.answering.grades import RunSummary
from app.services.learning.progress import TopicProgress
from app.services.running.live_code import Outputs
from app.web.deps import LearnerDep
from app.web.render_cache import RenderCache
from app.web.schemas import pages as schemas
from app.web.state import app_state


@dataclass(frozen=True)
class LearnerRead:
    """What a page reads for one learner: the render cache (and its catalog), the
    database, who, and when."""

    renders: RenderCache
    engine: Engine
    learner_id: str
    now: datetime


async def learner_read(request: Request, learner_id: LearnerDep) -> LearnerRead:
    """The learner's read of the catalog served now."""
    state = app_state(request.app)
    return LearnerRead(state.render_cache(), state.engine, learner_id, utcnow())


LearnerReadDep = Annotated[LearnerRead, Depends(learner_read)]


def topic_url(topic: Topic) -> str:
    return f"/topics/{topic.id}"


def question_url(topic: Topic, question: Question) -> str:
    return f"/topics/{topic.id}/questions/{question.id}"


def topic_ref(topic: Topic) -> schemas.TopicRef:
    return schemas.TopicRef(id=topic.id, title=topic.title, url=topic_url(topic))


def _progress(progress: TopicProgress) -> schemas.ProgressPublic:
    return schemas.ProgressPublic(
        answered=progress.answered,
        correct=progress.correct,
        total=progress.total,
        percent=progress.percent,
        done=progress.done,
    )


def summary(renders: RenderCache, topic: Topic, progress: TopicProgress) -> schemas.TopicSummary:
    """A topic's card: built once per topic and progress in it (frozen, so shared by every
    learner who has that progress); a page then renders each card once too (`once`)."""
    key = ("summary", topic.id, progress.answered, progress.correct)
    return renders.get(key, lambda: _built_summary(renders.catalog, topic, progress))


def _built_summary(catalog: Catalog, topic: Topic, progress: TopicProgress) -> schemas.TopicSummary:
    required = [catalog.topic(name) for name in topic.requires]
    return schemas.TopicSummary(
        id=topic.id,
        title=topic.title,
        url=topic_url(topic),
        step=catalog.topics.index(topic) + 1,
        summary=topic.summary,
        level=topic.level,
        tags=list(topic.tags),
        requires=[topic_ref(t) for t in required if t is not None],
        question_count=len(topic.questions),
        progress=_progress(progress),
    )


def option_public(option: Option) -> schemas.OptionPublic:
    return schemas.OptionPublic(id=option.id, text=option.text, text_html=option.text_html)


def run_public(result: RunSummary) -> schemas.RunPublic:
    """The public shape of a run's result."""
    return schemas.RunPublic(
        status=result.status,
        stdout=result.stdout,
        stderr=result.stderr,
        truncated=result.truncated,
        duration_ms=round(result.duration_ms, 2),
        reason=result.reason,
    )


def snippet_public(snippet: Snippet, outputs: Outputs) -> schemas.SnippetPublic:
    output = outputs.get(snippet.id)
    return schemas.SnippetPublic(
        id=snippet.id,
        code=snippet.code,
        code_html=snippet.code_html,
        output=run_public(output) if output else None,
    )


def lesson(renders: RenderCache, topic: Topic, outputs: Outputs) -> list[schemas.LessonPart]:
    """The lesson as learners see it (built once per topic and outputs shown)."""
    shown = tuple(outputs.get(snippet.id) for snippet in topic.lesson_snippets)
    return renders.get(
        ("lesson", topic.id, shown),
        lambda: [
            schemas.LessonPart(snippet=snippet_public(part, outputs))
            if isinstance(part, Snippet)
            else schemas.LessonPart(html=part)
            for part in topic.lesson_parts
        ],
    )


def question_public(
    renders: RenderCache, topic: Topic, question: Question, outputs: Outputs
) -> schemas.QuestionPublic:
    """The question as learners see it (built once per question and output shown; a
    variant's each time: its text is the learner's)."""
    if question.params is not None:
        return _question_public(topic, question, outputs)
    shown = outputs.get(question.code.id) if question.code else None
    key = ("question", topic.id, question.id, shown)
    return renders.get(key, lambda: _question_public(topic, question, outputs))


def _question_public(topic: Topic, question: Question, outputs: Outputs) -> schemas.QuestionPublic:
    return schemas.QuestionPublic(
        id=question.id,
        kind=question.kind,
        prompt=question.prompt,
        prompt_html=question.prompt_html,
        code=snippet_public(question.code, outputs) if question.code else None,
        options=[option_public(o) for o in question.options]
        if isinstance(question, OptionsQuestion)
        else [],
        starter=question.starter if isinstance(question, CodeQuestion) else None,
        url=question_url(topic, question),
        answer_url=f"/api{question_url(topic, question)}/answer",
    )


def question_number(topic: Topic, question: Question) -> int:
    return [q.id for q in topic.questions].index(question.id) + 1


def neighbour(catalog: Catalog, topic: Topic, offset: int) -> schemas.TopicRef | None:
    position = catalog.topics.index(topic) + offset
    return topic_ref(catalog.topics[position]) if 0 <= position < len(catalog.topics) else None


def epoch_ms(moment: datetime) -> int:
    """A moment as milliseconds since the epoch (what pages hand to clients)."""
    return round(moment.timestamp() * 1000)


def from_epoch_ms(value: int | None) -> datetime | None:
    """The moment a client handed back, or None when there is none or it is nonsense."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
