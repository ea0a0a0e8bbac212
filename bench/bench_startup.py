"""Start-up with a large quiz folder, and a restart that runs nothing again (issue #11,
target 5).

    .venv/bin/python -m bench.bench_startup [--topics 100] [--questions 10]

Generates TOPICS x QUESTIONS questions (each topic: a lesson with a snippet, questions of
which one shows a snippet) in a temporary folder, starts the server and measures the time
to /readyz; waits until every authored output is computed, stops, starts again on the same
data folder, and reads the sandbox's job count once warm: a restart must run 0 jobs (the
outputs are in the database's `authored_output` table).
"""

import argparse
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import Row, print_table, start_server, stop_server, wait_ready


def generate(folder: Path, topics: int, questions: int) -> None:
    """A quiz folder of `topics` files with `questions` questions each."""
    folder.mkdir(parents=True, exist_ok=True)
    for t in range(topics):
        lines = [
            f"id: generated-{t:03d}",
            f"title: Generated topic {t}",
            "summary: A topic the start-up benchmark made.",
            "level: beginner",
            "lesson: |",
            f"  Topic {t} multiplies a tensor.",
            "",
            "  ```python",
            "  import torch",
            f"  print(torch.arange(3) * {t})",
            "  ```",
            "questions:",
        ]
        for q in range(questions):
            lines += [
                f"  - id: q{q:02d}",
                "    kind: choice",
                f"    prompt: What does `2 * {q}` give (question {q} of topic {t})?",
            ]
            if q == 0:
                lines += [
                    "    code: |",
                    "      import torch",
                    f"      print(torch.tensor({t}) + {q})",
                ]
            lines += [
                "    options:",
                f"      - text: '{2 * q}'",
                "        correct: true",
                f"      - text: '{2 * q + 1}'",
                "        misconception: Off by one.",
                "    steps: [Multiply.]",
                f"    quick_check: 2 * {q} = {2 * q}",
            ]
        (folder / f"generated-{t:03d}.yaml").write_text("\n".join(lines) + "\n")


def _start(data_dir: Path, quiz_dir: Path) -> tuple[float, int, float]:
    """Start, time /readyz, wait until warm; (seconds to ready, jobs run, seconds to warm)."""
    started = time.monotonic()
    process, url, log = start_server(data_dir, quiz_dir)
    try:
        wait_ready(url, process, log, timeout_s=300)
        ready = time.monotonic() - started
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        if health["content_errors"]:
            raise RuntimeError(f"generated quiz folder has errors; server log: {log}")
        while True:
            sandbox = httpx.get(f"{url}/healthz", timeout=10).json()["sandbox"]
            if sandbox.get("warmed"):
                break
            time.sleep(0.1)
        return ready, int(sandbox["jobs_run"]), time.monotonic() - started
    finally:
        stop_server(process)


def measure(topics: int = 100, questions: int = 10) -> list[Row]:
    """Rows: first start and restart to /readyz, and the jobs each ran."""
    with tempfile.TemporaryDirectory(prefix="torchquiz-startup-") as tmp:
        quiz_dir, data_dir = Path(tmp) / "quizzes", Path(tmp) / "data"
        generate(quiz_dir, topics, questions)
        first_ready, first_jobs, first_warm = _start(data_dir, quiz_dir)
        again_ready, again_jobs, again_warm = _start(data_dir, quiz_dir)
    size = f"{topics} topics / {topics * questions} questions"
    return [
        Row(
            f"start to /readyz, {size}",
            f"{first_ready:.1f} s (all outputs computed at {first_warm:.1f} s, {first_jobs} runs)",
            "",
            "< 10 s",
            first_ready < 10,
        ),
        Row(
            "restart to /readyz, same data folder",
            f"{again_ready:.1f} s (warm at {again_warm:.1f} s)",
            "",
            "< 10 s",
            again_ready < 10,
        ),
        Row(
            "authored runs on restart",
            f"{again_jobs} (first start: {first_jobs})",
            "",
            "0",
            again_jobs == 0 and first_jobs > 0,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=100)
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    print_table(measure(args.topics, args.questions))


if __name__ == "__main__":
    main()
