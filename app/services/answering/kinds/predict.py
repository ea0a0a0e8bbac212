"""Predict questions: the learner types what the code prints; graded against the real run."""

from app.content import PredictQuestion
from app.services.answering.compare import numbers, same_value
from app.services.answering.grades import Answer, Explanation, Grade
from app.services.refusals import InvalidAnswer
from app.services.running.live_code import LiveCode


def check(question: PredictQuestion, answer: Answer) -> None:
    """Refuse an answer without a value."""
    if answer.value is None:
        raise InvalidAnswer('this is a predict question: send {"value": "<what the code prints>"}')


async def grade(question: PredictQuestion, answer: Answer, *, live: LiveCode) -> Grade:
    """Compare the value with the real output (numbers within the question's tolerance)."""
    value = answer.value or ""
    real = await live.reference(question.code.code, persist=question.params is None)
    expected = real.stdout.rstrip("\n")
    if same_value(expected, value, tolerance=question.tolerance):
        return Grade(correct=True, expected=expected)
    reason = None
    if not value.strip():
        reason = "you left the answer empty"
    elif numbers(expected) and not numbers(value):
        reason = f"the code prints a number, and {value.strip()[:80]!r} has none"
    elif numbers(expected) and len(numbers(expected)) != len(numbers(value)):
        reason = (
            f"the code prints {len(numbers(expected))} number(s); "
            f"your answer has {len(numbers(value))}"
        )
    return Grade(correct=False, expected=expected, reason=reason)


def explain(question: PredictQuestion, answer: Answer, grade: Grade) -> Explanation:
    """What the learner predicted, and what the code really prints."""
    return Explanation(final_answer=grade.expected or "", value=answer.value)


def outcome(question: PredictQuestion, answer: Answer, grade: Grade) -> str:
    """What the statistics count this answer as: "right", or the value given."""
    return "right" if grade.correct else " ".join((answer.value or "").split())[:120]
