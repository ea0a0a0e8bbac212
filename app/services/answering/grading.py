"""Grade an answer of any kind and explain it: each kind's own module does the work,
dispatched here with `match` so that mypy flags a kind that is not handled."""

from typing import assert_never

from app.content import ChoiceQuestion, CodeQuestion, MultiQuestion, PredictQuestion, Question
from app.services.answering.grades import Answer, Explanation, Grade
from app.services.answering.kinds import code, options, predict
from app.services.refusals import InvalidAnswer
from app.services.running.live_code import LiveCode


def check_shape(question: Question, answer: Answer) -> None:
    """Refuse an answer that does not fit the question's kind, before anything runs."""
    match question:
        case ChoiceQuestion():
            options.check_choice(question, answer)
        case MultiQuestion():
            options.check_multi(question, answer)
        case PredictQuestion():
            predict.check(question, answer)
        case CodeQuestion():
            code.check(question, answer)
        case _:
            assert_never(question)


def form_answer(
    question: Question,
    *,
    choice: str | None,
    choices: list[str] | None,
    value: str | None,
    code: str | None,
) -> Answer:
    """The answer an HTML form sent, read as its question's kind reads it."""
    match question:
        case ChoiceQuestion() if not choice:
            raise InvalidAnswer("pick one of the options, then press Check")
        case MultiQuestion():
            # An unticked set of checkboxes sends nothing: that is the empty answer.
            return Answer(choices=tuple(choices or ()))
        case _:
            return Answer(choice=choice, value=value, code=code)


async def grade(question: Question, answer: Answer, *, live: LiveCode, learner_id: str) -> Grade:
    """Grade an answer of any kind (running code in the sandbox when the kind needs it).

    Raises InvalidAnswer for an answer that does not fit, and what LiveCode raises when
    code cannot run now (turned off, rate limit, busy).
    """
    check_shape(question, answer)
    match question:
        case ChoiceQuestion():
            return options.grade_choice(question, answer)
        case MultiQuestion():
            return options.grade_multi(question, answer)
        case PredictQuestion():
            return await predict.grade(question, answer, live=live)
        case CodeQuestion():
            return await code.grade(question, answer, live=live, learner_id=learner_id)
        case _:
            assert_never(question)


def explain(question: Question, answer: Answer, grade: Grade) -> Explanation:
    """What the feedback shows beyond the verdict, as the question's kind explains it."""
    match question:
        case ChoiceQuestion() | MultiQuestion():
            return options.explain(question, answer, grade)
        case PredictQuestion():
            return predict.explain(question, answer, grade)
        case CodeQuestion():
            return code.explain(question, answer, grade)
        case _:
            assert_never(question)


def outcome(question: Question, answer: Answer, grade: Grade) -> str:
    """A short label of the answer that statistics group by (the option picked, the wrong
    value, how code failed)."""
    match question:
        case ChoiceQuestion() | MultiQuestion():
            return options.outcome(question, answer, grade)
        case PredictQuestion():
            return predict.outcome(question, answer, grade)
        case CodeQuestion():
            return code.outcome(question, answer, grade)
        case _:
            assert_never(question)
