"""The Catalog: every valid topic, rendered once, immutable; a reload swaps it whole."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.content.errors import ContentError
from app.content.parts import LessonPart, Snippet
from app.content.questions import Question

LEVEL_ORDER = {"beginner": 0, "intermediate": 1, "advanced": 2}


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
        # A variant question's code holds `{name}` placeholders: only its variants run.
        return self.lesson_snippets + tuple(
            q.code for q in self.questions if q.code is not None and q.params is None
        )

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
