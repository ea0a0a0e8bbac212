"""Live code through real HTTP, against a real server: the figures issue #3 asks for.

    .venv/bin/python bench/bench_live.py [--runs 40] [--seconds 10]

Prints, from one run on this machine:
1. median latency of POST /api/run for the seed's optimizer-step snippet (warm) against a
   cold `python -c` of the same code, and their ratio (target: at least 25x);
2. sustained sandboxed runs per second with 8 concurrent clients (target: at least 40/s);
3. page latency (median, p99) of another learner while the sandbox is saturated, against
   the same page on an idle server.
Not a test: nothing here asserts; the numbers go into docs/benchmarks.md.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live_server import live_server  # noqa: E402
from tests.snippets import SEED_OPTIMIZER_STEP as SEED_SNIPPET  # noqa: E402

PAGE = "/topics/weight-decay/questions/printed-change"


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


def sustained(url: str, clients: int, seconds: float) -> tuple[int, int, float]:
    done = [0] * clients
    refused = [0] * clients
    stop = time.perf_counter() + seconds

    def work(index: int) -> None:
        client = Client(url)
        i = 0
        while time.perf_counter() < stop:
            response = client.run(f"{SEED_SNIPPET}# client {index} run {i}\n")
            i += 1
            if response.status_code == 200 and response.json()["status"] == "ok":
                done[index] += 1
            else:
                refused[index] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), sum(refused), time.perf_counter() - start


def page_latencies(url: str, count: int) -> list[float]:
    with httpx.Client(base_url=url, timeout=30) as http:
        http.get(PAGE)
        times = []
        for _ in range(count):
            start = time.perf_counter()
            assert http.get(PAGE).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {"TORCHQUIZ_RUN_RATE_PER_MIN": "0", "TORCHQUIZ_RUN_QUEUE": "64"}
        with live_server(Path(tmp) / "data", ROOT / "quizzes", env=env) as server:
            client = Client(server.url)
            warm_http(client, 5)  # first runs pay for page faults in the zygote
            warm = warm_http(client, args.runs)
            cold = cold_python(max(5, args.runs // 8))
            idle_pages = page_latencies(server.url, 200)

            done, refused, elapsed = sustained(server.url, 8, args.seconds)

            busy_pages: list[float] = []
            loader = threading.Thread(target=sustained, args=(server.url, 8, args.seconds))
            loader.start()
            time.sleep(1.0)
            busy_pages = page_latencies(server.url, 200)
            loader.join()

    warm_median, cold_median = statistics.median(warm), statistics.median(cold)
    print(
        f"POST /api/run, seed snippet, warm: median {warm_median:.1f} ms "
        f"(p90 {percentile(warm, 0.9):.1f} ms, {len(warm)} runs)"
    )
    print(f"cold `python -c`, same code:     median {cold_median:.0f} ms ({len(cold)} runs)")
    print(f"ratio cold / warm:               {cold_median / warm_median:.0f}x  (target >= 25x)")
    print(
        f"sustained, 8 concurrent clients: {done / elapsed:.1f} runs/s "
        f"({done} ok, {refused} refused or failed, {elapsed:.1f} s)  (target >= 40/s)"
    )
    print(
        f"question page, idle server:      median {statistics.median(idle_pages):.1f} ms, "
        f"p99 {percentile(idle_pages, 0.99):.1f} ms"
    )
    print(
        f"question page, sandbox saturated: median {statistics.median(busy_pages):.1f} ms, "
        f"p99 {percentile(busy_pages, 0.99):.1f} ms"
    )


if __name__ == "__main__":
    main()
