"""Build each page's public model from the catalog and the learner's progress."""

from collections.abc import Mapping

from sqlalchemy import Engine

from app.content import Catalog, Option, Question, Snippet, Topic
from app.sandbox import RunResult
from app.services.grading import Grade
from app.services.progress import TopicProgress, attempts_of, progress_by_topic
from app.web import schemas

Outputs = Mapping[str, RunResult]  # snippet id -> its real output


def topic_url(topic: Topic) -> str:
    return f"/topics/{topic.id}"


def question_url(topic: Topic, question: Question) -> str:
    return f"/topics/{topic.id}/questions/{question.id}"


def _topic_ref(topic: Topic) -> schemas.TopicRef:
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
    required = [catalog.topic(name) for name in topic.requires]
    return schemas.TopicSummary(
        id=topic.id,
        title=topic.title,
        url=topic_url(topic),
        summary=topic.summary,
        level=topic.level,
        tags=list(topic.tags),
        requires=[_topic_ref(t) for t in required if t is not None],
        question_count=len(topic.questions),
        progress=_progress(progress),
    )


def _option(option: Option) -> schemas.OptionPublic:
    return schemas.OptionPublic(id=option.id, text=option.text, text_html=option.text_html)


def run_public(result: RunResult) -> schemas.RunPublic:
    """The public shape of a run's result."""
    return schemas.RunPublic(
        status=result.status,
        stdout=result.stdout,
        stderr=result.stderr,
        truncated=result.truncated,
        duration_ms=round(result.duration_ms, 2),
        reason=result.reason,
    )


def _snippet(snippet: Snippet, outputs: Outputs) -> schemas.SnippetPublic:
    output = outputs.get(snippet.id)
    return schemas.SnippetPublic(
        id=snippet.id,
        code=snippet.code,
        code_html=snippet.code_html,
        output=run_public(output) if output else None,
    )


def _lesson(topic: Topic, outputs: Outputs) -> list[schemas.LessonPart]:
    return [
        schemas.LessonPart(snippet=_snippet(part, outputs))
        if isinstance(part, Snippet)
        else schemas.LessonPart(html=part)
        for part in topic.lesson_parts
    ]


def _question(topic: Topic, question: Question, outputs: Outputs) -> schemas.QuestionPublic:
    return schemas.QuestionPublic(
        id=question.id,
        kind=question.kind,
        prompt=question.prompt,
        prompt_html=question.prompt_html,
        code=_snippet(question.code, outputs) if question.code else None,
        options=[_option(o) for o in question.options],
        url=question_url(topic, question),
        answer_url=f"/api{question_url(topic, question)}/answer",
    )


def _number(topic: Topic, question: Question) -> int:
    return [q.id for q in topic.questions].index(question.id) + 1


def home_page(
    *, engine: Engine, learner_id: str, catalog: Catalog, show_errors: bool
) -> schemas.HomePage:
    """The topics in study order, each with the learner's progress."""
    progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)
    return schemas.HomePage(
        topics=[_summary(catalog, t, progress[t.id]) for t in catalog.topics],
        content_errors=[str(e) for e in catalog.errors] if show_errors else [],
    )


def topic_page(
    *, engine: Engine, learner_id: str, catalog: Catalog, topic: Topic, outputs: Outputs
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
    )


def question_page(*, topic: Topic, question: Question, outputs: Outputs) -> schemas.QuestionPage:
    """One question, with nothing that gives its answer away."""
    return schemas.QuestionPage(
        topic=_topic_ref(topic),
        question=_question(topic, question, outputs),
        number=_number(topic, question),
        count=len(topic.questions),
    )


def feedback(
    *,
    engine: Engine,
    learner_id: str,
    catalog: Catalog,
    topic: Topic,
    question: Question,
    grade: Grade,
    outputs: Outputs,
) -> schemas.Feedback:
    """The verdict on an answer, with the worked solution, and the score after the last question."""
    following = topic.next_question(question.id)
    score = None
    if following is None:
        progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)
        done = progress[topic.id]
        score = schemas.ScorePublic(correct=done.correct, total=done.total)
    right = question.correct_option
    misconception = grade.chosen.misconception_html if grade.chosen and not grade.correct else None
    return schemas.Feedback(
        correct=grade.correct,
        topic=_topic_ref(topic),
        question=_question(topic, question, outputs),
        number=_number(topic, question),
        count=len(topic.questions),
        chosen=_option(grade.chosen) if grade.chosen else None,
        correct_option=_option(right),
        misconception=grade.misconception,
        misconception_html=misconception,
        steps=[
            schemas.StepPublic(title=s.title, text=s.text, text_html=s.text_html)
            for s in question.steps
        ],
        answer=right.text,
        quick_check=question.quick_check,
        quick_check_html=question.quick_check_html,
        mistakes=list(question.mistakes),
        mistakes_html=list(question.mistakes_html),
        next_url=question_url(topic, following) if following else None,
        score=score,
    )


def progress_page(*, engine: Engine, learner_id: str, catalog: Catalog) -> schemas.ProgressPage:
    """Every topic's progress and the learner's attempts, newest first."""
    progress = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)
    return schemas.ProgressPage(
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
