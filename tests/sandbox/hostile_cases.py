"""Hostile snippets and what the sandbox must do with each, as plain data.

Reused by the HTTP tests: render a case's code with a Context, send it, rebuild a
RunResult from the answer and call `case.check(result, ctx)`. Beyond each case's
own expectation, every run is also checked for the generic containment rules in
`containment_problems` (no secret in the output, canaries untouched).
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from app.sandbox import RunResult

Expectation = Callable[[RunResult, "Context"], str | None]
DENIED = "Not allowed here"


@dataclass(frozen=True)
class Context:
    """Where the fake secrets and canaries live, and which layers are really active."""

    layers: dict[str, object]
    data_dir: str  # 0700 root, like the app's data dir
    secret_file: str  # 0600, holds `secret`
    db_file: str  # 0600, a fake SQLite file holding `secret`
    env_file: str  # 0600, a fake .env holding `secret`
    secret: str
    env_secret: str  # set in the test process's environment
    canary_dir: str  # root-owned 0755: nothing may appear in it
    app_dir: str
    site_packages: str
    parent_pid: int  # the test process
    zygote_pid: int
    tcp_port: int  # a listener on 127.0.0.1 owned by the test
    unix_socket: str  # a listening Unix socket owned by the test

    @property
    def landlock(self) -> bool:
        return bool(self.layers.get("landlock"))

    def with_parent(self, pid: int) -> Context:
        """The same context aimed at another parent process (the server, over HTTP)."""
        return replace(self, parent_pid=pid)


@dataclass(frozen=True)
class HostileCase:
    name: str
    category: str
    code: str  # @FIELD@ placeholders are replaced by Context fields
    expect: Expectation
    must_not_exist: tuple[str, ...] = field(default_factory=tuple)  # paths, templated too

    def render(self, ctx: Context) -> str:
        return _fill(self.code, ctx)

    def forbidden_paths(self, ctx: Context) -> list[str]:
        return [_fill(p, ctx) for p in self.must_not_exist]

    def check(self, result: RunResult, ctx: Context) -> list[str]:
        problems = containment_problems(result, ctx)
        own = self.expect(result, ctx)
        if own:
            problems.append(own)
        problems += [f"{p} exists" for p in self.forbidden_paths(ctx) if os.path.lexists(p)]
        return problems


def _fill(text: str, ctx: Context) -> str:
    for key, value in vars(ctx).items():
        text = text.replace(f"@{key.upper()}@", str(value))
    return text


def containment_problems(result: RunResult, ctx: Context) -> list[str]:
    """Rules every run must keep, whatever the snippet was."""
    problems = []
    output = result.stdout + result.stderr
    for name, secret in (("secret", ctx.secret), ("env secret", ctx.env_secret)):
        if secret in output:
            problems.append(f"the {name} leaked into the output")
    if "\x00" in output:
        problems.append("a NUL byte reached the output")
    if os.listdir(ctx.canary_dir):
        problems.append(f"something was written to the canary dir: {os.listdir(ctx.canary_dir)}")
    with open(ctx.secret_file) as f:
        if f.read() != ctx.secret:
            problems.append("the secret file changed")
    if result.status not in ("ok", "error", "timeout", "limit"):
        problems.append(f"unknown status {result.status}")
    if result.status != "ok" and result.status != "error" and not result.reason:
        problems.append("stopped without a reason")
    return problems


# --- expectations -------------------------------------------------------------------


def status(*allowed: str, reason: str | None = None) -> Expectation:
    """The run ends with one of `allowed`, and its reason starts with `reason`."""

    def check(r: RunResult, ctx: Context) -> str | None:
        if r.status not in allowed:
            return (
                f"status {r.status!r} ({r.reason}), expected {allowed}; stderr: {r.stderr[-400:]}"
            )
        if reason is not None and not (r.reason or "").startswith(reason):
            return f"reason {r.reason!r}, expected it to start with {reason!r}"
        return None

    return check


def denied(*allowed: str) -> Expectation:
    return status(*(allowed or ("error",)), reason=DENIED)


def stdout_lacks(*needles: str, then: Expectation | None = None) -> Expectation:
    def check(r: RunResult, ctx: Context) -> str | None:
        for needle in needles:
            if needle in r.stdout:
                return f"{needle!r} in stdout: {r.stdout[-400:]}"
        return then(r, ctx) if then else None

    return check


def stdout_has(*needles: str, then: Expectation | None = None) -> Expectation:
    def check(r: RunResult, ctx: Context) -> str | None:
        for needle in needles:
            if needle not in r.stdout:
                return f"{needle!r} not in stdout: {r.stdout[-400:]!r} stderr: {r.stderr[-400:]}"
        return then(r, ctx) if then else None

    return check


def with_landlock(on: Expectation, off: Expectation) -> Expectation:
    """Without Landlock, world-readable or world-writable places are reachable: a
    documented residual of that configuration."""
    return lambda r, ctx: (on if ctx.landlock else off)(r, ctx)


def truncated(reason: str) -> Expectation:
    def check(r: RunResult, ctx: Context) -> str | None:
        if not r.truncated or len((r.stdout + r.stderr).encode()) > 64 * 1024:
            return f"truncated={r.truncated}, {len(r.stdout + r.stderr)} chars"
        return status("limit", reason=reason)(r, ctx)

    return check


# --- syscall numbers for raw ctypes attempts ----------------------------------------------

_X86_64 = {
    "fork": 57,
    "vfork": 58,
    "clone": 56,
    "execve": 59,
    "unshare": 272,
    "mount": 165,
    "io_uring_setup": 425,
    "bpf": 321,
    "userfaultfd": 323,
    "perf_event_open": 298,
    "keyctl": 250,
    "ptrace": 101,
    "setns": 308,
    "kill": 62,
    "memfd_create": 319,
}
_AARCH64 = {
    "clone": 220,
    "execve": 221,
    "unshare": 97,
    "mount": 40,
    "io_uring_setup": 425,
    "bpf": 280,
    "userfaultfd": 282,
    "perf_event_open": 241,
    "keyctl": 219,
    "ptrace": 117,
    "setns": 268,
    "kill": 129,
    "memfd_create": 279,
}
NR = _AARCH64 if platform.machine() in ("aarch64", "arm64") else _X86_64

_RAW = f"""import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = {NR!r}
def raw(name, *args):
    if name not in NR:
        return None
    res = libc.syscall(NR[name], *[ctypes.c_long(a) for a in args])
    if res == 0 and name in ("fork", "vfork", "clone"):
        os._exit(0)  # a child got through: leave at once (and fail the case)
    return res, ctypes.get_errno()
"""

SIGNALS = "import os, signal\n"

# --- the cases ------------------------------------------------------------------------

CASES: list[HostileCase] = [
    # 1. fork bombs
    HostileCase(
        "fork_os", "fork bomb", "import os\nfor i in range(2000):\n    os.fork()\n", denied()
    ),
    HostileCase(
        "fork_multiprocessing",
        "fork bomb",
        "import multiprocessing as mp\n"
        "ps = [mp.Process(target=print, args=(i,)) for i in range(50)]\n"
        "for p in ps:\n    p.start()\n",
        denied(),
    ),
    HostileCase(
        "fork_raw_syscall",
        "fork bomb",
        _RAW + "for i in range(1000):\n"
        "    for name, args in (('fork', ()), ('vfork', ()),\n"
        "                       ('clone', (17, 0, 0, 0, 0))):\n"
        "        r = raw(name, *args)\n"
        "        if r is not None and r[0] >= 0:\n"
        "            print('ESCAPED', name)\n"
        "print('done', raw('clone', 17, 0, 0, 0, 0))\n",
        stdout_lacks("ESCAPED", then=stdout_has("done (-1, 1)", then=status("ok"))),
    ),
    # 2. memory bombs
    HostileCase(
        "memory_objects",
        "memory bomb",
        "x = []\nwhile True:\n    x.append(' ' * 10**6)\n",
        status("limit", reason="Memory limit"),
    ),
    HostileCase(
        "memory_tensor",
        "memory bomb",
        "import torch\nt = torch.ones(4 * 1024**3, dtype=torch.uint8)\nprint(t.sum())\n",
        status("limit", reason="Memory limit"),
    ),
    HostileCase(
        "memory_mmap_shared",
        "memory bomb",
        "import mmap\nm = mmap.mmap(-1, 8 << 30)\nm[:] = b'x' * len(m)\n",
        status("limit", "error"),
    ),
    HostileCase(
        "memory_memfd",
        "memory bomb",
        "import os\nfd = os.memfd_create('bomb')\nos.ftruncate(fd, 8 << 30)\n",
        denied(),
    ),
    HostileCase(
        "memory_dev_shm",
        "memory bomb",
        "with open('/dev/shm/tq-bomb', 'wb') as f:\n"
        "    for i in range(2048):\n        f.write(b'x' * (1 << 20))\n",
        with_landlock(denied(), status("limit", "error")),
    ),
    # 3. CPU loops
    HostileCase(
        "cpu_loop",
        "cpu loop",
        "while True:\n    pass\n",
        status("timeout", reason="CPU time limit"),
    ),
    HostileCase(
        "cpu_loop_ignoring_sigxcpu",
        "cpu loop",
        SIGNALS + "signal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n",
        status("timeout"),
    ),
    # 4. sleeping past the limit
    HostileCase(
        "sleep",
        "sleep",
        "import time\nprint('start', flush=True)\ntime.sleep(60)\n",
        stdout_has("start", then=status("timeout", reason="Time limit")),
    ),
    # 5. output floods and huge lines
    HostileCase(
        "flood_lines",
        "output flood",
        "while True:\n    print('spam ' * 20)\n",
        truncated("Output cut at"),
    ),
    HostileCase(
        "flood_huge_line",
        "output flood",
        "import sys\nsys.stdout.write('x' * (50 << 20))\n",
        truncated("Output cut at"),
    ),
    HostileCase(
        "flood_stderr",
        "output flood",
        "import sys\nwhile True:\n    sys.stderr.write('e' * 1000)\n",
        truncated("Output cut at"),
    ),
    # 6. hostile text
    HostileCase(
        "bad_text",
        "invalid utf-8, NUL, ANSI, HTML",
        "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe\\x00nul\\x00 \\xc3( '\n"
        "    b'\\x1b[31mred\\x1b[0m <script>alert(1)</script>\\n')\n"
        "sys.stdout.flush()\nprint('\\ud800 surrogate')\n",
        stdout_has(
            "\ufffd",
            "nul",
            "<script>alert(1)</script>",
            "\x1b[31m",
            "\\ud800 surrogate",
            then=status("ok"),
        ),
    ),
    # 7. reading secrets: /etc/passwd, the app's DB, source, env file
    HostileCase(
        "read_etc_passwd",
        "read secrets",
        "print(open('/etc/passwd').read())\n",
        with_landlock(denied(), stdout_has("root:", then=status("ok"))),
    ),
    HostileCase("read_etc_shadow", "read secrets", "print(open('/etc/shadow').read())\n", denied()),
    HostileCase("read_app_db", "read secrets", "print(open('@DB_FILE@', 'rb').read())\n", denied()),
    HostileCase(
        "read_secret_key", "read secrets", "print(open('@SECRET_FILE@').read())\n", denied()
    ),
    HostileCase("read_env_file", "read secrets", "print(open('@ENV_FILE@').read())\n", denied()),
    HostileCase(
        "list_data_dir", "read secrets", "import os\nprint(os.listdir('@DATA_DIR@'))\n", denied()
    ),
    HostileCase(
        "read_app_source",
        "read secrets",
        "print(open('@APP_DIR@/sandbox/pool.py').read()[:100])\n",
        with_landlock(denied(), status("ok")),
    ),
    HostileCase(
        "inspect_app_source",
        "read secrets",
        "import inspect, app.sandbox.pool as p\nprint(inspect.getsource(p)[:100])\n",
        with_landlock(status("error"), status("ok")),
    ),
    # 8. inherited descriptors
    HostileCase(
        "inherited_fds",
        "inherited descriptors",
        "import os\nfds = []\nfor fd in range(4096):\n    try:\n        os.fstat(fd)\n"
        "        fds.append(fd)\n    except OSError:\n        pass\nprint('fds', fds)\n",
        stdout_has("fds [0, 1, 2]\n", then=status("ok")),
    ),
    # 9. the environment and /proc/<parent>/environ
    HostileCase(
        "environment",
        "environment",
        "import os\nprint(dict(os.environ))\n",
        stdout_lacks("TORCHQUIZ", then=status("ok")),
    ),
    HostileCase(
        "proc_environ",
        "environment",
        "for pid in ('self', '1', '@PARENT_PID@', '@ZYGOTE_PID@'):\n"
        "    try:\n        print(pid, open(f'/proc/{pid}/environ', 'rb').read())\n"
        "    except OSError as e:\n        print(pid, 'blocked', e.errno)\n",
        stdout_lacks("TORCHQUIZ_SECRET", then=status("ok")),
    ),
    # 10. writing outside the job dir or into site-packages
    HostileCase(
        "write_canary_dir",
        "write outside",
        "open('@CANARY_DIR@/evil', 'w').write('x')\n",
        denied(),
        must_not_exist=("@CANARY_DIR@/evil",),
    ),
    HostileCase(
        "write_site_packages",
        "write outside",
        "open('@SITE_PACKAGES@/torchquiz_evil.py', 'w').write('x')\n",
        denied(),
        must_not_exist=("@SITE_PACKAGES@/torchquiz_evil.py",),
    ),
    HostileCase(
        "write_app_source",
        "write outside",
        "open('@APP_DIR@/evil.py', 'w').write('x')\n",
        denied(),
        must_not_exist=("@APP_DIR@/evil.py",),
    ),
    HostileCase(
        "write_data_dir",
        "write outside",
        "open('@DATA_DIR@/evil', 'w').write('x')\n",
        denied(),
        must_not_exist=("@DATA_DIR@/evil",),
    ),
    HostileCase(
        "write_etc",
        "write outside",
        "open('/etc/tq-evil', 'w').write('x')\n",
        denied(),
        must_not_exist=("/etc/tq-evil",),
    ),
    # 11. symlink, hardlink and rename escapes
    HostileCase(
        "symlink_escape",
        "link escapes",
        "import os\nos.symlink('@SECRET_FILE@', 'link')\nprint(open('link').read())\n",
        denied(),
    ),
    HostileCase(
        "symlink_dir_escape",
        "link escapes",
        "import os\nos.symlink('@DATA_DIR@', 'd')\nprint(os.listdir('d'))\n",
        denied(),
    ),
    HostileCase(
        "hardlink_escape",
        "link escapes",
        "import os\nos.link('@SECRET_FILE@', 'hl')\nprint(open('hl').read())\n",
        status("error"),
    ),
    HostileCase(
        "rename_escape",
        "link escapes",
        "open('f', 'w').write('x')\nimport os\nos.rename('f', '@CANARY_DIR@/moved')\n",
        denied(),
        must_not_exist=("@CANARY_DIR@/moved",),
    ),
    # 12. disk fill
    HostileCase(
        "disk_fill_one_file",
        "disk fill",
        "with open('big', 'wb') as f:\n    while True:\n        f.write(b'0' * (1 << 20))\n",
        status("limit", reason="Disk limit"),
    ),
    HostileCase(
        "disk_fill_many_files",
        "disk fill",
        "for i in range(2000):\n    with open(f'f{i}', 'wb') as f:\n"
        "        f.write(b'0' * (1 << 20))\n",
        status("limit", reason="Disk limit"),
    ),
    # 13. inode exhaustion
    HostileCase(
        "inode_exhaustion",
        "inode exhaustion",
        "for i in range(200000):\n    open(f'f{i}', 'w').close()\n",
        status("limit", reason="Disk limit"),
    ),
    HostileCase(
        "deep_tree_then_chmod",
        "inode exhaustion",
        "import os\nfor i in range(3000):\n    os.mkdir('d')\n    os.chdir('d')\nos.chdir('/')\n",
        status("limit", "error"),
    ),
    HostileCase(
        "unremovable_tree",
        "inode exhaustion",
        "import os\nos.makedirs('a/b/c')\nopen('a/b/c/f', 'w').write('x')\n"
        "os.chmod('a/b/c', 0)\nos.chmod('a/b', 0o500)\nos.chmod('a', 0)\n"
        "print('made')\n",
        stdout_has("made", then=status("ok")),
    ),
    # 14. sockets: TCP, UDP, IPv6, raw, netlink
    HostileCase(
        "tcp_loopback",
        "sockets",
        "import socket\nsocket.create_connection(('127.0.0.1', @TCP_PORT@), timeout=1)\n",
        denied(),
    ),
    HostileCase(
        "udp_loopback",
        "sockets",
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.sendto(b'x', ('127.0.0.1', @TCP_PORT@))\n",
        denied(),
    ),
    HostileCase(
        "ipv6_loopback",
        "sockets",
        "import socket\ns = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)\n"
        "s.connect(('::1', @TCP_PORT@))\n",
        denied(),
    ),
    HostileCase(
        "raw_socket",
        "sockets",
        "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n",
        denied(),
    ),
    HostileCase(
        "netlink_socket",
        "sockets",
        "import socket\nsocket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)\n",
        denied(),
    ),
    HostileCase("socketpair", "sockets", "import socket\nsocket.socketpair()\n", denied()),
    # 15. the server's own Unix sockets
    HostileCase(
        "server_unix_socket",
        "unix sockets",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('@UNIX_SOCKET@')\n",
        denied(),
    ),
    HostileCase(
        "abstract_unix_socket",
        "unix sockets",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('\\0torchquiz')\n",
        denied(),
    ),
    # 16. subprocess, os.system, exec, pty
    HostileCase(
        "subprocess_run",
        "subprocess",
        "import subprocess\nprint(subprocess.run(['id'], capture_output=True))\n",
        denied(),
    ),
    HostileCase(
        "os_system",
        "subprocess",
        "import os\nprint('rc', os.system('id'))\n",
        stdout_lacks("uid=", then=status("ok", "error")),
    ),
    HostileCase(
        "os_exec", "subprocess", "import os\nos.execv('/bin/sh', ['sh', '-c', 'id'])\n", denied()
    ),
    HostileCase(
        "posix_spawn",
        "subprocess",
        "import os\nos.posix_spawn('/bin/true', ['true'], {})\n",
        denied(),
    ),
    HostileCase("pty_spawn", "subprocess", "import pty\npty.spawn('/bin/sh')\n", status("error")),
    # 17. ctypes syscalls and dlopen
    HostileCase(
        "ctypes_execve",
        "ctypes",
        _RAW + "import ctypes\nargv = (ctypes.c_char_p * 2)(b'/bin/id', None)\n"
        "r = libc.execve(b'/bin/id', argv, None)\nprint('execve', r, ctypes.get_errno())\n",
        stdout_has("execve -1 1", then=status("ok")),
    ),
    HostileCase(
        "dlopen_own_library",
        "ctypes",
        "import ctypes\nopen('evil.so', 'wb').write(b'\\x7fELF' + b'\\0' * 100)\n"
        "ctypes.CDLL('./evil.so')\n",
        status("error"),
    ),
    # 18. signals to the parent and kill(-1)
    HostileCase(
        "kill_zygote", "signals", SIGNALS + "os.kill(os.getppid(), signal.SIGKILL)\n", denied()
    ),
    HostileCase("kill_minus_one", "signals", SIGNALS + "os.kill(-1, signal.SIGKILL)\n", denied()),
    HostileCase(
        "kill_test_process",
        "signals",
        SIGNALS + "os.kill(@PARENT_PID@, signal.SIGTERM)\n",
        denied(),
    ),
    HostileCase(
        "kill_raw_minus_one",
        "signals",
        _RAW + "print('kill', raw('kill', -1, 9), raw('kill', 0xFFFFFFFF, 9))\n",
        stdout_has("kill (-1, 1) (-1, 1)", then=status("ok")),
    ),
    # 19. ptrace and /proc/<pid>/mem
    HostileCase(
        "ptrace_attach",
        "ptrace",
        _RAW + "print('ptrace', raw('ptrace', 16, os.getppid(), 0, 0))\n",
        stdout_has("ptrace (-1, 1)", then=status("ok")),
    ),
    HostileCase(
        "proc_mem",
        "ptrace",
        "import os\nf = open(f'/proc/{os.getppid()}/mem', 'rb')\nprint(f.read(10))\n",
        status("error"),
    ),
    # 20. setsid and double fork
    HostileCase("setsid", "setsid", "import os\nos.setsid()\n", denied()),
    HostileCase(
        "double_fork",
        "setsid",
        "import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        import time; time.sleep(100)\n",
        denied(),
    ),
    # 21. thread explosion and set_num_threads(64)
    HostileCase(
        "thread_explosion",
        "threads",
        "import threading, time\nn = 0\nfor i in range(3000):\n"
        "    t = threading.Thread(target=time.sleep, args=(30,), daemon=True)\n"
        "    try:\n        t.start()\n    except RuntimeError:\n        break\n"
        "    n += 1\nprint('threads', n)\n",
        status("ok", "error", "limit"),
    ),
    HostileCase(
        "set_num_threads_64",
        "threads",
        "import torch\ntorch.set_num_threads(64)\na = torch.randn(512, 512)\n"
        "print((a @ a).shape, torch.get_num_threads())\n",
        stdout_has("torch.Size([512, 512]) 64", then=status("ok")),
    ),
    # 22. deep recursion and segfaults
    HostileCase(
        "deep_recursion",
        "recursion and crashes",
        "def f(n):\n    return f(n + 1)\nf(0)\n",
        status("error"),
    ),
    HostileCase(
        "stack_overflow",
        "recursion and crashes",
        "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)\n",
        status("error", "timeout", "limit"),
    ),
    HostileCase(
        "segfault",
        "recursion and crashes",
        "import ctypes\nctypes.string_at(0)\n",
        status("error", reason="Crashed"),
    ),
    # 23. unshare, mount, io_uring, bpf, userfaultfd
    HostileCase(
        "kernel_surface",
        "namespaces and kernel",
        _RAW + "for name, args in (('unshare', (0x10000000,)), ('unshare', (0x20000,)),\n"
        "        ('mount', (0, 0, 0, 0, 0)), ('io_uring_setup', (8, 0)),\n"
        "        ('bpf', (0, 0, 0)),\n"
        "        ('userfaultfd', (0,)), ('perf_event_open', (0, 0, -1, -1, 0)),\n"
        "        ('keyctl', (0, 0)), ('setns', (0, 0)), ('memfd_create', (0, 0))):\n"
        "    r = raw(name, *args)\n"
        "    print(name, 'ESCAPED' if r is not None and r[0] >= 0 else 'blocked')\n",
        stdout_lacks("ESCAPED", then=stdout_has("bpf blocked", then=status("ok"))),
    ),
    # 24. torch.load of a pickle
    HostileCase(
        "torch_load_pickle",
        "pickle",
        "import os, pickle, torch\nclass P:\n    def __reduce__(self):\n"
        "        return (os.system, ('touch @CANARY_DIR@/pwned',))\n"
        "pickle.dump(P(), open('evil.pt', 'wb'))\n"
        "try:\n    torch.load('evil.pt')\nexcept Exception as e:\n"
        "    print('weights_only refused:', type(e).__name__)\n"
        "torch.load('evil.pt', weights_only=False)\n",
        stdout_has("weights_only refused", then=status("ok", "error")),
        must_not_exist=("@CANARY_DIR@/pwned",),
    ),
    # 25. torch.hub and pip downloads
    HostileCase(
        "torch_hub",
        "downloads",
        "import torch\ntorch.hub.load('pytorch/vision', 'resnet18')\n",
        denied(),
    ),
    HostileCase(
        "pip_install",
        "downloads",
        "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pip', 'install', 'six'])\n",
        denied(),
    ),
    HostileCase(
        "urlopen_loopback",
        "downloads",
        "import urllib.request\n"
        "urllib.request.urlopen('http://127.0.0.1:@TCP_PORT@/', timeout=1)\n",
        denied(),
    ),
    # 26. torch.compile, cpp_extension, DataLoader workers: fail cleanly
    HostileCase(
        "torch_compile",
        "torch tooling",
        "import torch\nf = torch.compile(lambda x: x * 2)\nprint(f(torch.ones(2)))\n",
        status("error", "timeout"),
    ),
    HostileCase(
        "cpp_extension",
        "torch tooling",
        "from torch.utils.cpp_extension import load_inline\n"
        "load_inline(name='x', cpp_sources='int f() { return 1; }', functions=['f'])\n",
        status("error", "timeout"),
    ),
    HostileCase(
        "dataloader_workers",
        "torch tooling",
        "from torch.utils.data import DataLoader\n"
        "print(list(DataLoader(list(range(8)), num_workers=2)))\n",
        denied(),
    ),
    # 27. tampering with the harness
    HostileCase(
        "fake_passed_lines",
        "harness tampering",
        'print(\'PASSED\')\nprint(\'{"status": "ok", "passed": true}\')\n1/0\n',
        status("error"),
    ),
    HostileCase(
        "patched_stdout",
        "harness tampering",
        "import io, sys\nsys.stdout = io.StringIO()\nsys.stderr = io.StringIO()\n"
        "sys.__stderr__ = None\n1/0\n",
        lambda r, ctx: (
            None
            if r.status == "error" and "ZeroDivisionError" in r.stderr
            else f"{r.status} {r.stderr!r}"
        ),
    ),
    HostileCase(
        "os_exit",
        "harness tampering",
        "import os\nprint('partial', flush=True)\nos._exit(3)\n",
        stdout_has("partial", then=status("error")),
    ),
    HostileCase(
        "close_stdio",
        "harness tampering",
        "import os\nos.close(1)\nos.close(2)\nraise SystemExit(0)\n",
        status("ok"),
    ),
]

BENIGN_TRAINING = """\
import torch
torch.manual_seed(0)
x = torch.randn(64, 3)
y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
model = torch.nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
losses = []
for step in range(20):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
print("first", round(losses[0], 4), "last", round(losses[-1], 4))
print("loss went down:", losses[-1] < losses[0] / 10)
"""
