"""The one thread pool blocking work runs in: AnyIO's (what FastAPI's run_in_threadpool
uses), whose 40 threads the SQLite connection pool is sized to (store/database.py). A
second pool (asyncio's default executor, 6 threads on 2 cores) would queue reads behind
its own small limit while the other stood idle.

Runs in: the web process.
"""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from anyio import to_thread

P = ParamSpec("P")
T = TypeVar("T")


async def in_thread(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)` run in the pool, off the event loop."""
    return await to_thread.run_sync(functools.partial(function, *args, **kwargs))
