"""Soak: mixed traffic for a long while at about half the measured capacity (issue #11,
target 6).

    .venv/bin/python -m bench.soak [--minutes 10]

First measures the question page's capacity (wrk, a few seconds), then drives, from a few
client threads paced to about half of it: pages (question, topic, home), answers, runs of
edited snippets, and hostile runs mixed in (fork, memory and output bombs, a CPU loop).
Every 5 s it samples the resident memory of the web process and of the zygote, their
open files, the processes under them and the job folders. Reports server errors (5xx
other than a deliberate 503 "busy"), memory growth against the first minute, and
whether open files, processes or job folders grew once the traffic stopped.
"""

import argparse
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import QUIZZES, Row, choice_question, print_table, server, session_cookie, wrk
from tests.snippets import SEED_OPTIMIZER_STEP

HOSTILE = [
    "import os\nos.fork()\n",
    "x = bytearray(10**10)\n",
    "print('x' * 10**7)\n",
    "import socket\nsocket.socket()\n",
    "open('/etc/passwd').read()\n",
    "while True:\n    pass\n",
]


@dataclass
class Tally:
    sent: int = 0
    server_errors: int = 0
    busy: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int) -> None:
        with self.lock:
            self.sent += 1
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            if status == 503:
                self.busy += 1  # a deliberate "busy, try again" answer
            elif status >= 500:
                self.server_errors += 1


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _descendants(pid: int) -> int:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = 0, {pid}
    while frontier:
        children = {p for p, parent in parents.items() if parent in frontier}
        found += len(children)
        frontier = children
    return found


def _job_folders(root: Path) -> int:
    """Job folders left under the pool's root (the root itself is not one)."""
    return sum(1 for _, dirs, _ in os.walk(root) for d in dirs if d.startswith("job-"))


@dataclass(frozen=True)
class Sample:
    at: float
    web_rss_kb: int
    zygote_rss_kb: int
    open_files: int
    processes: int
    job_folders: int


def measure(seconds: float, quiz_dir: Path = QUIZZES) -> list[Row]:
    """Soak the server for `seconds`; rows for errors, memory and leaks."""
    with tempfile.TemporaryDirectory(prefix="torchquiz-soak-") as tmp:
        jobs = Path(tmp) / "jobs"
        jobs.mkdir()
        env = {"TORCHQUIZ_RUN_JOBS_DIR": str(jobs), "TORCHQUIZ_RUN_WALL_S": "2"}
        with server(Path(tmp) / "data", quiz_dir, env=env) as found:
            return _soak(found.url, found.process.pid, jobs, seconds)


def _soak(url: str, web_pid: int, jobs: Path, seconds: float) -> list[Row]:
    target = choice_question(url)
    pages = [target.question, target.topic, "/"]
    answer = f"/api{target.question}/answer"
    capacity = wrk(url + pages[0], seconds=min(5, max(1, seconds / 10))).rps
    target_rps = capacity / 2
    clients = 8
    tally = Tally()
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        cookie, token = session_cookie(url)
        headers = {"Cookie": cookie, "X-CSRF-Token": token}
        pace = clients / target_rps
        rng = random.Random(index)
        with httpx.Client(base_url=url, timeout=30, headers=headers) as http:
            n = 0
            next_at = time.monotonic()
            while time.monotonic() < stop:
                n += 1
                roll = rng.random()
                if roll < 0.80:
                    kind, response = "page", http.get(pages[n % len(pages)])
                elif roll < 0.95:
                    kind = "answer"
                    response = http.post(
                        answer,
                        json={"choice": target.option},
                        headers={"Idempotency-Key": f"s{index}-{n}"},
                    )
                elif roll < 0.99:
                    kind = "run"
                    response = http.post(
                        "/api/run", json={"code": f"{SEED_OPTIMIZER_STEP}# {index} {n}\n"}
                    )
                else:
                    kind = "hostile"
                    response = http.post("/api/run", json={"code": rng.choice(HOSTILE)})
                tally.note(kind, response.status_code)
                next_at += pace
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_at = time.monotonic()  # behind: do not burst to catch up

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    samples: list[Sample] = []

    def sample() -> Sample:
        zygote = int(httpx.get(f"{url}/healthz", timeout=30).json()["sandbox"]["zygote_pid"])
        return Sample(
            at=time.monotonic() - started,
            web_rss_kb=_rss_kb(web_pid),
            zygote_rss_kb=_rss_kb(zygote),
            open_files=_open_files(web_pid) + _open_files(zygote),
            processes=_descendants(web_pid),
            job_folders=_job_folders(jobs),
        )

    while any(t.is_alive() for t in threads):
        samples.append(sample())
        time.sleep(min(5.0, max(0.5, seconds / 20)))
    for thread in threads:
        thread.join()
    time.sleep(3)  # let the last jobs be reaped and their folders removed
    idle = sample()
    elapsed = time.monotonic() - started
    first = [s for s in samples if s.at <= 60] or samples[:1]
    web_base = max(s.web_rss_kb for s in first)
    zygote_base = max(s.zygote_rss_kb for s in first)
    web_growth = idle.web_rss_kb / web_base - 1
    zygote_growth = idle.zygote_rss_kb / zygote_base - 1
    files_base = max(s.open_files for s in first)
    procs_base = max(s.processes for s in first)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(tally.kinds.items()))
    return [
        Row(
            f"soak {elapsed / 60:.1f} min, {tally.sent / elapsed:.0f} req/s",
            f"{tally.sent} requests ({kinds}); {tally.busy} busy (503)",
            f"{tally.sent / elapsed / capacity:.2f}",
            "~0.5x page capacity",
        ),
        Row(
            "soak: server errors (5xx, not 503 busy)",
            str(tally.server_errors),
            "",
            "0",
            tally.server_errors == 0,
        ),
        Row(
            "soak: RSS web / zygote vs first minute",
            f"{idle.web_rss_kb // 1024} / {idle.zygote_rss_kb // 1024} MiB (web by quarter: "
            f"{_quarters(samples)} MiB)",
            f"{web_growth:+.1%} / {zygote_growth:+.1%}",
            "<= +10%",
            web_growth <= 0.10 and zygote_growth <= 0.10,
        ),
        Row(
            "soak: open files, processes, job folders after",
            f"{idle.open_files} (first min {files_base}), {idle.processes} (first min "
            f"{procs_base}), {idle.job_folders}",
            "",
            "no growth, 0 folders",
            idle.open_files <= files_base
            and idle.processes <= procs_base
            and idle.job_folders == 0,
        ),
    ]


def _quarters(samples: list[Sample]) -> str:
    """The web process's RSS at the end of each quarter of the soak: growth or a plateau."""
    picks = [
        samples[min(len(samples) - 1, round(q * (len(samples) - 1)))] for q in (0.25, 0.5, 0.75, 1)
    ]
    return " / ".join(str(s.web_rss_kb // 1024) for s in picks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--quiz-dir", type=Path, default=QUIZZES)
    args = parser.parse_args()
    print_table(measure(args.minutes * 60, args.quiz_dir))


if __name__ == "__main__":
    main()
