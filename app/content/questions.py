"""The four kinds of question, each its own type: code that handles questions dispatches
with `match`, so mypy points at every place a new kind must be handled."""

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from markupsafe import Markup

from app.content.parts import Option, Snippet, Step, WrongAnswer

QuestionKind = Literal["choice", "multi", "predict", "code"]


@dataclass(frozen=True, kw_only=True)
class QuestionBase:
    """What every kind of question has: the prompt, the worked solution, the mistakes."""

    kind: ClassVar[QuestionKind]

    id: str
    prompt: str
    prompt_html: Markup
    code: Snippet | None
    output: str | None  # what the author states `code` prints
    steps: tuple[Step, ...]
    quick_check: str
    quick_check_html: Markup
    mistakes: tuple[str, ...]
    mistakes_html: tuple[Markup, ...]
    hints: tuple[str, ...] = ()
    hints_html: tuple[Markup, ...] = ()
    # Run with a learner's seed, its names fill `{name}` placeholders (app/content/variants.py).
    params: Snippet | None = None
    # Where keys stand in the source file (`id`, `output`, `check`…), for errors found later.
    locations: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    def at(self, key: str) -> tuple[int, int]:
        """Where `key` of this question stands in its file (the question's start if unknown)."""
        return self.locations.get(key) or self.locations.get("id") or (1, 1)


@dataclass(frozen=True, kw_only=True)
class OptionsQuestion(QuestionBase):
    """A question answered by picking options; `correct` never reaches a learner unanswered."""

    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        """The option with this id, if any."""
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def correct_options(self) -> tuple[Option, ...]:
        """The options marked correct."""
        return tuple(o for o in self.options if o.correct)


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(OptionsQuestion):
    """Exactly one option is correct."""

    kind: ClassVar[QuestionKind] = "choice"


@dataclass(frozen=True, kw_only=True)
class MultiQuestion(OptionsQuestion):
    """Right only when exactly the correct set of options is picked."""

    kind: ClassVar[QuestionKind] = "multi"


@dataclass(frozen=True, kw_only=True)
class PredictQuestion(QuestionBase):
    """The learner types what `code` prints; graded against the real run."""

    kind: ClassVar[QuestionKind] = "predict"
    code: Snippet
    tolerance: float = 0.0


@dataclass(frozen=True, kw_only=True)
class CodeQuestion(QuestionBase):
    """The learner writes code; the hidden `check` runs after it and must print what it
    prints after `solution`."""

    kind: ClassVar[QuestionKind] = "code"
    starter: str
    check: str
    solution: Snippet
    wrong: tuple[WrongAnswer, ...] = ()


Question = ChoiceQuestion | MultiQuestion | PredictQuestion | CodeQuestion
