"""Build each page's public model from the catalog and the learner's progress."""

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from app.content import (
    Catalog,
    CodeQuestion,
    Option,
    OptionsQuestion,
    PredictQuestion,
    Question,
    Snippet,
    Topic,
)
from app.services.activity import answers_per_day
from app.services.grades import RunSummary
from app.services.live_code import Outputs
from app.services.progress import TopicProgress, attempts_of, progress_by_topic
from app.services.review_queue import Schedule, ScheduledQuestion, due_count, schedule_of
from app.store.models import utcnow
from app.web import schemas
from app.web.per_object import PerObjectAnd


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


def _summary(catalog: Catalog, topic: Topic, progress: TopicProgress) -> schemas.TopicSummary:
    # Built once per topic and progress (frozen, so shared by every learner who has it):
    # a page then renders each card once too (app.web.templating.once).
    state = (progress.answered, progress.correct)
    return _SUMMARIES.get(topic, state, lambda: _built_summary(catalog, topic, progress))


# At most (questions + 1)(questions + 2) / 2 progress states per topic.
_SUMMARIES: PerObjectAnd[Topic, tuple[int, int], schemas.TopicSummary] = PerObjectAnd()


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


def _lesson(topic: Topic, outputs: Outputs) -> list[schemas.LessonPart]:
    """The lesson as learners see it (built once per topic and outputs shown)."""
    shown = tuple(outputs.get(snippet.id) for snippet in topic.lesson_snippets)
    return _LESSONS.get(
        topic,
        shown,
        lambda: [
            schemas.LessonPart(snippet=snippet_public(part, outputs))
            if isinstance(part, Snippet)
            else schemas.LessonPart(html=part)
            for part in topic.lesson_parts
        ],
    )


# Outputs shown change only while the warm-up runs.
_LESSONS: PerObjectAnd[Topic, tuple[RunSummary | None, ...], list[schemas.LessonPart]] = (
    PerObjectAnd(keep=8)
)


def question_public(topic: Topic, question: Question, outputs: Outputs) -> schemas.QuestionPublic:
    """The question as learners see it (built once per question and output shown)."""
    shown = outputs.get(question.code.id) if question.code else None
    return _QUESTIONS.get(question, shown, lambda: _question_public(topic, question, outputs))


# A variant's question is new each time: nothing piles up.
_QUESTIONS: PerObjectAnd[Question, RunSummary | None, schemas.QuestionPublic] = PerObjectAnd(keep=8)


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


ACTIVITY_DAYS = 84  # 12 weeks
FORECAST_DAYS = 30


def home_page(
    *, engine: Engine, learner_id: str, catalog: Catalog, show_errors: bool, now: datetime
) -> schemas.HomePage:
    """The topics in study order, grouped by level, with the learner's progress."""
    progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)
    summaries = [_summary(catalog, t, progress[t.id]) for t in catalog.topics]
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


def topic_page(
    *,
    engine: Engine,
    learner_id: str,
    catalog: Catalog,
    topic: Topic,
    outputs: Outputs,
    now: datetime,
) -> schemas.TopicPage:
    """A topic's lesson and its questions, marked by the learner's latest answers."""
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
        topic=_summary(catalog, topic, progress),
        lesson=_lesson(topic, outputs),
        questions=links,
        next_question_url=(pending or links[0]).url,
        previous_topic=neighbour(catalog, topic, -1),
        next_topic=neighbour(catalog, topic, +1),
        reviews_due=due_count(engine=engine, learner_id=learner_id, catalog=catalog, now=now),
    )


def neighbour(catalog: Catalog, topic: Topic, offset: int) -> schemas.TopicRef | None:
    position = catalog.topics.index(topic) + offset
    return topic_ref(catalog.topics[position]) if 0 <= position < len(catalog.topics) else None


def hints_public(topic: Topic, question: Question, revealed: int) -> schemas.HintsPublic:
    """The hints revealed so far, and where to ask for the next one."""
    shown = zip(question.hints[:revealed], question.hints_html[:revealed], strict=True)
    return schemas.HintsPublic(
        revealed=[schemas.HintPublic(text=text, html=html) for text, html in shown],
        total=len(question.hints),
        hint_url=f"/api{question_url(topic, question)}/hint" if question.hints else None,
    )


def question_page(
    *,
    topic: Topic,
    question: Question,
    outputs: Outputs,
    hints_revealed: int = 0,
    variant: int | None = None,
    reviews_due: int = 0,
) -> schemas.QuestionPage:
    """One question, with nothing that gives its answer away (but the hints asked for)."""
    if isinstance(question, PredictQuestion):
        outputs = {}  # its output is the answer
    return schemas.QuestionPage(
        topic=topic_ref(topic),
        question=question_public(topic, question, outputs),
        number=question_number(topic, question),
        count=len(topic.questions),
        hints=hints_public(topic, question, hints_revealed),
        variant=variant,
        shown_at=epoch_ms(utcnow()),
        idempotency_key=secrets.token_urlsafe(16),
        reviews_due=reviews_due,
    )


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


def progress_page(
    *, engine: Engine, learner_id: str, catalog: Catalog, now: datetime
) -> schemas.ProgressPage:
    """Every topic's progress and the learner's attempts, newest first, with the numbers of
    the charts: mastery per topic, answers per day, reviews due per day."""
    progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)
    schedule = schedule_of(engine=engine, learner_id=learner_id, catalog=catalog)
    today = now.date()
    first = today - timedelta(days=ACTIVITY_DAYS - 1)
    answers = answers_per_day(engine=engine, learner_id=learner_id, first=first, days=ACTIVITY_DAYS)
    return schemas.ProgressPage(
        mastery=[_mastery(schedule, topic, now) for topic in catalog.topics],
        activity=_days(first, answers),
        forecast=_days(today, schedule.forecast(today, FORECAST_DAYS)),
        topics=[_summary(catalog, t, progress[t.id]) for t in catalog.topics],
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


def review_page(
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
