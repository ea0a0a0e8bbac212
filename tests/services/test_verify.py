"""`torchquiz check` runs every snippet: content PyTorch disagrees with is an error at its line."""

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli
from app.content.schema import json_schema
from tests.helpers import BROKEN, COURSE_QUIZZES, FIXTURE_QUIZZES, expectation

runner = CliRunner()


def test_every_runtime_mistake_is_reported_at_its_line(monkeypatch: object) -> None:
    folder = BROKEN / "runtime"
    # One run over the whole folder: one sandbox start for every file.
    result = runner.invoke(cli, ["check", str(folder)], env={"TORCHQUIZ_RUN_WALL_S": "2"})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for path in sorted(folder.glob("*.yaml")):
        line, words = expectation(path)
        reports = [r for r in result.output.splitlines() if r.startswith(f"{path}:")]
        assert any(r.startswith(f"{path}:{line}:") for r in reports), (path.name, reports)
        assert words.split("\n")[0] in result.output, (path.name, words)


def test_fixtures_pass_when_run() -> None:
    result = runner.invoke(cli, ["check", str(FIXTURE_QUIZZES)])
    assert result.exit_code == 0, result.output
    assert "(snippets run), 0 problem(s)" in result.output


def test_committed_schema_is_up_to_date() -> None:
    committed = json.loads((COURSE_QUIZZES / "torchquiz.schema.json").read_text())
    assert committed == json_schema(), (
        "run: .venv/bin/torchquiz schema > quizzes/torchquiz.schema.json"
    )


def test_every_quiz_file_points_editors_at_the_schema() -> None:
    for path in sorted(COURSE_QUIZZES.glob("*.yaml")):
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=torchquiz.schema.json", path.name


def test_schema_command_prints_the_schema() -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "torchquiz topic"


def test_check_without_running(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", "--no-run", str(BROKEN / "runtime")])
    assert result.exit_code == 0, result.output
    assert "(snippets not run)" in result.output


def test_a_code_question_with_fewer_than_two_wrong_answers_is_a_warning() -> None:
    # kinds.yaml: make-sgd has 2 wrong answers, scale-rows and variant-scale 1 each.
    kinds = FIXTURE_QUIZZES / "kinds.yaml"
    result = runner.invoke(cli, ["check", "--no-run", str(kinds)])
    assert result.exit_code == 0, result.output  # a warning never fails the check
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert [w.split("`")[1] for w in warnings] == ["scale-rows", "variant-scale"]
    assert warnings[0].startswith(f"{kinds}:83:1: warning: question `scale-rows` has 1 `wrong`")
    assert "0 problem(s), 2 warning(s)" in result.output


def test_warnings_come_with_the_problems_without_changing_their_exit_code() -> None:
    # A file with problems still fails, and its code questions are still warned about.
    result = runner.invoke(
        cli, ["check", "--no-run", str(FIXTURE_QUIZZES), str(BROKEN / "structure")]
    )
    assert result.exit_code == 1
    assert ": warning: question `scale-rows`" in result.output
