"""Read topic files, validate them, and report every problem as `path:line:col: message`."""

import difflib
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent

from app.content.build import build_topic
from app.content.catalog import Catalog, Topic
from app.content.errors import ContentError
from app.content.positions import locate
from app.content.schema import ChoiceQuestionSpec, OptionSpec, StepSpec, TopicSpec

MAX_FILE_BYTES = 1_000_000
_KNOWN_KEYS = sorted(
    {
        name
        for model in (TopicSpec, ChoiceQuestionSpec, OptionSpec, StepSpec)
        for name in model.model_fields
    }
)


class _Problems:
    """Collects the errors of one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[ContentError] = []

    def add(self, line: int, col: int, message: str) -> None:
        self.errors.append(ContentError(self.path, line, col, message))


def load_topic_file(path: Path) -> tuple[Topic | None, list[ContentError]]:
    """Parse and validate one topic file; the topic is None when any error was found."""
    problems = _Problems(path)
    document = _read_yaml(path, problems)
    if document is None:
        return None, problems.errors
    try:
        spec = TopicSpec.model_validate(document)
    except ValidationError as error:
        for detail in error.errors():
            _report_validation(document, detail, problems)
        return None, problems.errors
    _check_unique_question_ids(document, spec, problems)
    if spec.id in spec.requires:
        line, col = locate(document, ["requires"], at_key=True)
        problems.add(
            line, col, f"`requires` of `{spec.id}` names the topic itself; remove `{spec.id}`"
        )
    if problems.errors:
        return None, problems.errors
    return build_topic(
        spec,
        path,
        lambda at: locate(document, at),
        key_at=lambda at: locate(document, at, at_key=True),
    ), []


def load_catalog(folder: Path, previous: Catalog | None = None) -> Catalog:
    """Load every `*.yaml` topic under `folder`; broken files are reported and skipped.

    With `previous`, a file that is broken now keeps its last good topic (a reload must
    not take a page down while its author is mid-edit).
    """
    topics: list[Topic] = []
    errors: list[ContentError] = []
    if not folder.is_dir():
        errors.append(ContentError(folder, 1, 1, "quiz folder not found; set TORCHQUIZ_QUIZ_DIR"))
        return Catalog.build(topics, errors)
    seen: dict[str, Topic] = {}
    last_good = {t.source: t for t in previous.topics} if previous else {}
    for path in topic_files(folder):
        topic, file_errors = load_topic_file(path)
        errors.extend(file_errors)
        if topic is None:
            topic = last_good.get(path)
            if topic is None:
                continue
            errors.append(
                ContentError(path, 1, 1, "the last good version of this file is still served")
            )
        if topic.id in seen:
            line, col = topic.locations["id"]
            errors.append(
                ContentError(
                    path,
                    line,
                    col,
                    f"topic id `{topic.id}` is already used by {seen[topic.id].source}; "
                    "topic ids must be unique across files",
                )
            )
            continue
        seen[topic.id] = topic
        topics.append(topic)
    errors.extend(_check_requires(topics))
    return Catalog.build(topics, errors)


def topic_files(folder: Path) -> list[Path]:
    """The topic files of a folder, in name order."""
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


def _read_yaml(path: Path, problems: _Problems) -> CommentedMap | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.add(1, 1, f"cannot read the file: {error.strerror}")
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.add(1, 1, f"file is larger than {MAX_FILE_BYTES // 1000} kB; split the topic")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        problems.add(line, col, "the file is not valid UTF-8; save it as UTF-8")
        return None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        problems.add(1, 1, "the file is empty; a topic needs `id`, `title`, `lesson`, …")
        return None
    yaml = YAML(typ="rt", pure=True)
    try:
        # Aliases let a tiny file expand into gigabytes (a "billion laughs"); refuse them.
        for event in yaml.parse(text):
            if isinstance(event, AliasEvent):
                mark = event.start_mark
                problems.add(
                    mark.line + 1,
                    mark.column + 1,
                    "YAML aliases (*name) are not allowed; write the value out in full",
                )
                return None
        document = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or "invalid YAML"
        context = error.context_mark
        if error.context and context is not None and context.line + 1 != line:
            problem += f" ({error.context} that starts at line {context.line + 1})"
        lines = text.splitlines()
        has_tab = 0 < line <= len(lines) and "\t" in lines[line - 1]
        hint = "; YAML indents with spaces, never tabs" if has_tab else ""
        problems.add(line, col, f"YAML syntax error: {problem}{hint}")
        return None
    except YAMLError as error:
        problems.add(1, 1, f"YAML error: {error}")
        return None
    if not isinstance(document, CommentedMap):
        kind = "a list" if isinstance(document, list) else type(document).__name__
        problems.add(1, 1, f"a topic file must be a mapping of keys (`id:`, `title:`…), not {kind}")
        return None
    return document


QUESTION_KINDS = ("choice", "multi", "predict", "code")


def _without_kind_tag(loc: list[int | str]) -> list[int | str]:
    # pydantic names the union member after `questions, N`: ("questions", 0, "code", "check").
    if len(loc) > 2 and loc[0] == "questions" and loc[2] in QUESTION_KINDS:
        return loc[:2] + loc[3:]
    return loc


def _report_validation(document: CommentedMap, detail: ErrorDetails, problems: _Problems) -> None:
    loc = _without_kind_tag([part for part in detail["loc"] if isinstance(part, int | str)])
    error_type = detail["type"]
    where = _dotted(loc)
    if error_type in {"union_tag_invalid", "union_tag_not_found"}:
        found = error_type == "union_tag_invalid"
        line, col = locate(document, [*loc, "kind"] if found else loc, at_key=not found)
        kinds = ", ".join(QUESTION_KINDS)
        got = (detail.get("ctx") or {}).get("tag")
        message = f"unknown kind {str(got)!r}" if found else "missing required key `kind`"
        problems.add(line, col, f"{where}: {message}; use one of: {kinds}")
        return
    if error_type == "extra_forbidden":
        key = str(loc[-1])
        line, col = locate(document, loc, at_key=True)
        guess = difflib.get_close_matches(key, _KNOWN_KEYS, n=1, cutoff=0.6)
        hint = f"; did you mean `{guess[0]}`?" if guess else "; remove it"
        problems.add(line, col, f"unknown key `{key}` at {where}{hint}")
    elif error_type == "missing":
        line, col = locate(document, loc[:-1])
        problems.add(
            line, col, f"missing required key `{loc[-1]}` in {_dotted(loc[:-1]) or 'the topic'}"
        )
    else:
        line, col = locate(document, loc)
        message = detail["msg"].removeprefix("Value error, ")
        if error_type == "string_pattern_mismatch":
            message = "should be lowercase letters, digits and dashes, e.g. `weight-decay`"
        problems.add(line, col, f"{where}: {message}")


def _dotted(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _check_unique_question_ids(
    document: CommentedMap, spec: TopicSpec, problems: _Problems
) -> None:
    first: dict[str, int] = {}
    for index, question in enumerate(spec.questions):
        if question.id in first:
            line, col = locate(document, ["questions", index, "id"])
            problems.add(
                line,
                col,
                f"duplicate question id `{question.id}` (first used by "
                f"questions[{first[question.id]}]); question ids must be unique within a topic",
            )
        else:
            first[question.id] = index


def _check_requires(topics: list[Topic]) -> list[ContentError]:
    """Requirements must name loaded topics and must not form a cycle."""
    ids = {topic.id for topic in topics}
    by_id = {topic.id: topic for topic in topics}
    errors = []
    for topic in topics:
        for index, name in enumerate(topic.requires):
            if name not in ids:
                line, col = topic.locations[f"requires[{index}]"]
                errors.append(
                    ContentError(
                        topic.source,
                        line,
                        col,
                        f"`requires` names unknown topic `{name}`; known: {', '.join(sorted(ids))}",
                    )
                )
        cycle = _cycle_through(topic.id, by_id)
        if cycle:
            # At the `requires:` line: that is where a link of the cycle must go.
            line, col = topic.locations.get("requires") or topic.locations["id"]
            errors.append(
                ContentError(
                    topic.source,
                    line,
                    col,
                    f"`requires` of `{topic.id}` leads back to itself "
                    f"({' → '.join(cycle)}); remove a link of the cycle",
                )
            )
    return errors


def _cycle_through(start: str, by_id: dict[str, Topic]) -> list[str]:
    """The ids along a `requires` path from `start` back to it (start first and last), or []."""
    path = [start]
    seen: set[str] = set()

    def walk(name: str) -> bool:
        for required in by_id[name].requires if name in by_id else ():
            if required == start:
                path.append(start)
                return True
            if required not in seen:
                seen.add(required)
                path.append(required)
                if walk(required):
                    return True
                path.pop()
        return False

    return path if walk(start) else []
