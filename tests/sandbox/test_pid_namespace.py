"""Runs the hostile battery inside a fresh PID namespace, where a containment bug can
only hurt this test run's own processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.run_in_pidns import unshare_works

from .conftest import in_pid_namespace

HERE = os.path.dirname(os.path.abspath(__file__))


def test_hostile_battery_in_pid_namespace() -> None:
    if in_pid_namespace():
        pytest.skip("already inside a PID namespace: test_hostile.py runs directly")
    if not unshare_works():
        pytest.skip(
            "cannot create a PID namespace here (unshare --pid failed): the hostile "
            "battery was NOT run; run it where root may unshare (CI does)"
        )
    done = subprocess.run(
        [
            sys.executable,
            os.path.join(os.path.dirname(HERE), "run_in_pidns.py"),
            os.path.join(HERE, "test_hostile.py"),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-5000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1], done.stdout
