"""The `torchquiz` command as an author and an operator use it."""

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.helpers import FIXTURE_QUIZZES

runner = CliRunner()


def test_check_passes_on_the_fixtures() -> None:
    # The course itself is checked by `make check`, which `make test` runs before the suite.
    result = runner.invoke(cli, ["check", str(FIXTURE_QUIZZES)])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_check_reports_path_line_col_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: [\n")
    result = runner.invoke(cli, ["check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:3:1: YAML syntax error" in result.output
    assert "Traceback" not in result.output


def test_check_a_missing_path(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_db_upgrade_creates_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHQUIZ_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    database = tmp_path / "data" / "torchquiz.db"
    tables = {n for (n,) in sqlite3.connect(database).execute("select name from sqlite_master")}
    assert {"learner", "attempt", "alembic_version"} <= tables
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
