"""Every benchmark script runs for about a second, so that none of them rots. Nothing here
looks at the figures: they are for `make bench` and docs/benchmarks.md, never asserted."""

import subprocess
import sys

import pytest

from tests.helpers import FIXTURE_QUIZZES, TESTS_DIR

ROOT = TESTS_DIR.parent
QUIZ = ["--quiz-dir", str(FIXTURE_QUIZZES)]


@pytest.mark.parametrize(
    "arguments",
    [
        ["bench.bench_pages", "--seconds", "1", *QUIZ],
        ["bench.bench_answers", "--seconds", "1", *QUIZ],
        ["bench.bench_static", "--seconds", "1", *QUIZ],
        ["bench.bench_live", "--seconds", "1", "--runs", "2", *QUIZ],
        ["bench.bench_startup", "--topics", "3", "--questions", "2"],
        ["bench.soak", "--minutes", "0.05", *QUIZ],
        ["bench.bench_stats", "--attempts", "200", "--learners", "20"],
    ],
    ids=lambda arguments: arguments[0],
)
def test_benchmark_runs_and_prints_its_table(arguments: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=280
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("| figure") and len(lines) > 2, done.stdout


def test_make_bench_entry_point_loads() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0 and "--soak-minutes" in done.stdout, done.stderr
