"""The sandbox's behaviour with ordinary code: results, tracebacks, the pool's bounds,
and its lifecycle. Safe to run anywhere (the hostile battery is in test_hostile.py)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator

import pytest

from app.sandbox import Layers, Limits, SandboxBusy, jobdir
from app.sandbox.outcome import decode_output
from tests.snippets import SEED_OPTIMIZER_STEP as BENCH_SNIPPET

from .conftest import TEST_LIMITS, Runner, stray_processes
from .hostile_cases import BENIGN_TRAINING


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    r = Runner(TEST_LIMITS, Layers())
    yield r
    r.close()


def test_benign_training(runner: Runner) -> None:
    result = runner.run(BENIGN_TRAINING)
    assert result.status == "ok", result
    assert "loss went down: True" in result.stdout
    assert result.reason is None and not result.truncated and result.stderr == ""


def test_lesson_snippet_is_reproducible(runner: Runner) -> None:
    first, second = runner.run(BENCH_SNIPPET), runner.run(BENCH_SNIPPET)
    assert first.status == "ok", first
    assert first.stdout == second.stdout
    assert float(first.stdout) > 0


def test_seed_changes_random_draws(runner: Runner) -> None:
    code = "import torch, random\nprint(torch.rand(1).item(), random.random())\n"
    assert runner.run(code, seed=0).stdout == runner.run(code, seed=0).stdout
    assert runner.run(code, seed=0).stdout != runner.run(code, seed=7).stdout


def test_traceback_shows_only_the_snippet(runner: Runner) -> None:
    code = "import torch\n\ndef f(x):\n    return x @ x\n\nf(torch.ones(2, 3))\n"
    result = runner.run(code)
    assert result.status == "error" and result.reason is None
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert 'File "<snippet>", line 6, in <module>' in result.stderr
    assert 'File "<snippet>", line 4, in f' in result.stderr
    assert "    return x @ x\n" in result.stderr
    assert "RuntimeError" in result.stderr
    for server_path in ("site-packages", "/work/", "app/sandbox", "harness"):
        assert server_path not in result.stderr


def test_syntax_error(runner: Runner) -> None:
    result = runner.run("x = (1,\nprint(x)\n")
    assert result.status == "error"
    assert 'File "<snippet>"' in result.stderr and "SyntaxError" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [
        ("import sys\nsys.exit()\n", "ok", ""),
        ("import sys\nsys.exit(0)\n", "ok", ""),
        ("import sys\nsys.exit(3)\n", "error", ""),
        ("import sys\nsys.exit('bye')\n", "error", "bye\n"),
        ("raise KeyboardInterrupt\n", "error", "KeyboardInterrupt"),
    ],
)
def test_system_exit(runner: Runner, code: str, status: str, stderr: str) -> None:
    result = runner.run(code)
    assert result.status == status, result
    assert stderr in result.stderr


def test_output_is_text(runner: Runner) -> None:
    result = runner.run("import sys\nsys.stdout.buffer.write(b'a\\x00b\\xffc\\n')\n")
    assert result.stdout == "ab\ufffdc\n"
    assert decode_output(b"\xc3(\x00") == "\ufffd("


def test_partial_output_survives_a_timeout(runner: Runner) -> None:
    result = runner.run("import time\nprint('before')\ntime.sleep(30)\n")
    assert result.status == "timeout"
    assert result.reason == "Time limit: stopped after 3 s of wall-clock time"
    assert result.stdout == "before\n"
    assert 2900 < result.duration_ms < 4500


def test_code_too_large(runner: Runner) -> None:
    with pytest.raises(ValueError):
        runner.run("#" * (65 * 1024))


def test_busy_when_queue_is_full(runner: Runner) -> None:
    async def flood() -> tuple[list[object], float]:
        sleepers = [
            asyncio.ensure_future(runner.sandbox.run("import time\ntime.sleep(0.5)"))
            for _ in range(TEST_LIMITS.workers + TEST_LIMITS.queue)
        ]
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(SandboxBusy) as busy:
            await runner.sandbox.run("print(1)")
        refused_in = time.monotonic() - started
        assert busy.value.retry_after >= 1
        return list(await asyncio.gather(*sleepers)), refused_in

    results, refused_in = runner.until(flood())
    assert refused_in < 0.05, "a full pool must refuse at once, not hang"
    assert all(r.status == "ok" for r in results)
    health = runner.sandbox.health()
    assert health["busy"] == 0 and health["queued"] == 0


def test_cancelled_run_leaves_nothing(runner: Runner) -> None:
    async def cancel() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(runner.sandbox.run("import time\ntime.sleep(30)"), 0.3)

    runner.until(cancel())
    runner.until(asyncio.sleep(0.3))
    assert stray_processes(runner.zygote_pid) == []
    assert runner.run("print('ok')").stdout == "ok\n"


def test_health(runner: Runner) -> None:
    health = runner.sandbox.health()
    assert health["ready"] is True
    assert health["workers"] == TEST_LIMITS.workers
    assert isinstance(health["jobs_run"], int) and health["jobs_run"] > 0
    layers = health["layers"]
    assert isinstance(layers, dict)
    assert set(layers) == {
        "seccomp",
        "landlock",
        "landlock_abi",
        "uid_drop",
        "namespaces",
    }
    assert isinstance(health["warnings"], list)


def test_zygote_is_restarted_when_it_dies(runner: Runner) -> None:
    old = runner.zygote_pid
    restarts = runner.sandbox.health()["zygote_restarts"]
    assert isinstance(restarts, int)
    os.kill(old, signal.SIGKILL)
    result = runner.run("print('back')")
    assert result.stdout == "back\n", result
    assert runner.zygote_pid != old
    assert runner.sandbox.health()["zygote_restarts"] == restarts + 1


def test_recycle_and_close(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="torchquiz.sandbox")
    r = Runner(Limits(wall_s=3, cpu_s=2, recycle_after=3), Layers(landlock=False))
    try:
        assert "sandbox ready" in caplog.text and "landlock=off" in caplog.text
        first = r.zygote_pid
        for i in range(4):
            assert r.run(f"print({i})").stdout == f"{i}\n"
        deadline = time.monotonic() + 60
        while r.zygote_pid == first and time.monotonic() < deadline:
            r.until(asyncio.sleep(0.2))
        assert r.zygote_pid != first, "not recycled after recycle_after jobs"
        r.until(asyncio.sleep(0.5))
        assert not os.path.exists(f"/proc/{first}"), "the retired zygote is still running"
        slow = asyncio.ensure_future(r.sandbox.run("import time\ntime.sleep(30)"), loop=r.loop)
        r.until(asyncio.sleep(0.3))
        root = r.sandbox._root
        second = r.zygote_pid
    finally:
        r.close()
    assert slow.done()
    assert not os.path.exists(f"/proc/{second}")
    assert stray_processes(second) == []
    assert root is not None and not os.path.exists(root)


def test_remove_tree_handles_hostile_trees(tmp_path: object) -> None:
    root = str(tmp_path)
    path = os.path.join(root, "job")
    os.mkdir(path)
    cwd = os.open(".", os.O_RDONLY)
    try:
        os.chdir(path)
        for _ in range(3000):  # deeper than the recursion limit and PATH_MAX
            os.mkdir("d")
            os.chdir("d")
        open("f", "w").close()
        os.symlink("/etc", "link")
    finally:
        os.fchdir(cwd)
        os.close(cwd)
    os.makedirs(os.path.join(path, "locked", "inner"))
    os.chmod(os.path.join(path, "locked"), 0)
    usage = jobdir.measure(path, 1 << 30, 100)
    assert usage.over(1 << 30, 100)
    jobdir.remove_tree(path)
    assert not os.path.exists(path)
    assert os.path.exists("/etc/passwd")


def test_compiled_filter_lets_a_job_signal_itself_only() -> None:
    from app.sandbox import privileges, seccomp_filter

    program = seccomp_filter.compile_job_filter()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        outcomes = []
        try:
            privileges.no_new_privs()
            seccomp_filter.load_job_filter(program, os.getpid())
            for attempt in (
                lambda: os.kill(os.getpid(), 0),
                lambda: os.kill(os.getppid(), 0),
                lambda: os.kill(-1, 0),
                os.fork,
            ):
                try:
                    attempt()
                    outcomes.append("allowed")
                except PermissionError:
                    outcomes.append("denied")
        finally:
            os.write(write, " ".join(outcomes).encode())
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as report:
        assert report.read() == "allowed denied denied denied"
    os.waitpid(pid, 0)


def test_compiled_filter_keeps_runs_apart_in_time() -> None:
    """SysV IPC, signal-driven I/O and other processes' scheduling are refused; the job's
    own scheduling and ordinary descriptor flags are not. Each call is harmless if let
    through (own pid, values already in force)."""
    import ctypes
    import fcntl

    from app.sandbox import privileges, seccomp_filter

    program = seccomp_filter.compile_job_filter()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fcntl_nr = {"x86_64": 72, "aarch64": 25}[os.uname().machine]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        outcomes = []
        try:
            privileges.no_new_privs()
            seccomp_filter.load_job_filter(program, os.getpid())
            me, nice = os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)
            high = ctypes.c_long(fcntl.F_SETOWN | (1 << 32))
            calls: tuple[Callable[[], int], ...] = (
                # Removed at once if let through (IPC_RMID): nothing may outlive the test.
                lambda: libc.shmctl(libc.shmget(0, 4096, 0o1000 | 0o600), 0, None),
                lambda: libc.msgctl(libc.msgget(0, 0o1000 | 0o600), 0, None),
                lambda: libc.syscall(fcntl_nr, ctypes.c_long(read), high, ctypes.c_long(me)),
                lambda: libc.fcntl(read, fcntl.F_SETFL, os.O_ASYNC),
                lambda: libc.setpriority(os.PRIO_USER, 0, nice),
                lambda: libc.setpriority(os.PRIO_PROCESS, 0, nice),
                lambda: libc.fcntl(read, fcntl.F_SETFL, os.O_NONBLOCK),
            )
            for call in calls:
                outcomes.append("allowed" if call() != -1 else str(ctypes.get_errno()))
        finally:
            os.write(write, " ".join(outcomes).encode())
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as report:
        assert report.read() == "1 1 1 1 1 allowed allowed"
    os.waitpid(pid, 0)
