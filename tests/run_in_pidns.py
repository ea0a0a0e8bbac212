"""Run pytest inside a fresh PID namespace, so that a containment bug in a hostile case
(a fork bomb, kill(-1)) can only hurt processes of this test run.

    .venv/bin/python tests/run_in_pidns.py [pytest options]

`make test` runs the whole suite this way. Where no PID namespace can be made (not
root, no user namespaces), it says so and runs pytest directly: the hostile battery
then skips itself with that reason, and nothing dangerous runs.

The namespace's init is this script (`--init`), which reaps orphans and returns
pytest's exit code. TORCHQUIZ_OUTER_PIDNS names the namespace we came from, so the
tests can verify they really run in another one.
"""

from __future__ import annotations

import os
import subprocess
import sys

UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]


def unshare_works() -> bool:
    try:
        done = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def outside(pytest_args: list[str]) -> int:
    if not unshare_works():
        print(  # noqa: T201
            "run_in_pidns: cannot make a PID namespace here; running pytest directly "
            "(the hostile battery will be skipped)",
            file=sys.stderr,
        )
        return subprocess.call([sys.executable, "-m", "pytest", *pytest_args])
    env = dict(os.environ, TORCHQUIZ_OUTER_PIDNS=os.readlink("/proc/self/ns/pid"))
    return subprocess.call(
        [*UNSHARE, sys.executable, os.path.abspath(__file__), "--init", *pytest_args], env=env
    )


def init(pytest_args: list[str]) -> int:
    child = subprocess.Popen([sys.executable, "-m", "pytest", *pytest_args])
    while True:
        pid, status = os.wait()
        if pid == child.pid:
            return os.waitstatus_to_exitcode(status)


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--init"]:
        return init(args[1:])
    return outside(args)


if __name__ == "__main__":
    sys.exit(main())
