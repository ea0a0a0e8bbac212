"""The checks of scripts/image-smoke.sh: run the built image with podman in several ways
and use it over HTTP as a learner (and an attacker) would. Exits non-zero on the first
failure, saying what failed; prints what it measured."""

from __future__ import annotations

import argparse
import json
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# The memory scan of the hostile battery's isolation-in-time cases (tests/ is not a package
# the image has, so this script, run from a checkout, takes it from there).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.sandbox.hostile_time import _SCAN as MEMORY_SCAN  # noqa: E402

# CHOWN, KILL, SETGID, SETUID: what the launcher and its zygotes keep.
ZYGOTE_CAPS = (1 << 0) | (1 << 5) | (1 << 6) | (1 << 7)
KEPT_CAPS = ["CHOWN", "KILL", "SETGID", "SETUID"]
DENIED = "Not allowed here"
JOB_UID = 65534
# The image runs with the default TORCHQUIZ_RUN_SPARES (2).
MAX_SPARES = 2
# Places a job must never write to; each must be absent after the battery.
ESCAPES = [
    "/tmp/escape",
    "/var/tmp/escape",
    "/dev/shm/escape",
    "/run/lock/escape",
    "/data/escape",
    "/app/escape",
    "/venv/escape",
    "/quizzes/escape",
    "/escape",
]


def say(message: str) -> None:
    print(f"[image-smoke] {message}", file=sys.stderr, flush=True)  # noqa: T201


class SmokeFailure(Exception):
    pass


def expect(ok: bool, what: str) -> None:
    if not ok:
        raise SmokeFailure(what)


def podman(
    *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise SmokeFailure(f"podman {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Lists every process in the container with its uids and effective capabilities.
PS = """
import json, os
rows = []
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        status = dict(l.split(':', 1) for l in open(f'/proc/{pid}/status').read().splitlines())
        cmd = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode()
    except OSError:
        continue
    rows.append({'pid': int(pid), 'ppid': int(status['PPid']), 'uid': int(status['Uid'].split()[1]),
                 'cap': int(status['CapEff'].strip(), 16), 'state': status['State'].split()[0],
                 'cmd': cmd.strip()})
print(json.dumps(rows))
"""


@dataclass
class Container:
    name: str
    image: str
    volume: str
    run_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        podman(
            "run", "-d", "--init", "--name", self.name,
            "-p", f"127.0.0.1:{self.port}:8000",
            "-v", f"{self.volume}:/data",
            *self.run_args, self.image,
        )  # fmt: skip

    def logs(self) -> str:
        done = podman("logs", self.name, check=False)
        return done.stdout + done.stderr

    def wait_healthy(self, timeout_s: float = 240) -> float:
        """Run the image's HEALTHCHECK until it passes (no systemd timers here to run it)."""
        began = time.monotonic()
        while True:
            state = podman("inspect", "--format", "{{.State.Status}}", self.name).stdout.strip()
            if state != "running":
                raise SmokeFailure(f"{self.name} is {state}:\n{self.logs()}")
            if podman("healthcheck", "run", self.name, check=False).returncode == 0:
                break
            if time.monotonic() - began > timeout_s:
                raise SmokeFailure(f"{self.name} not healthy after {timeout_s} s:\n{self.logs()}")
            time.sleep(1)
        health = podman("inspect", "--format", "{{.State.Health.Status}}", self.name, check=False)
        status = (
            health.stdout.strip()
            or podman(
                "inspect", "--format", "{{.State.Healthcheck.Status}}", self.name
            ).stdout.strip()
        )
        expect(status == "healthy", f"podman reports {self.name} as {status!r}")
        return time.monotonic() - began

    def exec(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        # Privileged: the inspection must see everything, whatever the container may do.
        return podman("exec", "--privileged", self.name, *command, check=check)

    def processes(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(self.exec("python3", "-c", PS).stdout)
        return rows

    def remove(self) -> None:
        podman("rm", "-f", "-t", "0", self.name, check=False)


class Learner:
    """One learner's session (cookie and CSRF token) against one server."""

    def __init__(self, url: str, cookies: httpx.Cookies | None = None) -> None:
        self.http = httpx.Client(base_url=url, timeout=60, cookies=cookies)
        self.token = self.http.get("/api/session").json()["csrf_token"]

    def run(self, code: str) -> dict[str, Any]:
        for _ in range(3):
            response = self.http.post(
                "/api/run", json={"code": code}, headers={"X-CSRF-Token": self.token}
            )
            if response.status_code != 429:
                break
            # Every learner here comes from this host's address: anonymous runs beyond
            # TORCHQUIZ_RUN_RATE_PER_ADDRESS_PER_MIN wait for the window, as a person would.
            time.sleep(float(response.headers.get("Retry-After", "60")))
        expect(response.status_code == 200, f"/api/run: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def answer_first_choice_question(self) -> tuple[str, str]:
        topics = self.http.get("/api/topics").json()["topics"]
        for topic in topics:
            page = self.http.get(f"/api/topics/{topic['id']}").json()
            for link in page["questions"]:
                question = self.http.get("/api" + link["url"]).json()["question"]
                if question["kind"] != "choice":
                    continue
                response = self.http.post(
                    question["answer_url"],
                    json={"choice": question["options"][0]["id"]},
                    headers={"X-CSRF-Token": self.token},
                )
                expect(response.status_code == 200, f"answer: {response.text}")
                expect("correct" in response.json(), "an answer's feedback says if it is right")
                return topic["id"], question["id"]
        raise SmokeFailure("no choice question in the course")

    def attempts(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.http.get("/api/progress").json()["attempts"]
        return rows

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True)
class Hostile:
    name: str
    code: str
    must_lack: tuple[str, ...] = ()  # in stdout and stderr


def battery(secret: str) -> list[Hostile]:
    cases = [
        Hostile("fork bomb", "import os\nwhile True:\n    os.fork()\n"),
        Hostile(
            "fork bomb (multiprocessing)",
            "import multiprocessing as mp\nps = [mp.Process(target=print) for _ in range(50)]\n"
            "[p.start() for p in ps]\nprint('started')\n",
            ("started",),
        ),
        Hostile("read the secret key", "print(open('/data/secret_key').read())\n", (secret,)),
        Hostile(
            "read the database",
            "print(open('/data/torchquiz.db', 'rb').read()[:4096])\n",
            (secret, "SQLite format"),
        ),
        Hostile("list /data", "import os\nprint(os.listdir('/data'))\n", ("torchquiz.db",)),
        Hostile(
            "the server's environment",
            "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())\n"
            "print(open('/proc/1/environ').read())\n",
            ("TORCHQUIZ_", secret),
        ),
        Hostile(
            "TCP to the server",
            "import socket\ns = socket.create_connection(('127.0.0.1', 8000), timeout=2)\n"
            "print('connected')\n",
            ("connected",),
        ),
        Hostile(
            "HTTP to the server",
            "import urllib.request\n"
            "print(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).read())\n",
            ('"status"',),
        ),
        Hostile(
            "UDP and IPv6",
            "import socket\ns = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
            "s.sendto(b'x', ('::1', 53))\nprint('sent')\n",
            ("sent",),
        ),
        Hostile(
            "memory bomb (bytes)", "x = bytearray(8 << 30)\nprint('allocated')\n", ("allocated",)
        ),
        Hostile(
            "memory bomb (tensor)",
            "import torch\nt = torch.ones(4_000_000_000)\nprint('allocated', t.sum())\n",
            ("allocated",),
        ),
        Hostile(
            "memory bomb (growing)",
            "chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))\n",
        ),
        Hostile("kill everything", "import os, signal\nos.kill(-1, signal.SIGKILL)\n"),
        Hostile(
            "subprocess", "import subprocess\nprint(subprocess.run(['id']).returncode)\n", ("uid=",)
        ),
        # Isolation in time: nothing a run makes may outlive it or reach the next one.
        Hostile(
            "SysV shared memory",
            "import ctypes\nlibc = ctypes.CDLL(None)\n"
            "if libc.shmget(0x7451B0, 1 << 20, 0o1000 | 0o666) >= 0:\n    print('created')\n"
            "else:\n    raise PermissionError(1, 'Operation not permitted')\n",
            ("created",),
        ),
        Hostile(
            "signals through fcntl(F_SETOWN)",
            "import fcntl, os\nr, w = os.pipe()\nfcntl.fcntl(r, fcntl.F_SETOWN, os.getpid())\n"
            "print('armed')\n",
            ("armed",),
        ),
        Hostile(
            "renice every job",
            "import os\nos.setpriority(os.PRIO_USER, 0, os.getpriority(os.PRIO_PROCESS, 0))\n"
            "print('reniced')\n",
            ("reniced",),
        ),
    ]
    for path in ESCAPES:
        cases.append(
            Hostile(
                f"write {path}", f"open({path!r}, 'w').write('x')\nprint('wrote')\n", ("wrote",)
            )
        )
    return cases


def wait_idle(server: Container, timeout_s: float = 300) -> None:
    """Until every authored snippet has run once and no run is in flight (a running job
    has a folder and processes of its own)."""
    deadline = time.monotonic() + timeout_s
    while True:
        sandbox = httpx.get(f"{server.url}/healthz", timeout=30).json()["sandbox"]
        if sandbox.get("warmed") and not sandbox["busy"] and not sandbox["queued"]:
            return
        expect(time.monotonic() < deadline, f"the sandbox never got idle: {sandbox}")
        time.sleep(0.5)


def run_battery(server: Container, *, landlock: bool) -> int:
    """Every hostile case contained; the server healthy and a benign run fine afterwards."""
    wait_idle(server)
    secret = server.exec("cat", "/data/secret_key").stdout.strip()
    expect(len(secret) > 20, "the generated secret key is in /data")
    before = {p["pid"] for p in server.processes()}
    for case in battery(secret):
        learner = Learner(server.url)  # one learner per case: the run limit stays out of it
        result = learner.run(case.code)
        learner.close()
        output = result["stdout"] + result["stderr"]
        leaked = [needle for needle in case.must_lack if needle in output]
        expect(not leaked, f"{case.name}: output holds {leaked}: {output[:300]!r}")
        expect(
            result["status"] != "ok" or not case.must_lack or DENIED in output,
            f"{case.name}: ran without being stopped: {result}",
        )
    wait_idle(server)
    for path in ESCAPES:
        expect(
            server.exec("test", "-e", path, check=False).returncode != 0,
            f"{path} was written (landlock={landlock})",
        )
    # Nothing a job (uid 65534) made may remain anywhere, on any file system.
    strays = server.exec(
        "find", "/", "(", "-path", "/proc", "-o", "-path", "/sys", ")", "-prune", "-o",
        "-user", "65534", "-print", check=False,
    ).stdout.split()  # fmt: skip
    expect(not strays, f"files of the job uid left behind: {strays[:10]}")
    after = server.processes()
    spares = waiting_spares(after)
    extra = [
        p
        for p in after
        if p["pid"] not in before and "python3 -c" not in p["cmd"] and p not in spares
    ]
    expect(not extra, f"processes left running: {extra}")
    learner = Learner(server.url)
    benign = learner.run(
        "import torch\nw = torch.nn.Linear(3, 1)\nopt = torch.optim.SGD(w.parameters(), lr=0.1)\n"
        "loss = w(torch.ones(2, 3)).pow(2).mean()\nloss.backward()\nopt.step()\nprint('trained')\n"
    )
    learner.close()
    expect(benign["stdout"] == "trained\n", f"a benign run after the battery: {benign}")
    return len(battery(secret))


def waiting_spares(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The zygote's pre-forked spares: children of the zygote with its command line, already
    dropped to the job uid with no capabilities and asleep (waiting for code), as they must
    be before any code reaches them; at most TORCHQUIZ_RUN_SPARES of them."""
    zygote_pids = {
        p["pid"] for p in rows if "app.sandbox.zygote" in p["cmd"] and p["uid"] != JOB_UID
    }
    children = [p for p in rows if p["ppid"] in zygote_pids]
    spares = [p for p in children if p["uid"] == JOB_UID and p["cap"] == 0 and p["state"] == "S"]
    expect(len(spares) <= MAX_SPARES, f"more spares than TORCHQUIZ_RUN_SPARES: {spares}")
    return spares


def check_runs_apart(server: Container) -> dict[str, Any]:
    """Nothing of one learner's run reaches a later one (security review 3, finding 3):
    learner A runs code holding a marker and prints another; five later runs of another
    learner scan every readable mapping of their own memory for either."""
    code_marker = "TQCODE" + secrets.token_hex(12)
    first = Learner(server.url)
    run = first.run(
        f"# {code_marker}\nnote = {code_marker!r} * 200\nimport hashlib\n"
        "print('TQOUT' + hashlib.sha256(note.encode()).hexdigest()[:24])\n"
    )
    first.close()
    expect(run["stdout"].startswith("TQOUT"), f"learner A's run: {run}")
    later = Learner(server.url)
    found: list[str] = []
    for _ in range(5):
        scan = later.run(MEMORY_SCAN)
        expect("scanned" in scan["stdout"], f"a later run's scan: {scan}")
        found += re.findall(r"TQ(?:CODE|OUT)[0-9a-f]{24}", scan["stdout"].split("found", 1)[1])
    later.close()
    expect(not found, f"a later run found learner A's code or output: {found}")
    return {"later runs scanned": 5, "found": found}


def check_identities(server: Container) -> dict[str, Any]:
    """The web server runs as 10001 without capabilities; launcher and zygote as root with
    only four; a job as 65534."""
    wait_idle(server)  # a job in flight is a fork of the zygote, with its command line
    rows = server.processes()
    # (--init's process, PID 1, has "torchquiz serve" in its command line too.)
    servers = [p for p in rows if "torchquiz serve" in p["cmd"] and "python" in p["cmd"]]
    spares = waiting_spares(rows)
    zygotes = [p for p in rows if "app.sandbox.zygote" in p["cmd"] and p not in spares]
    web = [p for p in servers if p["uid"] == 10001]
    launcher = [p for p in servers if p["uid"] == 0]
    expect(len(web) == 1 and web[0]["cap"] == 0, f"web process as uid 10001, no caps: {servers}")
    expect(len(launcher) == 1 and launcher[0]["cap"] == ZYGOTE_CAPS, f"launcher: {servers}")
    expect(
        len(zygotes) == 1 and zygotes[0]["uid"] == 0 and zygotes[0]["cap"] == ZYGOTE_CAPS,
        f"zygote: {zygotes}",
    )
    learner = Learner(server.url)
    job = learner.run("import os\nprint(os.getuid(), os.getgid(), os.getgroups())\n")
    learner.close()
    expect(job["stdout"] == "65534 65534 []\n", f"a job's ids: {job}")
    return {"web_uid": web[0]["uid"], "zygote_caps": hex(zygotes[0]["cap"]), "job": job["stdout"]}


@contextmanager
def container(image: str, name: str, volume: str, args: list[str]) -> Iterator[Container]:
    podman("volume", "create", volume, check=False)
    server = Container(name=name, image=image, volume=volume, run_args=args)
    server.start()
    try:
        yield server
    finally:
        server.remove()


def timed(what: str, step: Callable[[], Any], timings: dict[str, float]) -> Any:
    began = time.monotonic()
    value = step()
    timings[what] = round(time.monotonic() - began, 1)
    return value


def wait_ready(url: str, timeout_s: float = 300) -> float:
    """Until /readyz says the database answers and the sandbox is warm."""
    began = time.monotonic()
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return time.monotonic() - began
        except httpx.TransportError:
            pass
        expect(time.monotonic() - began < timeout_s, f"{url} not ready after {timeout_s} s")
        time.sleep(1)


def compose_smoke(first: str, second: str) -> int:
    """compose.yaml's scale profile: two replicas on one PostgreSQL share the learner."""
    timings = {"replica A ready": round(wait_ready(first), 1)}
    timings["replica B ready"] = round(wait_ready(second), 1)
    learner = Learner(first)
    topic, question = learner.answer_first_choice_question()
    cookies = learner.http.cookies
    learner.close()
    other = Learner(second, cookies=cookies)
    seen = [(a["topic_id"], a["question_id"]) for a in other.attempts()]
    run = other.run("import torch\nprint(torch.tensor([1, 2]).sum().item())\n")
    other.close()
    expect(seen == [(topic, question)], f"replica B sees the answer given on A: {seen}")
    expect(run["stdout"] == "3\n", f"replica B runs code: {run}")
    health = [httpx.get(f"{url}/healthz", timeout=30).json()["sandbox"] for url in (first, second)]
    report = {
        "compose timings_s": timings,
        "answer on A seen on B": seen,
        "jobs run (A, B)": [h["jobs_run"] for h in health],
    }
    print(json.dumps(report, indent=2))  # noqa: T201
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image")
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--compose", nargs=2, metavar="URL", help="check two replicas")
    args = parser.parse_args()
    if args.compose:
        return compose_smoke(*args.compose)
    image, prefix = args.image, args.prefix
    timings: dict[str, float] = {}
    report: dict[str, Any] = {}

    # 1. As documented: `docker run -p 8000:8000 -v torchquiz:/data IMAGE`.
    volume = f"{prefix}-data"
    with container(image, f"{prefix}-default", volume, []) as server:
        timings["start to healthy"] = round(server.wait_healthy(), 1)
        health = httpx.get(f"{server.url}/healthz", timeout=30).json()
        report["default /healthz sandbox"] = health["sandbox"]
        learner = Learner(server.url)
        topic, question = learner.answer_first_choice_question()
        run = learner.run("import torch\nprint(torch.ones(2, 3).sum())\n")
        expect(run["stdout"] == "tensor(6.)\n", f"a run through /api/run: {run}")
        report["identities"] = check_identities(server)
        landlock = bool(health["sandbox"]["layers"]["landlock"])
        report["hostile cases (default)"] = timed(
            "battery (default)", lambda: run_battery(server, landlock=landlock), timings
        )
        report["runs apart in time"] = timed(
            "runs apart in time", lambda: check_runs_apart(server), timings
        )
        cookies = learner.http.cookies
        learner.close()
        podman("restart", "-t", "10", server.name)
        timings["restart to healthy"] = round(server.wait_healthy(), 1)
        back = Learner(server.url, cookies=cookies)
        kept = [(a["topic_id"], a["question_id"]) for a in back.attempts()]
        back.close()
        expect(kept == [(topic, question)], f"progress after a restart: {kept}")
        wait_idle(server)
        jobs = httpx.get(f"{server.url}/healthz", timeout=30).json()["sandbox"]["jobs_run"]
        report["authored runs redone after the restart"] = jobs
        expect(jobs == 0, f"the restart ran {jobs} authored snippets again")
        # `docker exec` is root: the backup it makes in /data must be the server's.
        saved = server.exec("torchquiz", "db", "backup", "/data/smoke-backup.db").stdout
        owner = server.exec("stat", "-c", "%u:%a", "/data/smoke-backup.db").stdout.strip()
        expect("backed up 1 attempts" in saved and owner == "10001:600", f"backup: {owner}")
    say("default run: healthy, answered, ran code, contained the battery, kept progress")

    # 2. Landlock forced off: the uid split alone must keep /data and the file system safe.
    with container(
        image,
        f"{prefix}-nolandlock",
        f"{prefix}-nolandlock",
        ["-e", "TORCHQUIZ_SANDBOX_LANDLOCK=false"],
    ) as server:
        server.wait_healthy()
        health = httpx.get(f"{server.url}/healthz", timeout=30).json()
        layers = health["sandbox"]["layers"]
        report["no-Landlock /healthz layers"] = layers
        expect(not layers["landlock"] and layers["uid_drop"], f"layers: {layers}")
        check_identities(server)
        report["hostile cases (Landlock off)"] = timed(
            "battery (Landlock off)", lambda: run_battery(server, landlock=False), timings
        )
    say("Landlock off: the battery is contained by the uid split")

    # 3. README's hardening: read-only image, tmpfs /tmp, only the capabilities it keeps.
    caps = [arg for cap in KEPT_CAPS for arg in ("--cap-add", cap)]
    hardened = [
        "--read-only", "--tmpfs", "/tmp:size=256m", "--cap-drop", "ALL", *caps,
        "--security-opt", "no-new-privileges", "--pids-limit", "512",
    ]  # fmt: skip
    with container(image, f"{prefix}-hardened", f"{prefix}-hardened", hardened) as server:
        server.wait_healthy()
        check_identities(server)
        learner = Learner(server.url)
        learner.answer_first_choice_question()
        run = learner.run("import torch\nprint(torch.arange(4).sum().item())\n")
        learner.close()
        expect(run["stdout"] == "6\n", f"a run, read-only and with few capabilities: {run}")
        report["hostile cases (hardened)"] = run_battery(server, landlock=True)
    say("--read-only --tmpfs /tmp --cap-drop ALL (+4): healthy, runs, contained")

    # 4. As a plain user with no capability at all: Landlock alone hides /data.
    plain = ["--user", "10001:10001", "--cap-drop", "ALL", "--read-only", "--tmpfs", "/tmp"]
    with container(image, f"{prefix}-user", f"{prefix}-user", plain) as server:
        server.wait_healthy()
        layers = httpx.get(f"{server.url}/healthz", timeout=30).json()["sandbox"]
        report["--user 10001 --cap-drop ALL sandbox"] = {
            k: layers.get(k) for k in ("enabled", "layers", "reason")
        }
        if layers.get("enabled"):
            learner = Learner(server.url)
            run = learner.run("print(open('/data/secret_key').read())\n")
            learner.close()
            secret = server.exec("cat", "/data/secret_key").stdout.strip()
            hidden = run["status"] == "error" and secret not in run["stdout"] + run["stderr"]
            expect(hidden, f"--user 10001: /data hidden by Landlock: {run}")
    say("--user 10001:10001 --cap-drop ALL: healthy")

    # 5. Root with no capability cannot split: it must say so and stop, not run unsafely.
    with container(image, f"{prefix}-nocaps", f"{prefix}-nocaps", ["--cap-drop", "ALL"]) as server:
        for _ in range(60):
            state = podman("inspect", "--format", "{{.State.Status}}", server.name).stdout
            if state.strip() != "running":
                break
            time.sleep(1)
        logs = server.logs()
        code = podman("inspect", "--format", "{{.State.ExitCode}}", server.name).stdout.strip()
        expect(code == "2" and "CAP_SETUID" in logs, f"--cap-drop ALL as root: {code} {logs}")
    say("--cap-drop ALL as root: refuses with a message naming the capabilities")

    print(json.dumps({"timings_s": timings, **report}, indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SmokeFailure as failure:
        say(f"FAILED: {failure}")
        sys.exit(1)
