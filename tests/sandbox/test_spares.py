"""Runs handed to children the zygote forked ahead of time (spares): each locked down
before it gets code, used once, replaced; a burst beyond them still runs."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.sandbox import Layers
from app.sandbox.handoff import open_job_dir, receive, send_code, send_job_dir
from app.sandbox.limits import JOB_UID
from app.sandbox.protocol import socket_pair
from app.sandbox.zygote_client import ZYGOTE_ENV
from tests.snippets import SEED_OPTIMIZER_STEP

from .conftest import TEST_LIMITS, Runner, stray_processes, waiting_spare

WHO = "import os\nprint(os.getpid(), os.getcwd())\n"


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    r = Runner(TEST_LIMITS, Layers())
    yield r
    r.close()


def waiting_spares(r: Runner, count: int | None = None) -> list[int]:
    """The zygote's children waiting for a run; with `count`, once there are that many."""
    deadline = time.monotonic() + 30
    while True:
        zygote = r.zygote_pid
        found = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == zygote and waiting_spare(int(entry), ppid):
                found.append(int(entry))
        if count is None or len(found) == count or time.monotonic() > deadline:
            return sorted(found)
        r.until(asyncio.sleep(0.02))


def status_of(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as f:
        return {k: v.strip() for k, v in (line.split(":", 1) for line in f if ":" in line)}


def test_a_run_goes_to_a_child_forked_before_it(runner: Runner) -> None:
    before = waiting_spares(runner, TEST_LIMITS.spares)
    assert len(before) == TEST_LIMITS.spares
    result = runner.run(WHO)
    assert result.status == "ok", result
    pid, folder = result.stdout.split()
    assert int(pid) in before
    assert os.path.dirname(folder) == runner.sandbox._root


def test_waiting_spares_are_locked_down_before_any_code(runner: Runner) -> None:
    for pid in waiting_spares(runner, TEST_LIMITS.spares):
        status = status_of(pid)
        assert status["Seccomp"] == "2" and status["NoNewPrivs"] == "1", status
        if os.geteuid() == 0:
            assert status["Uid"].split() == [str(JOB_UID)] * 4
            assert status["CapEff"] == "0000000000000000"
        with open(f"/proc/{pid}/stat") as f:
            session = int(f.read().rsplit(")", 1)[1].split()[3])
        assert session == pid, "not in a session of its own"
        with open(f"/proc/{pid}/environ", "rb") as f:  # the block it started with
            names = {v.split(b"=", 1)[0].decode() for v in f.read().split(b"\0") if v}
        assert names <= set(ZYGOTE_ENV), "more than the zygote's clean environment"
        # stdin, stdout, stderr, the check channel, the code pipe, the Landlock ruleset.
        assert sorted(int(fd) for fd in os.listdir(f"/proc/{pid}/fd")) == list(range(6))
        with open(f"/proc/{pid}/limits") as f:
            cpu = next(line for line in f if line.startswith("Max cpu time"))
        assert cpu.split()[3:5] == ["2", "3"]  # ceil(cpu_s) soft, one more hard
        # No job dir yet: it gets its folder with its code.
        assert os.readlink(f"/proc/{pid}/cwd") == "/"


def test_each_child_runs_once(runner: Runner) -> None:
    first, second = runner.run(WHO), runner.run(WHO)
    assert first.status == second.status == "ok"
    (pid1, dir1), (pid2, dir2) = first.stdout.split(), second.stdout.split()
    assert pid1 != pid2 and dir1 != dir2
    assert not os.path.exists(dir1) and not os.path.exists(dir2)
    waiting = waiting_spares(runner, TEST_LIMITS.spares)
    assert int(pid1) not in waiting and int(pid2) not in waiting
    assert os.listdir(runner.sandbox._root) == [], "a waiting spare holds no job dir"


def test_same_output_as_a_job_forked_for_the_run(runner: Runner) -> None:
    forked = Runner(dataclasses.replace(TEST_LIMITS, spares=0), Layers())
    try:
        assert forked.sandbox.health()["spares"] == 0
        code = (
            "import torch, random, numpy as np\n"
            "print(torch.rand(2), random.random(), np.random.rand())\n"
        )
        for seed in (0, 7):
            mine, theirs = runner.run(code, seed=seed), forked.run(code, seed=seed)
            assert mine.status == theirs.status == "ok"
            assert mine.stdout == theirs.stdout
        assert runner.run(SEED_OPTIMIZER_STEP).stdout == forked.run(SEED_OPTIMIZER_STEP).stdout
    finally:
        forked.close()


def test_limits_count_from_the_hand_off(runner: Runner) -> None:
    waiting_spares(runner, TEST_LIMITS.spares)
    runner.until(asyncio.sleep(TEST_LIMITS.wall_s + 0.5))  # the spares wait past the wall limit
    result = runner.run("import time\ntime.sleep(0.5)\nprint('woke')\n")
    assert result.status == "ok" and result.stdout == "woke\n", result
    # All but 0.3 s of the CPU limit is still there: waiting cost the spare none.
    burn = (
        "import time\nwhile time.process_time() < "
        f"{TEST_LIMITS.cpu_s - 0.3}:\n    pass\nprint('burnt')\n"
    )
    result = runner.run(burn)
    assert result.status == "ok" and result.stdout == "burnt\n", result


def test_an_idle_spare_killed_from_outside_is_replaced(runner: Runner) -> None:
    before = waiting_spares(runner, TEST_LIMITS.spares)
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = waiting_spares(runner, TEST_LIMITS.spares)
        if before[0] not in after and len(after) == TEST_LIMITS.spares:
            break
    assert before[0] not in after and len(after) == TEST_LIMITS.spares
    for _ in range(3):
        result = runner.run(WHO)
        assert result.status == "ok", result
    # Replaced once the run has ended: the web process hears of it a moment later.
    waiting_spares(runner, TEST_LIMITS.spares)
    deadline = time.monotonic() + 30
    while runner.sandbox.health()["spares"] != TEST_LIMITS.spares and time.monotonic() < deadline:
        runner.until(asyncio.sleep(0.02))
    assert runner.sandbox.health()["spares"] == TEST_LIMITS.spares
    assert stray_processes(runner.zygote_pid) == []
    assert os.listdir(runner.sandbox._root) == []


def test_a_burst_larger_than_the_pool_completes() -> None:
    limits = dataclasses.replace(TEST_LIMITS, workers=6, queue=6, spares=1)
    r = Runner(limits, Layers())
    try:
        waiting_spares(r, 1)
        results = r.run_many(*(WHO + f"print({i})\n" for i in range(10)))
        assert all(res.status == "ok" for res in results), results
        assert [res.stdout.split()[2] for res in results] == [str(i) for i in range(10)]
        assert len({res.stdout.split()[0] for res in results}) == 10
        assert os.listdir(r.sandbox._root) == []
        assert stray_processes(r.zygote_pid) == []
    finally:
        r.close()


def test_hand_off_round_trip(tmp_path: Path) -> None:
    zygote_end, spare_end = socket_pair()
    web_end = zygote_end.dup()  # what the web process is given with the spare
    with zygote_end, spare_end, web_end:
        folder = str(tmp_path)
        # The web process may write the code before the zygote sends the folder.
        send_code(web_end, seed=7, code="print('é')".encode(), check=b"show(1)")
        web_end.close()
        dir_fd = open_job_dir(folder)
        send_job_dir(zygote_end, job_dir=folder, dir_fd=dir_fd)
        os.close(dir_fd)
        handed = receive(spare_end, with_dir=True)
        assert handed is not None
        assert (handed.seed, handed.job_dir, handed.code, handed.check) == (
            7,
            folder,
            "print('é')",
            "show(1)",
        )
        assert os.path.samestat(os.fstat(handed.dir_fd), os.stat(folder))
        os.close(handed.dir_fd)
        zygote_end.close()
        assert receive(spare_end, with_dir=True) is None  # retired before it was used
    os.symlink(folder, tmp_path / "link")
    with pytest.raises(OSError):
        open_job_dir(str(tmp_path / "link"))  # never a link put in the folder's place


def test_a_job_forked_per_run_gets_its_code_from_the_web_process() -> None:
    web_end, job_end = socket_pair()
    with web_end, job_end:
        send_code(web_end, seed=3, code=b"x = 1", check=None)
        web_end.close()
        handed = receive(job_end, with_dir=False)
        assert handed is not None
        assert (handed.seed, handed.code, handed.check, handed.dir_fd) == (3, "x = 1", None, -1)
        assert receive(job_end, with_dir=False) is None


def test_a_spare_whose_scheduling_was_changed_refuses_its_run() -> None:
    """A spare starts a run only with the zygote's nice value, policy, affinity and I/O
    priority: here something with the right to do it (root, from outside) reniced the
    waiting spares, as the review did to them from another job before seccomp refused it."""
    if os.geteuid() != 0:
        pytest.skip("renicing another uid's spare needs root")
    r = Runner(TEST_LIMITS, Layers())
    try:
        spares = waiting_spares(r, TEST_LIMITS.spares)
        for pid in spares:
            os.setpriority(os.PRIO_PROCESS, pid, 19)
        for _ in spares:
            refused = r.run(WHO)
            assert refused.status == "error" and refused.stdout == "", refused
            assert "scheduling changed before the run: nice 19 (expected 0)" in refused.stderr
            assert refused.reason == "The sandbox could not prepare this run; please run it again"
        result = r.run(WHO)  # spares forked since start as every job does
        assert result.status == "ok", result
    finally:
        r.close()
