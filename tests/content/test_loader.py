"""The loader accepts good files and reports each broken one at the right line."""

from pathlib import Path
from textwrap import dedent

import pytest
from markupsafe import Markup

from app.content import ContentError, OptionsQuestion, load_catalog, load_topic_file
from tests.helpers import COURSE_QUIZZES, FIXTURE_QUIZZES

GOOD = dedent(
    """\
    id: demo
    title: Demo
    summary: A demo topic.
    level: beginner
    lesson: |
      Some *Markdown*.
    questions:
      - id: first
        kind: choice
        prompt: Pick B.
        options:
          - text: A
            misconception: A is not B.
          - text: B
            correct: true
        steps:
          - It is B.
        quick_check: B
    """
)


def load(tmp_path: Path, text: str | bytes, name: str = "topic.yaml") -> list[ContentError]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    topic, errors = load_topic_file(path)
    assert (topic is None) == bool(errors)
    return errors


def only(errors: list[ContentError]) -> ContentError:
    assert len(errors) == 1, errors
    return errors[0]


def test_good_file_loads_with_rendered_markdown_and_positional_option_ids(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(GOOD)
    topic, errors = load_topic_file(path)
    assert errors == []
    assert topic is not None
    question = topic.questions[0]
    assert isinstance(question, OptionsQuestion)
    assert [o.id for o in question.options] == ["a", "b"]
    assert [o.id for o in question.correct_options] == ["b"]
    lesson = topic.lesson_parts[0]
    assert isinstance(lesson, Markup)
    assert "<em>Markdown</em>" in lesson


def test_fixture_and_course_folders_load_cleanly() -> None:
    for folder in (FIXTURE_QUIZZES, COURSE_QUIZZES):
        catalog = load_catalog(folder)
        assert catalog.errors == (), [str(e) for e in catalog.errors]
        assert catalog.topics


def test_yaml_syntax_error_is_reported_at_its_line(tmp_path: Path) -> None:
    error = only(load(tmp_path, GOOD.replace("summary: A demo topic.", "summary: [unclosed")))
    assert error.line == 4
    assert "YAML syntax error" in error.message


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    error = only(load(tmp_path, GOOD.replace("  - id: first", "\t- id: first")))
    assert error.line == 8
    assert "tab" in error.message


def test_wrong_type_points_at_the_value(tmp_path: Path) -> None:
    error = only(load(tmp_path, GOOD.replace("level: beginner", "level: expert")))
    assert (error.line, error.col) == (4, 8)
    assert "level" in error.message and "'beginner'" in error.message


def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path) -> None:
    errors = load(tmp_path, GOOD.replace("  quick_check: B", "  quick_chek: B"))
    error = next(e for e in errors if "unknown key" in e.message)
    assert any("missing required key `quick_check`" in e.message for e in errors)
    assert error.line == 18
    assert "unknown key `quick_chek`" in error.message
    assert "did you mean `quick_check`" in error.message


def test_missing_key_points_at_its_mapping(tmp_path: Path) -> None:
    errors = load(tmp_path, GOOD.replace("    prompt: Pick B.\n", ""))
    error = only(errors)
    assert error.line == 8
    assert "missing required key `prompt`" in error.message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("        correct: true\n", ""), "exactly one option with `correct: true`, found 0"),
        (
            ("        misconception: A is not B.\n", "        correct: true\n"),
            "exactly one option with `correct: true`, found 2",
        ),
    ],
    ids=["no-correct-option", "two-correct-options"],
)
def test_correct_option_count_is_checked(
    tmp_path: Path, change: tuple[str, str], words: str
) -> None:
    error = only(load(tmp_path, GOOD.replace(*change)))
    assert error.line == 12  # the first option, inside this question's `options`
    assert words in error.message


def test_wrong_option_needs_a_misconception(tmp_path: Path) -> None:
    error = only(load(tmp_path, GOOD.replace("        misconception: A is not B.\n", "")))
    assert "option 1 is wrong but has no `misconception`" in error.message


def test_duplicate_question_ids_point_at_the_second(tmp_path: Path) -> None:
    question = GOOD[GOOD.index("  - id: first") :]
    error = only(load(tmp_path, GOOD + question))
    assert error.line == 19
    assert "duplicate question id `first`" in error.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- id: demo\n", "not a list"),
        (b"id: demo\ntitle: caf\xe9\n", "not valid UTF-8"),
    ],
    ids=["empty", "comment-only", "top-level-list", "latin-1"],
)
def test_files_that_are_not_topics(tmp_path: Path, text: str | bytes, words: str) -> None:
    error = only(load(tmp_path, text))
    assert words in error.message
    if isinstance(text, bytes):
        assert (error.line, error.col) == (2, 11)


def test_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    error = only(load(tmp_path, bomb))
    assert error.line == 2
    assert "aliases" in error.message


def test_duplicate_key_is_a_syntax_error(tmp_path: Path) -> None:
    error = only(load(tmp_path, GOOD.replace("level: beginner", "level: beginner\ntitle: Again")))
    assert error.line == 5


def test_broken_file_does_not_hide_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "a-good.yaml").write_text(GOOD)
    (tmp_path / "b-broken.yaml").write_text("id: [")
    catalog = load_catalog(tmp_path)
    assert [t.id for t in catalog.topics] == ["demo"]
    assert [e.path.name for e in catalog.errors] == ["b-broken.yaml"]
    assert str(catalog.errors[0]).startswith(f"{tmp_path / 'b-broken.yaml'}:1:")


def test_duplicate_topic_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(GOOD)
    (tmp_path / "two.yaml").write_text(GOOD)
    catalog = load_catalog(tmp_path)
    assert len(catalog.topics) == 1
    error = only(list(catalog.errors))
    assert (error.path.name, error.line) == ("two.yaml", 1)
    assert "already used by" in error.message


def test_requires_unknown_topic_and_cycles(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        GOOD.replace("level: beginner", "level: beginner\nrequires: [b, ghost]").replace(
            "id: demo", "id: a"
        )
    )
    (tmp_path / "b.yaml").write_text(
        GOOD.replace("level: beginner", "level: beginner\nrequires: [a]").replace(
            "id: demo", "id: b"
        )
    )
    catalog = load_catalog(tmp_path)
    messages = sorted((e.path.name, e.line, e.message) for e in catalog.errors)
    assert ("a.yaml", 5, "`requires` names unknown topic `ghost`; known: a, b") in messages
    # Each topic of the cycle is told at its own `requires:` line, with the cycle's path.
    assert (
        "a.yaml",
        5,
        "`requires` of `a` leads back to itself (a → b → a); remove a link of the cycle",
    ) in messages
    assert (
        "b.yaml",
        5,
        "`requires` of `b` leads back to itself (b → a → b); remove a link of the cycle",
    ) in messages
    assert {t.id for t in catalog.topics} == {"a", "b"}  # still served


def test_a_cycle_is_reported_at_each_requires_line_only_for_topics_in_it(tmp_path: Path) -> None:
    def topic(name: str, requires: list[str]) -> str:
        block = "".join(f"\n  - {r}" for r in requires)
        return GOOD.replace("id: demo", f"id: {name}").replace(
            "level: beginner", f"level: beginner\ntags: [x]\nrequires:{block}"
        )

    (tmp_path / "a.yaml").write_text(topic("a", ["c"]))
    (tmp_path / "b.yaml").write_text(topic("b", ["a"]))
    (tmp_path / "c.yaml").write_text(topic("c", ["b"]))
    (tmp_path / "d.yaml").write_text(topic("d", ["a"]))  # leads into the cycle, not part of it
    catalog = load_catalog(tmp_path)
    found = sorted((e.path.name, e.line, e.message) for e in catalog.errors)
    assert [(name, line) for name, line, _ in found] == [
        ("a.yaml", 6),
        ("b.yaml", 6),
        ("c.yaml", 6),
    ]
    assert "(a → c → b → a)" in found[0][2]


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    catalog = load_catalog(tmp_path / "nowhere")
    assert catalog.topics == ()
    assert "quiz folder not found" in only(list(catalog.errors)).message
