"""The YAML format authors write, as strict pydantic models (unknown keys are errors)."""

import string
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80),
    Field(description="Lowercase letters, digits and single dashes, e.g. `weight-decay`."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Level = Literal["beginner", "intermediate", "advanced"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepSpec(Strict):
    """A step of a worked solution: a string, or a mapping with `title` and `text`."""

    title: Text | None = None
    text: Text

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        # A plain string is a step without a title; one model keeps error paths simple.
        return {"text": value} if isinstance(value, str) else value


class OptionSpec(Strict):
    """One answer option of a choice question."""

    id: Slug | None = Field(default=None, description="Stable id; default a, b, c… by position.")
    text: Text = Field(description="Markdown.")
    correct: bool = False
    misconception: Text | None = Field(
        default=None, description="Required on a wrong option: the mistake it represents."
    )


def option_ids(options: list[OptionSpec]) -> list[str]:
    """Each option's id: the author's, else a, b, c… by position."""
    letters = string.ascii_lowercase
    return [
        option.id or (letters[i] if i < len(letters) else f"o{i + 1}")
        for i, option in enumerate(options)
    ]


class ChoiceQuestionSpec(Strict):
    """A question with one correct option among several."""

    id: Slug
    kind: Literal["choice"]
    prompt: Text = Field(description="Markdown.")
    code: Text | None = Field(default=None, description="A snippet shown with the prompt.")
    options: list[OptionSpec] = Field(min_length=2)
    steps: list[StepSpec] = Field(min_length=1, description="The worked solution.")
    quick_check: Text
    mistakes: list[Text] = Field(default_factory=list)

    @field_validator("options")
    @classmethod
    def _one_correct_and_explained(cls, options: list[OptionSpec]) -> list[OptionSpec]:
        correct = sum(option.correct for option in options)
        if correct != 1:
            raise ValueError(
                f"a choice question needs exactly one option with `correct: true`, found {correct}"
            )
        for position, option in enumerate(options, start=1):
            if not option.correct and option.misconception is None:
                raise ValueError(
                    f"option {position} is wrong but has no `misconception`: "
                    "say which mistake choosing it reveals"
                )
        ids = option_ids(options)
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate option ids: {', '.join(duplicates)}")
        return options


class TopicSpec(Strict):
    """One topic: a lesson and its questions, one per file under `quizzes/`."""

    id: Slug = Field(description="Stable: URLs and stored progress use it.")
    title: Text
    summary: Text
    level: Level
    tags: list[Slug] = Field(default_factory=list)
    requires: list[Slug] = Field(default_factory=list, description="Topic ids to study first.")
    lesson: Text = Field(description="Markdown; ```python blocks run live.")
    questions: list[ChoiceQuestionSpec] = Field(min_length=1)
