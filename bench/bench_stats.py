"""Statistics benchmark (not a test): the Authors statistics of one topic over 100,000
attempts, on SQLite, against the time to count those attempts.

    .venv/bin/python -m bench.bench_stats [--attempts 100000] [--learners 5000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from app.content import load_catalog  # noqa: E402
from app.services.authoring.statistics import topic_stats  # noqa: E402
from app.store.database import make_engine  # noqa: E402
from app.store.migrations import upgrade  # noqa: E402
from app.store.models import Attempt, Learner, utcnow  # noqa: E402
from bench.common import Row, print_table  # noqa: E402

COURSE = Path(__file__).resolve().parents[1] / "quizzes"


def fill(url: str, topic_id: str, questions: list[str], attempts: int, learners: int) -> None:
    engine = make_engine(url)
    rng = random.Random(0)
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            insert(Learner), [{"id": f"l{i}", "created_at": now} for i in range(learners)]
        )
        rows = []
        for n in range(attempts):
            learner = f"l{rng.randrange(learners)}"
            question = rng.choice(questions)
            right = rng.random() < 0.6
            rows.append(
                {
                    "learner_id": learner,
                    "topic_id": topic_id,
                    "question_id": question,
                    "answer": '{"choice": "a"}',
                    "correct": right,
                    "outcome": "right" if right else rng.choice("abc"),
                    "time_taken_ms": rng.randrange(2_000, 90_000),
                    "created_at": now,
                }
            )
            if len(rows) == 10_000 or n == attempts - 1:
                connection.execute(insert(Attempt), rows)
                rows = []
    engine.dispose()


def measure(attempts: int = 100_000, learners: int = 5_000) -> list[Row]:
    """The statistics of the first course topic over `attempts` attempts, best of three."""
    topic = load_catalog(COURSE).topics[0]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        fill(url, topic.id, [q.id for q in topic.questions], attempts, learners)
        engine = make_engine(url)
        started = time.perf_counter()
        with engine.connect() as connection:
            connection.execute(text("select count(*) from attempt")).scalar()
        count_s = time.perf_counter() - started
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            topic_stats(engine=engine, topic=topic)
            timings.append(time.perf_counter() - started)
        engine.dispose()
    best = min(timings)
    return [
        Row(
            f"author statistics of one topic, {attempts:,} attempts (SQLite)",
            f"{best * 1000:.0f} ms",
            f"{best / count_s:.0f}x a count(*)" if count_s else "",
            "one SQL aggregation per topic, not per attempt",
            True,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--learners", type=int, default=5_000)
    args = parser.parse_args()
    print_table(measure(args.attempts, args.learners))


if __name__ == "__main__":
    main()
