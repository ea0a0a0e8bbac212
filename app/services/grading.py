"""Grade an answer of any kind and explain it; the verdict never comes from the learner's run.

A graded answer is stored as two JSON texts: the answer as given, and the details the
feedback shows (the real output, the learner's run, what the check saw), so feedback can
be shown again without running anything.
"""

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from app.content import Option, Question
from app.content.catalog import WrongAnswer
from app.sandbox import RunResult
from app.services.compare import numbers, same_output, same_value
from app.services.live_code import LiveCode


class InvalidAnswer(ValueError):
    """An answer that cannot be graded (unknown option, wrong shape); the message says why."""


@dataclass(frozen=True)
class Answer:
    """What a learner sent; the field that matters depends on the question's kind."""

    choice: str | None = None
    choices: tuple[str, ...] | None = None
    value: str | None = None
    code: str | None = None

    def as_json(self) -> str:
        """The answer as stored in an attempt row: only the fields given."""
        given = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        return json.dumps({k: v for k, v in given.items() if v is not None})

    @classmethod
    def from_json(cls, text: str) -> "Answer":
        """An answer read back from an attempt row; unreadable rows give an empty answer."""
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        choices = data.get("choices")
        return cls(
            choice=data.get("choice") if isinstance(data.get("choice"), str) else None,
            choices=tuple(c for c in choices if isinstance(c, str))
            if isinstance(choices, list)
            else None,
            value=data.get("value") if isinstance(data.get("value"), str) else None,
            code=data.get("code") if isinstance(data.get("code"), str) else None,
        )


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer and what explains it."""

    correct: bool
    reason: str | None = None  # why it is wrong, in words, when no option says it
    expected: str | None = None  # predict: the real output; code: the check after the solution
    observed: str | None = None  # code: what the check printed after the learner's code
    run: dict[str, Any] | None = None  # code: the learner's run (status, stdout, stderr…)
    wrong_match: int | None = None  # code: index of the known-wrong answer it behaves like
    chosen_ids: tuple[str, ...] = field(default=())

    def chosen(self, question: Question) -> tuple[Option, ...]:
        """The options the learner picked that still exist."""
        return tuple(o for o in question.options if o.id in self.chosen_ids)

    def missed(self, question: Question) -> tuple[Option, ...]:
        """Correct options the learner did not pick."""
        return tuple(o for o in question.correct_options if o.id not in self.chosen_ids)

    def wrong_answer(self, question: Question) -> WrongAnswer | None:
        """The known-wrong answer the learner's code behaved like, if any."""
        if self.wrong_match is None or self.wrong_match >= len(question.wrong):
            return None
        return question.wrong[self.wrong_match]

    def as_json(self) -> str:
        """The details stored beside the attempt."""
        data = asdict(self)
        data.pop("correct")
        data["chosen_ids"] = list(self.chosen_ids)
        return json.dumps(data)

    @classmethod
    def from_stored(cls, correct: bool, detail: str | None, answer: Answer) -> "Grade":
        """Rebuild a grade from an attempt row (older rows have no details)."""
        try:
            data = json.loads(detail) if detail else {}
        except ValueError:
            data = {}
        chosen = answer.choices or ((answer.choice,) if answer.choice else ())
        return cls(
            correct=correct,
            reason=data.get("reason"),
            expected=data.get("expected"),
            observed=data.get("observed"),
            run=data.get("run"),
            wrong_match=data.get("wrong_match"),
            chosen_ids=tuple(chosen),
        )


def _need(value: Any, kind: str, shape: str) -> Any:
    if value is None:
        raise InvalidAnswer(f"this is a {kind} question: send {shape}")
    return value


def _known_options(question: Question, ids: tuple[str, ...]) -> None:
    unknown = [i for i in ids if question.option(i) is None]
    if unknown:
        known = ", ".join(o.id for o in question.options)
        raise InvalidAnswer(f"unknown option {unknown[0]!r}; choose from: {known}")


def check_shape(question: Question, answer: Answer) -> None:
    """Refuse an answer that does not fit the question's kind, before anything runs."""
    if question.kind == "choice":
        choice = _need(answer.choice, "choice", '{"choice": "<option id>"}')
        _known_options(question, (choice,))
    elif question.kind == "multi":
        choices = _need(answer.choices, "multi", '{"choices": ["<option id>", ...]}')
        _known_options(question, choices)
        if len(set(choices)) != len(choices):
            raise InvalidAnswer("each option may be chosen once")
    elif question.kind == "predict":
        _need(answer.value, "predict", '{"value": "<what the code prints>"}')
    elif question.kind == "code":
        _need(answer.code, "code", '{"code": "<your code>"}')


async def grade(question: Question, answer: Answer, *, live: LiveCode, learner_id: str) -> Grade:
    """Grade an answer of any kind (running code in the sandbox when the kind needs it).

    Raises InvalidAnswer for an answer that does not fit, and what LiveCode raises when
    code cannot run now (turned off, rate limit, busy).
    """
    check_shape(question, answer)
    if question.kind == "choice":
        option = question.option(answer.choice or "")
        return Grade(correct=bool(option and option.correct), chosen_ids=(answer.choice or "",))
    if question.kind == "multi":
        chosen = set(answer.choices or ())
        right = {o.id for o in question.correct_options}
        return Grade(correct=chosen == right, chosen_ids=tuple(answer.choices or ()))
    if question.kind == "predict":
        return await _grade_predict(question, answer.value or "", live)
    return await _grade_code(question, answer.code or "", live, learner_id)


async def _grade_predict(question: Question, value: str, live: LiveCode) -> Grade:
    assert question.code is not None
    real = await live.reference(question.code.code)
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


def _run_summary(run: RunResult) -> dict[str, Any]:
    return {
        "status": run.status,
        "stdout": run.stdout,
        "stderr": run.stderr,
        "truncated": run.truncated,
        "duration_ms": run.duration_ms,
        "reason": run.reason,
    }


async def _grade_code(question: Question, code: str, live: LiveCode, learner_id: str) -> Grade:
    assert question.check is not None and question.solution is not None
    reference = await live.reference(question.solution.code, check=question.check)
    expected = reference.check_output
    if expected is None:  # the author's own solution failed: `torchquiz check` reports it
        raise RuntimeError(f"the solution of {question.id!r} does not pass its own check")
    run = await live.run(code, learner_id=learner_id, check=question.check)
    summary = _run_summary(run)
    if run.check_output is None:
        stopped: dict[str, str] = {
            "error": "your code raised an error before the check could run",
            "timeout": "your code did not finish in time, so the check could not run",
            "limit": "your code was stopped at a limit, so the check could not run",
        }
        stop = stopped.get(run.status, "your code ended before the check could run")
        return Grade(correct=False, expected=expected, run=summary, reason=stop)
    if same_output(expected, run.check_output):
        return Grade(correct=True, expected=expected, observed=run.check_output, run=summary)
    match = None
    for index, wrong in enumerate(question.wrong):
        known = await live.reference(wrong.code, check=question.check)
        if known.check_output is not None and same_output(known.check_output, run.check_output):
            match = index
            break
    reason = None
    if run.check_output.startswith("check failed:"):
        reason = "the check could not inspect your result: " + run.check_output[14:].strip()
    return Grade(
        correct=False,
        expected=expected,
        observed=run.check_output,
        run=summary,
        wrong_match=match,
        reason=reason,
    )
