"""One writer for the whole process: units of work (functions taking a Session) queue up
for a single thread, which commits whatever is waiting as one transaction.

Why: with 50 concurrent learners, one insert per request from the threadpool had writers
queueing on SQLite's lock (p99 near a second, DESIGN.md); one writer that batches keeps
the lock uncontended and pays one commit for many answers. A caller awaits its own
unit's commit, so an acknowledged answer is stored.

Runs in: the web process (a thread of its own).
"""

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlmodel import Session

log = logging.getLogger("torchquiz.store")
T = TypeVar("T")
Work = Callable[[Session], Any]
BATCH_MAX = 256  # units per transaction: bounds the work a failed batch re-does


@dataclass
class _Unit:
    work: Work
    done: Future[Any]


class Writer:
    """Runs units of work one transaction per batch, in one thread.

    A unit may run again (alone, in a transaction of its own) when another unit of its
    batch failed, so it must only touch the database through the session it is given."""

    def __init__(self, engine: Engine, batch_max: int = BATCH_MAX) -> None:
        self.engine = engine
        self.batch_max = batch_max
        self._queue: queue.SimpleQueue[_Unit | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.units = 0
        self._connection: Connection | None = None
        self._checkpoints: _Checkpointer | None = None

    def _started(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="torchquiz-writer", daemon=True
                )
                self._thread.start()

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in a transaction; returns once it is committed, or raises
        what `work` (or its commit) raised."""
        self._started()
        done: Future[T] = Future()
        self._queue.put(_Unit(work, done))
        return await asyncio.wrap_future(done)

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _serve(self) -> None:
        if self.engine.dialect.name != "sqlite":
            self._loop()  # a pooled connection per batch: pre-ping survives a restart
            return
        with self.engine.connect() as connection:
            # SQLite: one connection of its own, on which checkpoints (copying the WAL into
            # the database, with an fsync) never run inside a commit and stall every
            # answer waiting on it; a checkpointer thread runs them beside the writer.
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            connection.commit()
            self._connection = connection
            self._checkpoints = _Checkpointer(self.engine)
            try:
                self._loop()
            finally:
                self._checkpoints.close()
                self._connection = None

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.batch_max:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _session(self) -> Session:
        bind = self._connection if self._connection is not None else self.engine
        return Session(bind=bind, expire_on_commit=False)

    def _commit(self, batch: list[_Unit]) -> None:
        self.batches += 1
        self.units += len(batch)
        results: list[Any] = []
        try:
            with self._session() as session:
                for unit in batch:
                    results.append(unit.work(session))
                    session.flush()  # a unit's failure shows now, not at the commit
                session.commit()
        except Exception as error:
            if len(batch) == 1:
                _fail(batch[0], error)
                return
            # One unit failed (a repeated idempotency key from another replica, say):
            # nothing of the batch is stored; each unit runs again, alone.
            for unit in batch:
                self._alone(unit)
            return
        for unit, result in zip(batch, results, strict=True):
            _resolve(unit, result)
        if self._checkpoints is not None:
            self._checkpoints.wake()

    def _alone(self, unit: _Unit) -> None:
        try:
            with self._session() as session:
                result = unit.work(session)
                session.commit()
        except Exception as error:
            _fail(unit, error)
        else:
            _resolve(unit, result)


def _resolve(unit: _Unit, result: Any) -> None:
    if unit.done.set_running_or_notify_cancel():
        unit.done.set_result(result)


def _fail(unit: _Unit, error: BaseException) -> None:
    if unit.done.set_running_or_notify_cancel():
        unit.done.set_exception(error)


class _Checkpointer:
    """Copies SQLite's write-ahead log into the database now and then, in a thread of its
    own: a PASSIVE checkpoint never blocks the writer (or readers)."""

    EVERY_S = 1.0

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._wake = threading.Event()
        self._stop = False
        self._thread = threading.Thread(
            target=self._serve, name="torchquiz-checkpoint", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join()

    def _serve(self) -> None:
        while not self._stop:
            self._wake.wait()
            self._wake.clear()
            try:
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:
                log.exception("WAL checkpoint failed; the next one will try again")
            if not self._stop:
                time.sleep(self.EVERY_S)  # at most one checkpoint a second
