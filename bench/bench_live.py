"""Live code through real HTTP, against a real server (issue #11, target 4).

    .venv/bin/python -m bench.bench_live [--runs 40] [--seconds 10]

Prints, from one run on this machine:
1. median latency of POST /api/run for the seed's optimizer-step snippet (warm) against a
   cold `python -c` of the same code, and their ratio (target: at least 150x, <= 15 ms);
2. sustained sandboxed runs per second with 8 concurrent clients (target: at least 100/s);
3. page latency (median, p99) of another learner while the sandbox is saturated, against
   the same page on an idle server.
Not a test: nothing here asserts; the numbers go into docs/benchmarks.md.
"""

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.common import (
    QUIZZES,
    WRK_DONE,
    Row,
    choice_question,
    learners_lua,
    print_table,
    server,
    session_cookie,
    wrk,
)
from tests.snippets import SEED_OPTIMIZER_STEP as SEED_SNIPPET


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Client:
    """A learner with a session and a CSRF token."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        self.token = self.http.get("/api/session").json()["csrf_token"]

    def run(self, code: str) -> httpx.Response:
        return self.http.post("/api/run", json={"code": code}, headers={"X-CSRF-Token": self.token})


def cold_python(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", SEED_SNIPPET], check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def warm_http(client: Client, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        code = f"{SEED_SNIPPET}# run {i}\n"  # unique: never served from the authored cache
        start = time.perf_counter()
        response = client.run(code)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and response.json()["status"] == "ok", response.text
    return times


# Lua after learners_lua(): each run's code unique (a comment with the wrk thread and a
# counter) so that none is served from the authored-output cache; count the runs that
# came back "ok" and those that did not.
_SCRIPT = """
local prefix = [==[%(prefix)s]==]
ok = 0
refused = 0
request = function()
  local headers, n = learner_headers()
  return wrk.format("POST", nil, headers, prefix .. "# wrk " .. tid .. " run " .. n .. '"}')
end
response = function(status, headers, body)
  if status == 200 and string.find(body, '"status":"ok"', 1, true) then
    ok = ok + 1
  else
    refused = refused + 1
  end
end
%(done)s
"""

_DONE_COUNTS = """
  local good, bad = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    bad = bad + thread:get("refused")
  end
  io.write(string.format("\\nRUNS %d %d\\n", good, bad))
"""


def sustained(url: str, clients: int, seconds: float) -> tuple[int, int, float]:
    """`wrk -t2 -c<clients>` POSTing unique runs of the seed snippet from `clients`
    learners: (runs ok, runs not ok, seconds)."""
    learners = learners_lua([session_cookie(url) for _ in range(clients)])
    prefix = json.dumps({"code": SEED_SNIPPET})[: -len('"}')]
    done = WRK_DONE.replace("\nend\n", _DONE_COUNTS + "end\n", 1)
    script = learners + _SCRIPT % {"prefix": prefix, "done": done}
    result = wrk(url + "/api/run", seconds=seconds, connections=clients, script=script)
    line = next(x for x in result.output.splitlines() if x.startswith("RUNS "))
    good, bad = (int(x) for x in line.split()[1:])
    return good, bad + result.errors - result.status_errors, result.seconds


def page_latencies(url: str, page: str, count: int) -> list[float]:
    with httpx.Client(base_url=url, timeout=30) as http:
        http.get(page)
        times = []
        for _ in range(count):
            start = time.perf_counter()
            assert http.get(page).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
    return times


def measure(
    seconds: float, runs: int = 40, data_dir: Path | None = None, quiz_dir: Path = QUIZZES
) -> list[Row]:
    """Rows: warm run through HTTP against cold python, runs/s with 8 clients, and a page's
    latency while the sandbox is saturated."""
    # Once the server has computed its authored outputs (363 runs, ~9 s after it is
    # ready here): measured during that warm-up, every run shares the sandbox with it.
    with server(data_dir, quiz_dir) as found:
        page = choice_question(found.url).question
        client = Client(found.url)
        warm_http(client, 5)  # first runs pay for page faults in the zygote
        warm = warm_http(client, runs)
        cold = cold_python(max(3, runs // 8))
        idle_pages = page_latencies(found.url, page, 200)
        done, refused, elapsed = sustained(found.url, 8, seconds)
        loader = threading.Thread(target=sustained, args=(found.url, 8, seconds))
        loader.start()
        time.sleep(min(1.0, seconds / 4))
        busy_pages = page_latencies(found.url, page, 200)
        loader.join()
    warm_median, cold_median = statistics.median(warm), statistics.median(cold)
    rate = done / elapsed
    return [
        Row(
            "POST /api/run, seed snippet, median",
            f"{warm_median:.1f} ms (p90 {percentile(warm, 0.9):.1f} ms, {len(warm)} runs)",
            "",
            "<= 15 ms",
            warm_median <= 15,
        ),
        Row(
            "cold `python -c`, same code / warm run",
            f"{cold_median:.0f} ms",
            f"{cold_median / warm_median:.0f}x",
            ">= 150x",
            cold_median / warm_median >= 150,
        ),
        Row(
            "sandboxed runs/s, 8 clients",
            f"{rate:.1f} runs/s ({done} ok, {refused} refused)",
            "",
            ">= 100/s",
            rate >= 100,
        ),
        Row(
            "question page idle / sandbox saturated, p99",
            f"{percentile(idle_pages, 0.99):.1f} ms / {percentile(busy_pages, 0.99):.1f} ms",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quiz-dir", type=Path, default=QUIZZES)
    args = parser.parse_args()
    print_table(measure(args.seconds, args.runs, quiz_dir=args.quiz_dir))


if __name__ == "__main__":
    main()
