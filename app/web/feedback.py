"""The feedback page's model: the verdict, what explains it, and the worked solution."""

from sqlalchemy import Engine

from app.content import Catalog, Question, Topic
from app.services.grading import Answer, Grade
from app.services.progress import progress_by_topic
from app.web import schemas
from app.web.views import (
    Outputs,
    neighbour,
    option_public,
    question_number,
    question_public,
    question_url,
    snippet_public,
    topic_ref,
)


def _misconceptions(question: Question, grade: Grade) -> list[schemas.MisconceptionPublic]:
    if grade.correct:
        return []
    found = [
        schemas.MisconceptionPublic(
            option_id=o.id, text=o.misconception, html=o.misconception_html or ""
        )
        for o in grade.chosen(question)
        if not o.correct and o.misconception
    ]
    wrong = grade.wrong_answer(question)
    if wrong is not None and wrong.misconception:
        found.append(
            schemas.MisconceptionPublic(
                option_id=None, text=wrong.misconception, html=wrong.misconception_html or ""
            )
        )
    return found


def _final_answer(question: Question, grade: Grade) -> str:
    if question.kind in {"choice", "multi"}:
        return "; ".join(o.text for o in question.correct_options)
    if question.kind == "predict":
        return grade.expected or ""
    return question.solution.code if question.solution else ""


def feedback(
    *,
    engine: Engine,
    learner_id: str,
    catalog: Catalog,
    topic: Topic,
    question: Question,
    answer: Answer,
    grade: Grade,
    outputs: Outputs,
) -> schemas.Feedback:
    """The verdict on an answer, with the worked solution, and the score after the last question."""
    following = topic.next_question(question.id)
    score = None
    if following is None:
        done = progress_by_topic(engine=engine, learner_id=learner_id, catalog=catalog)[topic.id]
        score = schemas.ScorePublic(correct=done.correct, total=done.total)
    run = schemas.RunPublic(**grade.run) if grade.run else None
    missed = grade.missed(question) if question.kind == "multi" else ()
    return schemas.Feedback(
        correct=grade.correct,
        kind=question.kind,
        topic=topic_ref(topic),
        question=question_public(topic, question, outputs),
        number=question_number(topic, question),
        count=len(topic.questions),
        chosen=[option_public(o) for o in grade.chosen(question)],
        missed=[option_public(o) for o in missed],
        correct_options=[option_public(o) for o in question.correct_options],
        misconceptions=_misconceptions(question, grade),
        reason=grade.reason,
        value=answer.value if question.kind == "predict" else None,
        expected=grade.expected,
        code=answer.code if question.kind == "code" else None,
        run=run,
        observed=grade.observed,
        solution=snippet_public(question.solution, {}) if question.solution else None,
        steps=[
            schemas.StepPublic(title=s.title, text=s.text, text_html=s.text_html)
            for s in question.steps
        ],
        answer=_final_answer(question, grade),
        quick_check=question.quick_check,
        quick_check_html=question.quick_check_html,
        mistakes=list(question.mistakes),
        mistakes_html=list(question.mistakes_html),
        next_url=question_url(topic, following) if following else None,
        next_topic=neighbour(catalog, topic, +1) if following is None else None,
        score=score,
    )
