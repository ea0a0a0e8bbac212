"""What the zygote loads once so that every forked job starts warm, and which paths a
job may still read afterwards.

Runs in: the zygote, once at start-up.
"""

from __future__ import annotations

import ctypes
import importlib
import io
import os
import sys

# Imported up front: a job cannot always import lazily (the standard library may be
# unreadable to the job uid, e.g. a Python installed under /root), and each lazy
# import would be paid again by every job.
PRELOAD = (
    "numpy",
    "random",
    "math",
    "cmath",
    "json",
    "collections",
    "collections.abc",
    "itertools",
    "functools",
    "operator",
    "re",
    "string",
    "textwrap",
    "typing",
    "dataclasses",
    "enum",
    "abc",
    "copy",
    "pprint",
    "statistics",
    "fractions",
    "decimal",
    "heapq",
    "bisect",
    "array",
    "struct",
    "time",
    "datetime",
    "calendar",
    "io",
    "contextlib",
    "pathlib",
    "tempfile",
    "shutil",
    "glob",
    "fnmatch",
    "csv",
    "hashlib",
    "base64",
    "binascii",
    "zlib",
    "pickle",
    "warnings",
    "traceback",
    "inspect",
    "types",
    "weakref",
    "gc",
    "ctypes",
    "threading",
    "queue",
    "signal",
    "mmap",
    "socket",
    "select",
    "errno",
    "subprocess",
    "multiprocessing",
    "multiprocessing.popen_fork",
    "multiprocessing.queues",
    "multiprocessing.synchronize",
    "multiprocessing.connection",
    "multiprocessing.pool",
    "concurrent.futures",
    "concurrent.futures.thread",
    "logging",
    "argparse",
    "pty",
    "encodings.idna",
    "encodings.ascii",
    "encodings.latin_1",
    "unicodedata",
    "stringprep",
    "urllib.request",
    "urllib.error",
    "http.client",
    "unittest",
    "doctest",
    "timeit",
    "uuid",
    "secrets",
    "platform",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.init",
    "torch.optim",
    "torch.optim.lr_scheduler",
    "torch.utils.data",
    "torch.autograd",
    "torch.linalg",
    "torch.fft",
    "torch.distributions",
    "torch.testing",
    "torch.hub",
    "torch.func",
    "torch.nn.utils",
    "torch.nn.utils.rnn",
    "torch.utils.checkpoint",
    "torch.multiprocessing",
    "torch.utils.data._utils",
)


def warm_torch() -> None:
    """Import and exercise torch single-threaded: the forked jobs inherit all of it."""
    import torch

    # A zygote that ever ran a multi-threaded op deadlocks its forked children.
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import numpy as np
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    # Building an optimizer imports torch's compiler machinery (~0.8 s): pay it once here.
    for opt in (
        torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=0.01, momentum=0.9),
        torch.optim.Adam(model.parameters(), lr=0.01),
        torch.optim.AdamW(model.parameters(), lr=0.01),
    ):
        data = DataLoader(TensorDataset(torch.randn(8, 4), torch.randint(0, 3, (8,))), batch_size=4)
        for x, y in data:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y) + F.mse_loss(x, x)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
    sched_opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(sched_opt, step_size=1)
    sched_opt.step()
    scheduler.step()
    sink = io.StringIO()
    # First repr of a tensor / array loads the printing code.
    print(
        torch.randn(3, 3),
        torch.tensor([1, 2]),
        np.arange(4),
        np.random.rand(2),  # noqa: T201
        file=sink,
    )
    torch.softmax(torch.randn(2, 3), dim=1).argmax().item()
    _warm_compile()


def _warm_compile() -> None:
    """Run torch.compile once with the `eager` backend (the only one a job can use: the
    default `inductor` compiles C++ in subprocesses). The first compile imports ~450
    modules (Dynamo's backends, symbolic shapes, networkx...) that a job could not
    import itself, and sets up Dynamo's tables (~0.6 s of CPU, paid once here)."""
    import torch
    import torch._dynamo

    def warm(x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(x) * 2
        print(end="", file=io.StringIO())  # a graph break  # noqa: T201
        return y.sum()

    compiled = torch.compile(warm, backend="eager")
    compiled(torch.randn(2))
    compiled(torch.randn(3))  # a new size: recompiled with a symbolic size
    compiled(torch.randn(3, requires_grad=True)).backward()  # type: ignore[no-untyped-call]
    torch._dynamo.explain(warm)(torch.randn(2))
    torch._dynamo.reset()


_MADV_COLLAPSE = 25  # Linux 6.1
_HUGE = 2 << 20


def collapse_huge_pages() -> int:
    """Back the zygote's heap with transparent huge pages where the kernel can
    (MADV_COLLAPSE); returns how many MB it collapsed.

    Every fork copies, and every job's exit tears down, one page-table entry per 4 KB of
    the zygote's ~250 MB of heap: about 6 ms each way per job. A huge page is one entry
    for 2 MB; a job that writes into one still copies only the 4 KB it touches. Call it
    last, after gc.freeze(): the zygote should write little after it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    collapsed = 0
    try:
        with open("/proc/self/maps") as maps:
            regions = [line.split() for line in maps]
    except OSError:
        return 0
    for fields in regions:
        low, high = (int(x, 16) for x in fields[0].split("-"))
        perms, path = fields[1], fields[5] if len(fields) > 5 else ""
        # Private, writable, anonymous memory: the heap and what malloc and Python mapped.
        if not perms.startswith("rw") or perms[3] != "p" or path not in ("", "[heap]"):
            continue
        start, end = -(-low // _HUGE) * _HUGE, high // _HUGE * _HUGE
        if end > start and libc.madvise(start, end - start, _MADV_COLLAPSE) == 0:
            collapsed += end - start
    return collapsed >> 20


def readable_paths(app_dir: str) -> list[str]:
    """Directories and files a job may read: the interpreter, the packages it loaded,
    system libraries; never the app's own tree (the venv may live inside it)."""
    paths = {sys.base_prefix, os.path.join(sys.prefix, "lib"), os.path.join(sys.prefix, "lib64")}
    app_root = os.path.dirname(app_dir)
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real and os.path.isdir(real) and not _contains(real, app_dir):
            paths.add(real)
    for mod in ("torch", "numpy"):
        module = sys.modules.get(mod)
        if module is not None and module.__file__:
            site = os.path.dirname(os.path.dirname(module.__file__))
            if not _contains(site, app_dir):
                paths.add(site)
    paths.discard(app_root)
    paths.update(
        {
            "/usr/lib",
            "/usr/lib64",
            "/lib",
            "/lib64",
            "/usr/local/lib",
            "/etc/ld.so.cache",
            "/etc/localtime",
            "/usr/share/zoneinfo",
            "/dev/urandom",
            "/dev/random",
            "/dev/zero",
            "/sys/devices/system/cpu",
        }
    )
    return sorted(p for p in paths if os.path.exists(p) and p != "/")


def _contains(outer: str, inner: str) -> bool:
    outer, inner = os.path.realpath(outer), os.path.realpath(inner)
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")
