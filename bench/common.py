"""What every benchmark shares: a real server (bench/server.py) on loopback, `wrk` as the
load generator, and the rows of the one table `make bench` prints."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live_server import free_port  # noqa: E402

BARE = "/bench/bare"
QUIZZES = ROOT / "quizzes"


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, its value, its ratio (if any), the target, met?"""

    figure: str
    value: str
    ratio: str = ""
    target: str = ""
    met: bool | None = None  # None: a figure with no target of its own


def print_table(rows: list[Row]) -> None:
    """The rows as one Markdown table (it reads in a terminal and pastes into the docs)."""
    head = ("figure", "value", "ratio", "target", "met?")
    cells = [
        (r.figure, r.value, r.ratio, r.target, {True: "yes", False: "NO", None: ""}[r.met])
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(5)]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    print(line(head))  # noqa: T201
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")  # noqa: T201
    for cell in cells:
        print(line(cell))  # noqa: T201
    sys.stdout.flush()


def ensure_wrk() -> str:
    """The path of `wrk`; installs Debian's package when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("bench: `wrk` is missing; install it (Debian: apt-get install -y wrk)")


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log: Path

    def sandbox(self) -> dict[str, Any]:
        """The sandbox part of /healthz."""
        sandbox: dict[str, Any] = httpx.get(f"{self.url}/healthz", timeout=10).json()["sandbox"]
        return sandbox


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Wait for /readyz to say 200, or fail with the server's log."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server not ready after {timeout_s} s:\n{log.read_text()}")
        time.sleep(0.02)


def start_server(
    data_dir: Path, quiz_dir: Path, env: Mapping[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """Start bench/server.py; returns the process, its URL and its log file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = data_dir / f"server-{port}.log"
    environment = {
        **os.environ,
        "TORCHQUIZ_DATA_DIR": str(data_dir),
        "TORCHQUIZ_QUIZ_DIR": str(quiz_dir),
        "TORCHQUIZ_RUN_RATE_PER_MIN": "0",
        "TORCHQUIZ_RUN_QUEUE": "64",
        # Every benchmark learner is anonymous: measure the whole pool, not the share
        # anonymous runs get beside signed-in learners.
        "TORCHQUIZ_RUN_ANONYMOUS_WORKERS": "64",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    command = [sys.executable, "-m", "bench.server", "--port", str(port)]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT
        )
    return process, f"http://127.0.0.1:{port}", log


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def server(
    data_dir: Path | None = None,
    quiz_dir: Path = QUIZZES,
    env: Mapping[str, str] | None = None,
    warmed: bool = True,
) -> Iterator[Server]:
    """A bench server until the block ends; by default once every authored output is known
    (so a page never waits for the sandbox)."""
    with tempfile.TemporaryDirectory(prefix="torchquiz-bench-") as tmp:
        folder = data_dir or Path(tmp) / "data"
        process, url, log = start_server(folder, quiz_dir, env)
        try:
            wait_ready(url, process, log, timeout_s=120)
            found = Server(url, process, folder, log)
            deadline = time.monotonic() + 600
            while warmed and not found.sandbox().get("warmed", True):
                if time.monotonic() > deadline:
                    raise RuntimeError("authored outputs still not computed after 600 s")
                time.sleep(0.2)
            yield found
        finally:
            stop_server(process)


# Prints one JSON line at the end: wrk's own totals and latency percentiles (microseconds).
_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout + e.status, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    bytes: int
    errors: int
    status_errors: int
    timeouts: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    output: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int = 50,
    threads: int = 2,
    headers: Mapping[str, str] | None = None,
    script: str = "",
) -> WrkResult:
    """Run `wrk -t2 -c50` against `url` for `seconds`; `script` is extra Lua (request(),
    response(), setup() ...) and may print its own `WRKEXTRA` lines from done()."""
    binary = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + ("" if "done = function" in script else _WRK_DONE))
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", lua.name]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    try:
        done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    finally:
        os.unlink(lua.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        bytes=data["bytes"],
        errors=data["errors"],
        status_errors=data["status_errors"],
        timeouts=data["timeouts"],
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        output=done.stdout,
    )


WRK_DONE = _WRK_DONE


def session_cookie(url: str) -> tuple[str, str]:
    """A new learner's session: its cookie header value and its CSRF token."""
    with httpx.Client(base_url=url, timeout=30) as client:
        token = client.get("/api/session").json()["csrf_token"]
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return cookie, token


# Lua for wrk: many learners' POSTs, round-robin. `learner_headers()` gives the next
# learner's cookie, CSRF token and a JSON content type, and the request's number in its
# wrk thread (`tid`, set per thread); `threads` lets done() add up per-thread counters.
_LEARNERS_LUA = """
local learners = {@LEARNERS@}
local threads = {}
local counter = 0
local tid = 0
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
init = function(args)
  tid = wrk.thread:get("tid")
end
local function learner_headers()
  counter = counter + 1
  local l = learners[(counter % #learners) + 1]
  local headers = {}
  headers["Cookie"] = l[1]
  headers["X-CSRF-Token"] = l[2]
  headers["Content-Type"] = "application/json"
  return headers, counter
end
"""


def learners_lua(sessions: Sequence[tuple[str, str]]) -> str:
    """The wrk Lua that round-robins over `sessions` (cookie, CSRF token): see _LEARNERS_LUA."""
    listed = ",".join(f'{{"{cookie}", "{token}"}}' for cookie, token in sessions)
    return _LEARNERS_LUA.replace("@LEARNERS@", listed)


def ratio(value: float, base: float) -> float:
    return value / base if base else 0.0


@dataclass(frozen=True)
class Target:
    """The pages a benchmark uses: a topic, one of its choice questions and an option."""

    topic: str  # /topics/<id>
    question: str  # /topics/<id>/questions/<id>
    option: str


def choice_question(url: str, prefer: str = "weight-decay") -> Target:
    """A choice question to drive (in the topic `prefer` when there is one), from the API."""
    with httpx.Client(base_url=url, timeout=30) as client:
        topics = [t["id"] for t in client.get("/api/topics").json()["topics"]]
        for topic in sorted(topics, key=lambda t: t != prefer):
            for link in client.get(f"/api/topics/{topic}").json()["questions"]:
                page = client.get(f"/api{link['url']}").json()["question"]
                if page["kind"] == "choice":
                    return Target(f"/topics/{topic}", link["url"], page["options"][0]["id"])
    raise RuntimeError("bench: the quiz folder has no choice question")


def wrk_cli(doc: str | None, measure: Callable[..., list[Row]]) -> None:
    """The command line of a benchmark measured with wrk: --seconds, --quiz-dir, its table."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quiz-dir", type=Path, default=QUIZZES)
    args = parser.parse_args()
    print_table(measure(args.seconds, quiz_dir=args.quiz_dir))
