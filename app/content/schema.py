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
    """One answer option of a choice or multi question."""

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


def _check_options(options: list[OptionSpec], *, kind: str) -> list[OptionSpec]:
    correct = sum(option.correct for option in options)
    if kind == "choice" and correct != 1:
        raise ValueError(
            f"a choice question needs exactly one option with `correct: true`, found {correct}"
        )
    if kind == "multi" and correct == 0:
        raise ValueError("a multi question needs at least one option with `correct: true`")
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


class QuestionBase(Strict):
    """What every kind of question has."""

    id: Slug
    prompt: Text = Field(description="Markdown.")
    code: Text | None = Field(
        default=None, description="A snippet shown with the prompt; its real output is shown too."
    )
    output: str | None = Field(
        default=None,
        description="What `code` prints, as the author states it; `torchquiz check` compares "
        "it with the real run.",
    )
    steps: list[StepSpec] = Field(min_length=1, description="The worked solution.")
    quick_check: Text
    mistakes: list[Text] = Field(default_factory=list)
    hints: list[Text] = Field(
        default_factory=list,
        max_length=10,
        description="Markdown; revealed one at a time when the learner asks, before answering.",
    )

    params: Text | None = Field(
        default=None,
        description="Python run with each learner's seed (torch, random and numpy seeded "
        "with it); the names it sets fill `{name}` placeholders in every text and code of "
        "the question. See AUTHORING.md, Variants.",
    )

    @model_validator(mode="after")
    def _output_needs_code(self) -> "QuestionBase":
        if self.output is not None and self.code is None:
            raise ValueError("`output` states what `code` prints, but there is no `code`")
        if self.output is not None and self.params is not None:
            raise ValueError(
                "`output` cannot be stated for a question with `params`: each variant prints "
                "its own; remove `output`"
            )
        return self


class ChoiceQuestionSpec(QuestionBase):
    """One correct option among several."""

    kind: Literal["choice"]
    options: list[OptionSpec] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[OptionSpec]) -> list[OptionSpec]:
        return _check_options(options, kind="choice")


class MultiQuestionSpec(QuestionBase):
    """Several correct options; right only when exactly the correct set is chosen."""

    kind: Literal["multi"]
    options: list[OptionSpec] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _some_correct(cls, options: list[OptionSpec]) -> list[OptionSpec]:
        return _check_options(options, kind="multi")


class PredictQuestionSpec(QuestionBase):
    """The learner types what `code` prints; graded against the real output."""

    kind: Literal["predict"]
    code: Text = Field(description="The snippet whose output the learner predicts.")
    tolerance: float = Field(
        default=0.0,
        ge=0,
        description="How far a number may be from the real one and still count "
        "(lists and tensors element by element).",
    )


class WrongAnswerSpec(Strict):
    """A known-wrong answer to a code question; it must fail `check`."""

    code: Text
    misconception: Text | None = Field(
        default=None, description="Shown when a learner's code fails `check` the same way."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        return {"code": value} if isinstance(value, str) else value


class CodeQuestionSpec(QuestionBase):
    """The learner writes code; `check` runs after it and must print what it prints after
    `solution`."""

    kind: Literal["code"]
    starter: str = Field(default="", description="The code the editor starts with.")
    check: Text = Field(
        description="Hidden code run after the learner's; prints observations that tell a "
        "right answer from a wrong one."
    )
    solution: Text = Field(description="The reference answer; shown after answering.")
    wrong: list[WrongAnswerSpec] = Field(
        default_factory=list, description="Known-wrong answers; each must fail `check`."
    )


QuestionSpec = Annotated[
    ChoiceQuestionSpec | MultiQuestionSpec | PredictQuestionSpec | CodeQuestionSpec,
    Field(discriminator="kind"),
]


class TopicSpec(Strict):
    """One topic: a lesson and its questions, one per file under `quizzes/`."""

    id: Slug = Field(description="Stable: URLs and stored progress use it.")
    title: Text
    summary: Text
    level: Level
    tags: list[Slug] = Field(default_factory=list)
    requires: list[Slug] = Field(default_factory=list, description="Topic ids to study first.")
    lesson: Text = Field(description="Markdown; ```python blocks run live.")
    questions: list[QuestionSpec] = Field(min_length=1)


def json_schema() -> dict[str, object]:
    """The JSON Schema of a topic file, for editors and `torchquiz schema`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **TopicSpec.model_json_schema(),
        "title": "torchquiz topic",
        "description": "One topic of torchquiz: a lesson and its questions. See AUTHORING.md.",
    }
