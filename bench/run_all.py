"""`make bench`: every benchmark, one after another, and one table of all their figures.

    .venv/bin/python -m bench.run_all [--seconds 10] [--soak-minutes 0]

The page, answer and static benchmarks share one data folder, so the authored outputs
are computed once; the start-up benchmark makes its own quiz and data folders. The soak
(bench/soak.py, 10 minutes) runs only when asked: `--soak-minutes 10`.
"""

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import (
    bench_answers,
    bench_live,
    bench_pages,
    bench_startup,
    bench_static,
    bench_stats,
    soak,
)
from bench.common import Row, ensure_wrk, print_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per wrk measurement")
    parser.add_argument("--soak-minutes", type=float, default=0.0)
    args = parser.parse_args()
    ensure_wrk()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="torchquiz-bench-") as tmp:
        data = Path(tmp) / "data"
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("pages", lambda: bench_pages.measure(args.seconds, data)),
            ("answers", lambda: bench_answers.measure(args.seconds, data)),
            ("static", lambda: bench_static.measure(args.seconds, data)),
            ("live runs", lambda: bench_live.measure(args.seconds, 40, data)),
            ("start-up", lambda: bench_startup.measure()),
            ("statistics", lambda: bench_stats.measure()),
        ]
        for name, step in steps:
            print(f"bench: {name} ...", flush=True)  # noqa: T201
            rows += step()
        if args.soak_minutes > 0:
            print(f"bench: soak, {args.soak_minutes} min ...", flush=True)  # noqa: T201
            rows += soak.measure(args.soak_minutes * 60)
    print()  # noqa: T201
    print_table(rows)


if __name__ == "__main__":
    main()
