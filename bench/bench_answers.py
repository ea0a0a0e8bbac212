"""Answers from 50 concurrent learners, none lost (issue #11, target 2).

    .venv/bin/python -m bench.bench_answers [--seconds 10]

50 learners, each with its own session and CSRF token, POST answers to a choice question
through `wrk -t2 -c50` (each request the next learner's, each with its own Idempotency-Key);
the bare route is measured on the same server before and after. Afterwards the attempts
in the database are counted: every answer wrk saw acknowledged (200) must be stored.
The same load on the answer floor (bench/app.py: the answer route's middleware,
dependencies and body, then a constant reply) shows what any answer costs before it is
graded, stored or explained.
"""

import sqlite3
from pathlib import Path

from bench.app import ANSWER_FLOOR_PREFIX
from bench.common import (
    BARE,
    QUIZZES,
    WRK_DONE,
    Row,
    choice_question,
    learners_lua,
    ratio,
    server,
    session_cookie,
    stop_server,
    wrk,
    wrk_cli,
)

LEARNERS = 50

# Lua after learners_lua(): each answer with its own Idempotency-Key; count the 200s
# each wrk thread saw.
_SCRIPT = """
acked = 0
request = function()
  local headers, n = learner_headers()
  headers["Idempotency-Key"] = "bench-" .. tid .. "-" .. n
  return wrk.format("POST", nil, headers, '{"choice": "%(option)s"}')
end
response = function(status, headers, body)
  if status == 200 then acked = acked + 1 end
end
%(done)s
"""

_DONE_ACKED = """
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("acked") end
  io.write(string.format("\\nACKED %d\\n", total))
"""


def count_attempts(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "torchquiz.db") as db:
        return int(db.execute("SELECT count(*) FROM attempt").fetchone()[0])


def measure(seconds: float, data_dir: Path | None = None, quiz_dir: Path = QUIZZES) -> list[Row]:
    """Answers/s as a ratio to the bare route, p99, and acknowledged answers missing."""
    with server(data_dir, quiz_dir) as found:
        url = found.url
        target = choice_question(url)
        sessions = [session_cookie(url) for _ in range(LEARNERS)]
        done = WRK_DONE.replace("\nend\n", _DONE_ACKED + "end\n", 1)
        script = learners_lua(sessions) + _SCRIPT % {"done": done, "option": target.option}
        before = wrk(url + BARE, seconds=seconds)
        floor = wrk(
            url + f"{ANSWER_FLOOR_PREFIX}{target.question}/answer", seconds=seconds, script=script
        )
        stored_before = count_attempts(found.data_dir)
        result = wrk(url + f"/api{target.question}/answer", seconds=seconds, script=script)
        after = wrk(url + BARE, seconds=seconds)
        stop_server(found.process)
        # The server is stopped: whatever it acknowledged must be in the database now.
        stored = count_attempts(found.data_dir) - stored_before
    acked = int(next(x for x in result.output.splitlines() if x.startswith("ACKED ")).split()[1])
    base = (before.rps + after.rps) / 2
    share = ratio(result.rps, base)
    missing = max(0, acked - stored)
    errors = f", {result.errors} errors" if result.errors else ""
    return [
        Row(
            "bare route (answers run), wrk -t2 -c50",
            f"{base:.0f} req/s (before {before.rps:.0f}, after {after.rps:.0f})",
            "1.00",
        ),
        Row(
            "answer floor: the route's middleware, dependencies, body; constant reply",
            f"{floor.rps:.0f} req/s",
            f"{ratio(floor.rps, base):.2f}",
        ),
        Row(
            f"POST .../answer, {LEARNERS} learners",
            f"{result.rps:.0f} req/s{errors}",
            f"{share:.2f}",
            ">= 0.12x",
            share >= 0.12 and not result.errors,
        ),
        Row(
            "POST .../answer p99 (p50)",
            f"{result.p99_ms:.0f} ms ({result.p50_ms:.1f} ms)",
            "",
            "<= 100 ms",
            result.p99_ms <= 100,
        ),
        Row(
            "acknowledged answers missing",
            f"{missing} (acked {acked}, stored {stored})",
            "",
            "0",
            missing == 0 and acked > 0,
        ),
    ]


def main() -> None:
    wrk_cli(__doc__, measure)


if __name__ == "__main__":
    main()
