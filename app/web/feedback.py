"""The feedback page's model: the verdict, what explains it, and the worked solution."""

from dataclasses import dataclass
from typing import Literal, overload

from app.services.answers import Answered
from app.services.progress import progress_by_topic
from app.services.review_queue import count_due, due_count
from app.store.models import utcnow
from app.web import schemas
from app.web.deps import QuestionPlace
from app.web.views import (
    neighbour,
    option_public,
    question_number,
    question_public,
    question_url,
    run_public,
    snippet_public,
    topic_ref,
)


@dataclass(frozen=True)
class Counts:
    """What the feedback shows from the learner's other answers."""

    score: schemas.ScorePublic | None  # after a topic's last question
    reviews_due: int  # besides this question


@overload
def counts(
    place: QuestionPlace, learner_id: str, answered: Answered, *, may_read: Literal[True] = True
) -> Counts: ...
@overload
def counts(
    place: QuestionPlace, learner_id: str, answered: Answered, *, may_read: bool
) -> Counts | None: ...
def counts(
    place: QuestionPlace, learner_id: str, answered: Answered, *, may_read: bool = True
) -> Counts | None:
    """The score (after a topic's last question) and the reviews due besides this question;
    None when that needs a database read and `may_read` is False (the caller then reads
    in a thread)."""
    catalog, topic, question = place.catalog, place.topic, place.question
    last = topic.next_question(question.id) is None
    if not may_read and (last or answered.due is None):
        return None
    score = None
    if last:
        done = progress_by_topic(engine=place.engine, learner_id=learner_id, catalog=catalog)
        score = schemas.ScorePublic(correct=done[topic.id].correct, total=done[topic.id].total)
    besides = (topic.id, question.id)
    if answered.due is not None:  # read with the answer when it was just stored
        due = count_due(answered.due, catalog, besides)
    else:
        now = utcnow()
        due = due_count(
            engine=place.engine, learner_id=learner_id, catalog=catalog, now=now, besides=besides
        )
    return Counts(score, due)


def feedback(place: QuestionPlace, answered: Answered, known: Counts) -> schemas.Feedback:
    """The verdict on an answer, with the worked solution, and the score after the last
    question (never reads the database: `known` was read by counts())."""
    catalog, topic, question = place.catalog, place.topic, place.question
    outputs = place.live.cached_outputs([question.code] if question.code else [])
    grade, explained = answered.grade, answered.explanation
    following = topic.next_question(question.id)
    return schemas.Feedback(
        correct=grade.correct,
        kind=question.kind,
        topic=topic_ref(topic),
        question=question_public(topic, question, outputs),
        number=question_number(topic, question),
        count=len(topic.questions),
        chosen=[option_public(o) for o in explained.chosen],
        missed=[option_public(o) for o in explained.missed],
        correct_options=[option_public(o) for o in explained.correct_options],
        misconceptions=[
            schemas.MisconceptionPublic(option_id=m.option_id, text=m.text, html=m.html)
            for m in explained.misconceptions
        ],
        reason=grade.reason,
        value=explained.value,
        expected=grade.expected,
        code=explained.code,
        run=run_public(grade.run) if grade.run else None,
        observed=grade.observed,
        hints_seen=answered.hints_seen,
        difference=grade.difference,
        solution=snippet_public(explained.solution, {}) if explained.solution else None,
        steps=[
            schemas.StepPublic(title=s.title, text=s.text, text_html=s.text_html)
            for s in question.steps
        ],
        answer=explained.final_answer,
        quick_check=question.quick_check,
        quick_check_html=question.quick_check_html,
        mistakes=list(question.mistakes),
        mistakes_html=list(question.mistakes_html),
        next_url=question_url(topic, following) if following else None,
        next_topic=neighbour(catalog, topic, +1) if following is None else None,
        score=known.score,
        reviews_due=known.reviews_due,
    )
