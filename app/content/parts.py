"""The parts questions and lessons are made of: live snippets, options, steps."""

import hashlib
from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass(frozen=True)
class Snippet:
    """Authored code that runs live: shown highlighted, with its real output, editable."""

    code: str
    code_html: Markup
    line: int = field(default=0, compare=False)  # where it starts in its file, for errors
    # The code of a question with `params`, as written: `{name}` placeholders that only its
    # variants fill, so it never runs as it is (LiveCode refuses it).
    template: bool = field(default=False, compare=False)

    @property
    def id(self) -> str:
        """A stable id from the code itself, so an unedited snippet's output can be cached."""
        return hashlib.sha256(self.code.encode()).hexdigest()[:16]


LessonPart = Markup | Snippet


@dataclass(frozen=True)
class Option:
    """An answer option; `correct` and `misconception` never reach a learner before answering."""

    id: str
    text: str
    text_html: Markup
    correct: bool
    misconception: str | None
    misconception_html: Markup | None


@dataclass(frozen=True)
class Step:
    """One step of a worked solution."""

    title: str | None
    text: str
    text_html: Markup


@dataclass(frozen=True)
class WrongAnswer:
    """A known-wrong answer to a code question, and the mistake it stands for."""

    code: str
    misconception: str | None
    misconception_html: Markup | None
    line: int = field(default=0, compare=False)
