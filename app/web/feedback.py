"""The feedback page's model: the verdict, what explains it, and the worked solution."""

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


def feedback(place: QuestionPlace, learner_id: str, answered: Answered) -> schemas.Feedback:
    """The verdict on an answer, with the worked solution, and the score after the last question."""
    engine, catalog, topic, question = place.engine, place.catalog, place.topic, place.question
    outputs = place.live.cached_outputs([question.code] if question.code else [])
    grade, explained = answered.grade, answered.explanation
    following = topic.next_question(question.id)
    score = None
    if following is None:
        done = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)[topic.id]
        score = schemas.ScorePublic(correct=done.correct, total=done.total)
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
        score=score,
        reviews_due=_reviews_due(place, learner_id, answered),
    )


def _reviews_due(place: QuestionPlace, learner_id: str, answered: Answered) -> int:
    """Reviews due besides this question: read with the answer when it was just stored."""
    besides = (place.topic.id, place.question.id)
    if answered.due is not None:
        return count_due(answered.due, place.catalog, besides)
    now = utcnow()
    return due_count(
        engine=place.engine, learner_id=learner_id, catalog=place.catalog, now=now, besides=besides
    )


def reads_database(place: QuestionPlace, answered: Answered) -> bool:
    """Whether building the feedback reads the database: for the score after a topic's
    last question, or for the reviews due when they were not read with the answer."""
    return answered.due is None or place.topic.next_question(place.question.id) is None
