"""The feedback page: the verdict on the learner's latest answer, what explains it, the
worked solution, and the question as they answered it (their variant, from
`learner_question()`).

Runs in: the web process.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.clock import utcnow
from app.services.answering.answers import Answered, latest_answered
from app.services.answering.learner_question import Course, LearnerQuestion, learner_question
from app.services.learning.progress import progress_by_topic
from app.services.learning.review_queue import count_due, due_count
from app.services.running.threads import in_thread
from app.web.deps import LearnerDep, QuestionPlace, QuestionPlaceDep
from app.web.presenters.common import (
    neighbour,
    option_public,
    question_number,
    question_public,
    question_url,
    run_public,
    snippet_public,
    topic_ref,
)
from app.web.presenters.question import Submission, submit
from app.web.render_cache import RenderCache
from app.web.schemas import pages as schemas


@dataclass(frozen=True)
class Counts:
    """What the feedback shows from the learner's other answers."""

    score: schemas.ScorePublic | None  # after a topic's last question
    reviews_due: int  # besides this question


def known_counts(course: Course, seen: LearnerQuestion, answered: Answered) -> Counts | None:
    """The counts when the answer just stored brought them (no read, so no thread hop);
    None when they must be read (`read_counts`)."""
    topic, question = seen.topic, seen.question
    if topic.next_question(question.id) is None or answered.due is None:
        return None
    besides = (topic.id, question.id)
    return Counts(None, count_due(answered.due, course.catalog, besides))


def read_counts(
    course: Course, learner_id: str, seen: LearnerQuestion, answered: Answered
) -> Counts:
    """The score (after a topic's last question) and the reviews due besides this question,
    read from the database where the answer did not bring them."""
    catalog, topic, question = course.catalog, seen.topic, seen.question
    score = None
    if topic.next_question(question.id) is None:
        done = progress_by_topic(engine=course.engine, learner_id=learner_id, catalog=catalog)
        score = schemas.ScorePublic(correct=done[topic.id].correct, total=done[topic.id].total)
    besides = (topic.id, question.id)
    if answered.due is not None:  # read with the answer when it was just stored
        due = count_due(answered.due, catalog, besides)
    else:
        due = due_count(
            engine=course.engine,
            learner_id=learner_id,
            catalog=catalog,
            now=utcnow(),
            besides=besides,
        )
    return Counts(score, due)


def feedback_of(
    renders: RenderCache, seen: LearnerQuestion, answered: Answered, known: Counts
) -> schemas.Feedback:
    """The verdict on an answer, with the worked solution, and the score after the last
    question (never reads the database: `known` was read before)."""
    catalog, topic, question = renders.catalog, seen.topic, seen.question
    grade, explained = answered.grade, answered.explanation
    following = topic.next_question(question.id)
    return schemas.Feedback(
        correct=grade.correct,
        kind=question.kind,
        topic=topic_ref(topic),
        question=question_public(renders, topic, question, seen.outputs),
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


async def answer_feedback(
    place: QuestionPlace, learner_id: str, sent: Submission
) -> schemas.Feedback:
    """Grade and record an answer, then the feedback on it."""
    seen, answered = await submit(place, learner_id, sent)
    course = place.course
    known = known_counts(course, seen, answered)
    if known is None:
        known = await in_thread(read_counts, course, learner_id, seen, answered)
    return feedback_of(place.renders, seen, answered, known)


async def latest_feedback(
    place: QuestionPlaceDep, learner_id: LearnerDep
) -> schemas.Feedback | None:
    """The feedback on the learner's latest answer, or None before the first."""
    course, topic = place.course, place.topic
    seen = await learner_question(
        course, learner_id, topic, place.question, latest=True, wait=False, hints=False
    )

    def build() -> schemas.Feedback | None:
        answered = latest_answered(
            engine=course.engine, learner_id=learner_id, topic=topic, question=seen.question
        )
        if answered is None:
            return None
        counts = read_counts(course, learner_id, seen, answered)
        return feedback_of(place.renders, seen, answered, counts)

    return await in_thread(build)


LatestFeedbackDep = Annotated[schemas.Feedback | None, Depends(latest_feedback)]
