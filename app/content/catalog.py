"""The Catalog: every valid topic, rendered once, immutable; a reload swaps it whole."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from app.content.errors import ContentError

LEVEL_ORDER = {"beginner": 0, "intermediate": 1, "advanced": 2}


@dataclass(frozen=True)
class Snippet:
    """Authored code that runs live: shown highlighted, with its real output, editable."""

    code: str
    code_html: Markup
    line: int = field(default=0, compare=False)  # where it starts in its file, for errors

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


@dataclass(frozen=True)
class Question:
    """A question of a topic, with everything needed to grade and explain it.

    `kind` says which fields matter: `options` for choice and multi, `tolerance` for
    predict, `starter`, `check`, `solution` and `wrong` for code.
    """

    id: str
    kind: str
    prompt: str
    prompt_html: Markup
    code: Snippet | None
    output: str | None  # what the author states `code` prints
    options: tuple[Option, ...]
    steps: tuple[Step, ...]
    quick_check: str
    quick_check_html: Markup
    mistakes: tuple[str, ...]
    mistakes_html: tuple[Markup, ...]
    tolerance: float = 0.0
    starter: str = ""
    check: str | None = None
    solution: Snippet | None = None
    wrong: tuple[WrongAnswer, ...] = ()
    # Where keys stand in the source file (`id`, `output`, `check`…), for errors found later.
    locations: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    def option(self, option_id: str) -> Option | None:
        """The option with this id, if any."""
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def correct_options(self) -> tuple[Option, ...]:
        """The options marked correct (one for choice, one or more for multi)."""
        return tuple(o for o in self.options if o.correct)

    def at(self, key: str) -> tuple[int, int]:
        """Where `key` of this question stands in its file (the question's start if unknown)."""
        return self.locations.get(key) or self.locations.get("id") or (1, 1)


@dataclass(frozen=True)
class Topic:
    """A lesson and its questions."""

    id: str
    title: str
    summary: str
    level: str
    tags: tuple[str, ...]
    requires: tuple[str, ...]
    lesson: str
    lesson_parts: tuple[LessonPart, ...]
    questions: tuple[Question, ...]
    source: Path
    # Where keys stand in the source file (`id`, `requires[0]`…), for errors found after loading.
    locations: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    @property
    def lesson_snippets(self) -> tuple[Snippet, ...]:
        """The live snippets of the lesson."""
        return tuple(part for part in self.lesson_parts if isinstance(part, Snippet))

    @property
    def snippets(self) -> tuple[Snippet, ...]:
        """Every live snippet of the topic: the lesson's, then each question's."""
        return self.lesson_snippets + tuple(q.code for q in self.questions if q.code is not None)

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return next((q for q in self.questions if q.id == question_id), None)

    def next_question(self, question_id: str) -> Question | None:
        """The question after this one, or None at the end of the topic."""
        ids = [q.id for q in self.questions]
        position = ids.index(question_id)
        return self.questions[position + 1] if position + 1 < len(ids) else None


@dataclass(frozen=True)
class Catalog:
    """All topics that loaded, in study order, and the errors of the files that did not."""

    topics: tuple[Topic, ...] = ()
    errors: tuple[ContentError, ...] = ()
    _by_id: dict[str, Topic] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, topics: Iterable[Topic], errors: Iterable[ContentError]) -> "Catalog":
        """A catalog with topics sorted along their `requires` path, then level and title."""
        ordered = _study_order(list(topics))
        return cls(
            topics=tuple(ordered),
            errors=tuple(sorted(errors)),
            _by_id={topic.id: topic for topic in ordered},
        )

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, if any."""
        return self._by_id.get(topic_id)

    @property
    def snippets(self) -> tuple[Snippet, ...]:
        """Every live snippet of every topic, without repeats."""
        return tuple({s.code: s for topic in self.topics for s in topic.snippets}.values())

    @property
    def question_count(self) -> int:
        """How many questions all topics hold."""
        return sum(len(topic.questions) for topic in self.topics)


def _study_order(topics: list[Topic]) -> list[Topic]:
    """Topics with every topic after those it requires (stable by level, then title)."""
    remaining = sorted(topics, key=lambda t: (LEVEL_ORDER.get(t.level, 9), t.title.lower()))
    known = {t.id for t in topics}
    placed: list[Topic] = []
    done: set[str] = set()
    while remaining:
        ready = next(
            (t for t in remaining if all(r in done or r not in known for r in t.requires)),
            remaining[0],  # a cycle: the loader reports it; keep every topic reachable anyway
        )
        placed.append(ready)
        done.add(ready.id)
        remaining.remove(ready)
    return placed
