"""A server started as root splits (launcher.py): the web process becomes another uid with
no capability, a launcher keeps four for the zygotes, and jobs run as a third uid; without
Landlock that alone keeps a job out of the server's files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.sandbox import Layers, privileges
from app.sandbox.launcher import ZYGOTE_CAPABILITIES, PrivilegeError, split

from .conftest import TEST_LIMITS, Runner

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="splitting needs root")
PROJECT = Path(__file__).parents[2]
SERVER_UID = 10001
KEPT = sum(1 << cap for cap in ZYGOTE_CAPABILITIES)


def status_of(pid: int | str) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.strip() for k, v in (line.split(":", 1) for line in lines)}


def test_keeping_only_some_capabilities_is_for_good() -> None:
    pid = os.fork()
    if pid == 0:
        try:
            privileges.keep_only_capabilities(*ZYGOTE_CAPABILITIES)
            status = status_of("self")
            ok = int(status["CapEff"], 16) == KEPT and int(status["CapBnd"], 16) == KEPT
            os._exit(0 if ok and not privileges.has_capabilities(21) else 1)  # 21: SYS_ADMIN
        finally:
            os._exit(2)
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0


@pytest.mark.parametrize(
    ("kept", "message"),
    [
        ((privileges.CAP_CHOWN,), "without CAP_SETUID/CAP_SETGID"),
        ((*ZYGOTE_CAPABILITIES, 21), "without CAP_SETPCAP"),  # 21: SYS_ADMIN, not droppable
    ],
)
def test_a_root_without_the_needed_capabilities_refuses_to_split(
    kept: tuple[int, ...], message: str
) -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            privileges.keep_only_capabilities(*kept)
            try:
                split(SERVER_UID, SERVER_UID)
                os.write(write, b"split")
            except PrivilegeError as error:
                os.write(write, str(error).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        said = answer.read()
    os.waitpid(pid, 0)
    assert message in said


def test_the_zygote_empties_what_a_job_made_private() -> None:
    runner = Runner(TEST_LIMITS, Layers())
    try:
        root = runner.sandbox._root
        assert root is not None
        job_dir = Path(root) / "job-left-behind"
        (job_dir / "a" / "b").mkdir(parents=True)
        (job_dir / "a" / "b" / "f").write_text("x")
        for path in (job_dir, job_dir / "a", job_dir / "a" / "b", job_dir / "a" / "b" / "f"):
            os.chown(path, 65534, 65534)
        os.chmod(job_dir / "a", 0o700)
        zygote = runner.sandbox._zygote
        assert zygote is not None
        assert runner.until(zygote.clean(10_000, str(job_dir)))
        assert list(job_dir.iterdir()) == []
        # Anything that is not a job folder is refused.
        assert not runner.until(zygote.clean(10_001, "/tmp"))
    finally:
        runner.close()


# Runs in a child process: it splits, and its web side must never import after that
# (this host's Python may not be readable by SERVER_UID), so everything is imported first.
SPLIT = r"""
import asyncio, json, os, sys
from app.sandbox import Layers, Limits, Sandbox, launcher
import app.sandbox.pool, app.sandbox.supervise, app.sandbox.outcome, app.sandbox.jobdir
import concurrent.futures.thread

secret_dir = sys.argv[1]
launcher.install(launcher.split(int(sys.argv[2]), int(sys.argv[2])))
CODE = {
    "ids": "import os\nprint(os.getuid(), os.getgid(), os.getgroups())",
    "secret": f"print(open({secret_dir!r} + '/secret').read())",
    "listing": f"import os\nprint(os.listdir({secret_dir!r}))",
    "write": f"open({secret_dir!r} + '/planted', 'w').write('x')\nprint('wrote')",
    "environ": "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())",
    "private": "import os\nos.makedirs('a/b')\nopen('a/b/f', 'w').write('x')\n"
    "os.chmod('a/b', 0o700)\nos.chmod('a', 0o700)\nprint('made')",
    "after": "print('still runs')",
}

async def main():
    sandbox = Sandbox(Limits(wall_s=20, cpu_s=20), Layers(landlock=False))
    await sandbox.start()
    try:
        runs = {}
        for name, code in CODE.items():
            r = await sandbox.run(code)
            runs[name] = {"status": r.status, "out": r.stdout + r.stderr}
        # A crashed zygote is replaced through the launcher: the web process has no
        # capability left to start a privileged one itself.
        first = sandbox.health()["zygote_pid"]
        sandbox._zygote.terminate()
        while sandbox.health()["zygote_pid"] == first or not sandbox.health()["ready"]:
            await asyncio.sleep(0.05)
        again = await sandbox.run("import os\nprint(os.getuid())")
        runs["after a zygote crash"] = {"status": again.status, "out": again.stdout}
        zygote = sandbox.health()["zygote_pid"]
        status = dict(l.split(":", 1) for l in open(f"/proc/{zygote}/status").read().splitlines())
        mine = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())
        print(json.dumps({"runs": runs, "web": os.getuid(), "web_caps": mine["CapEff"].strip(),
                          "zygote": [status["Uid"].split()[1], status["CapEff"].strip()],
                          "left": os.listdir(sandbox._root),
                          "restarts": sandbox.health()["zygote_restarts"],
                          "layers": sandbox.health()["layers"]}))
        sys.stdout.flush()
    finally:
        await sandbox.close()

asyncio.run(main())
"""


def test_a_split_server_keeps_jobs_out_of_its_files_without_landlock(tmp_path: Path) -> None:
    # Like /data: a folder only the server's uid may enter, holding a secret.
    secret_dir = tmp_path / "data"
    secret_dir.mkdir()
    (secret_dir / "secret").write_text("s3cr3t-of-the-server")
    os.chmod(secret_dir, 0o700)
    os.chmod(secret_dir / "secret", 0o600)
    for path in (tmp_path, secret_dir, secret_dir / "secret"):
        os.chown(path, SERVER_UID, SERVER_UID)
    os.chmod(tmp_path, 0o755)
    done = subprocess.run(
        [sys.executable, "-c", SPLIT, str(secret_dir), str(SERVER_UID)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    runs = report["runs"]
    assert runs["ids"]["out"] == "65534 65534 []\n"
    assert report["web"] == SERVER_UID and int(report["web_caps"], 16) == 0
    assert report["zygote"][0] == "0" and int(report["zygote"][1], 16) == KEPT
    assert report["layers"]["landlock"] is False and report["layers"]["uid_drop"] is True
    for name in ("secret", "listing", "write"):
        assert runs[name]["status"] == "error", runs[name]
        assert "Not allowed here" in runs[name]["out"] or "PermissionError" in runs[name]["out"]
    assert "s3cr3t" not in json.dumps(runs)
    assert "TORCHQUIZ" not in runs["environ"]["out"] and runs["environ"]["status"] == "error"
    assert not (secret_dir / "planted").exists()
    assert runs["after"] == {"status": "ok", "out": "still runs\n"}
    assert report["left"] == [], "every job folder was removed, the private one too"
    assert runs["after a zygote crash"] == {"status": "ok", "out": "65534\n"}
    assert report["restarts"] == 1
