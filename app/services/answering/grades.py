"""What a learner answered, the verdict on it, and what explains it.

A graded answer is stored as two JSON texts: the answer as given, and the details the
feedback shows (the real output, the learner's run, what the check saw), so feedback can
be shown again without running anything.
"""

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, get_args

from markupsafe import Markup

from app.content import Option, Snippet
from app.sandbox import RunResult

RunStatus = Literal["ok", "error", "timeout", "limit"]


@dataclass(frozen=True)
class Answer:
    """What a learner sent; the field that matters depends on the question's kind."""

    choice: str | None = None
    choices: tuple[str, ...] | None = None
    value: str | None = None
    code: str | None = None

    def as_json(self) -> str:
        """The answer as stored in an attempt row: only the fields given."""
        given = {
            "choice": self.choice,
            "choices": list(self.choices) if self.choices is not None else None,
            "value": self.value,
            "code": self.code,
        }
        return json.dumps({k: v for k, v in given.items() if v is not None})

    @property
    def chosen_ids(self) -> tuple[str, ...]:
        """The option ids picked (choice or multi)."""
        return self.choices or ((self.choice,) if self.choice else ())

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
            choice=_text(data.get("choice")),
            choices=tuple(c for c in choices if isinstance(c, str))
            if isinstance(choices, list)
            else None,
            value=_text(data.get("value")),
            code=_text(data.get("code")),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class RunSummary:
    """A learner's run as the feedback shows it (what the sandbox returned, minus the
    check's own output)."""

    status: RunStatus
    stdout: str
    stderr: str
    truncated: bool
    duration_ms: float
    reason: str | None

    @classmethod
    def of(cls, run: RunResult) -> "RunSummary":
        """The summary of a sandbox run (without what a hidden check printed)."""
        return cls(
            status=run.status,
            stdout=run.stdout,
            stderr=run.stderr,
            truncated=run.truncated,
            duration_ms=run.duration_ms,
            reason=run.reason,
        )

    @classmethod
    def from_stored(cls, data: object) -> "RunSummary | None":
        """A run read back from an attempt's details; None when it is missing or unreadable."""
        if not isinstance(data, dict) or data.get("status") not in get_args(RunStatus):
            return None
        duration = data.get("duration_ms")
        return cls(
            status=data["status"],
            stdout=_text(data.get("stdout")) or "",
            stderr=_text(data.get("stderr")) or "",
            truncated=data.get("truncated") is True,
            duration_ms=float(duration) if isinstance(duration, int | float) else 0.0,
            reason=_text(data.get("reason")),
        )


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer and what explains it."""

    correct: bool
    reason: str | None = None  # why it is wrong, in words, when no option says it
    expected: str | None = None  # predict: the real output; code: the check after the solution
    observed: str | None = None  # code: what the check printed after the learner's code
    run: RunSummary | None = None  # code: the learner's run
    wrong_match: int | None = None  # code: index of the known-wrong answer it behaves like
    difference: str | None = None  # code: how the first value the check showed differs

    def as_json(self) -> str:
        """The details stored beside the attempt."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "correct"}
        data["run"] = asdict(self.run) if self.run is not None else None
        return json.dumps(data)

    @classmethod
    def from_stored(cls, correct: bool, detail: str | None) -> "Grade":
        """Rebuild a grade from an attempt row (older rows have no details)."""
        try:
            data: Any = json.loads(detail) if detail else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        match = data.get("wrong_match")
        return cls(
            correct=correct,
            reason=_text(data.get("reason")),
            expected=_text(data.get("expected")),
            observed=_text(data.get("observed")),
            run=RunSummary.from_stored(data.get("run")),
            wrong_match=match if isinstance(match, int) else None,
            difference=_text(data.get("difference")),
        )


@dataclass(frozen=True)
class Misconception:
    """The mistake behind a wrong pick (`option_id`) or a known-wrong code answer (None)."""

    option_id: str | None
    text: str
    html: Markup


@dataclass(frozen=True)
class Explanation:
    """What the feedback shows beyond the verdict, as each kind of question explains it."""

    final_answer: str
    chosen: tuple[Option, ...] = ()
    missed: tuple[Option, ...] = ()
    correct_options: tuple[Option, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    value: str | None = None  # predict: what the learner typed
    code: str | None = None  # code: what the learner wrote
    solution: Snippet | None = None  # code: the reference solution
