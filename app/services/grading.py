"""Grade an answer against a question and explain the result."""

import json
from dataclasses import dataclass

from app.content import Option, Question


class InvalidAnswer(ValueError):
    """An answer that cannot be graded (unknown option, wrong shape); the message says why."""


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer, with the option the learner chose."""

    correct: bool
    chosen: Option | None

    @property
    def misconception(self) -> str | None:
        """What the chosen wrong option reveals, if anything."""
        if self.correct or self.chosen is None:
            return None
        return self.chosen.misconception


def grade_choice(question: Question, choice: str) -> Grade:
    """Grade a single-choice answer; an unknown option id raises InvalidAnswer."""
    option = question.option(choice)
    if option is None:
        ids = ", ".join(o.id for o in question.options)
        raise InvalidAnswer(f"unknown option {choice!r}; choose one of: {ids}")
    return Grade(correct=option.correct, chosen=option)


def encode_answer(choice: str) -> str:
    """The answer as stored in an attempt row."""
    return json.dumps({"choice": choice})


def regrade(question: Question, stored: str) -> Grade:
    """Grade a stored answer again against the current question text.

    Authors may edit or remove options after an answer was stored; a vanished option
    grades as wrong with no option chosen rather than failing the page.
    """
    try:
        choice = json.loads(stored).get("choice")
    except (ValueError, AttributeError):
        choice = None
    option = question.option(choice) if isinstance(choice, str) else None
    if option is None:
        return Grade(correct=False, chosen=None)
    return Grade(correct=option.correct, chosen=option)
