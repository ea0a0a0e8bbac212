"""Live code: authored snippets' outputs (computed once, cached) and learners' own runs."""

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from app.content import Snippet
from app.sandbox import RunResult, Sandbox
from app.services.rate_limit import RateLimiter

log = logging.getLogger("torchquiz.live")


class RunsDisabled(Exception):
    """This server does not run code (TORCHQUIZ_RUN_ENABLED is off)."""


class CodeTooLarge(ValueError):
    """The code is over the size limit; the message gives the limit."""


def torch_version() -> str:
    """The installed torch version, read without importing torch into the web process."""
    try:
        return version("torch")
    except PackageNotFoundError:
        return "unknown"


class LiveCode:
    """Runs code in the sandbox; authored snippets are cached by (code, torch version)."""

    def __init__(self, sandbox: Sandbox | None, *, code_kb: int, rate: RateLimiter) -> None:
        self.sandbox = sandbox
        self.code_kb = code_kb
        self.rate = rate
        self._torch = torch_version()
        self._cache: dict[str, RunResult] = {}
        self._pending: dict[str, asyncio.Future[RunResult]] = {}

    @property
    def enabled(self) -> bool:
        """Whether code runs at all on this server."""
        return self.sandbox is not None

    def _key(self, code: str) -> str:
        return hashlib.sha256(f"{self._torch}\0{code}".encode()).hexdigest()

    def cached_outputs(self, snippets: Iterable[Snippet]) -> dict[str, RunResult]:
        """The outputs already computed, by snippet id; never waits."""
        found = {s.id: self._cache.get(self._key(s.code)) for s in snippets}
        return {snippet_id: result for snippet_id, result in found.items() if result}

    async def output(self, snippet: Snippet) -> RunResult | None:
        """The real output of an authored snippet, run at most once per process."""
        if self.sandbox is None:
            return None
        key = self._key(snippet.code)
        if key in self._cache:
            return self._cache[key]
        if key in self._pending:  # another page is already running it: share that run
            return await asyncio.shield(self._pending[key])
        future: asyncio.Future[RunResult] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            result = await self.sandbox.run(snippet.code)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(result)
        # A timeout may come from load rather than the code; only keep definite results.
        if result.status in {"ok", "error"}:
            self._cache[key] = result
        return result

    async def outputs(self, snippets: Iterable[Snippet]) -> dict[str, RunResult]:
        """Outputs of several snippets by snippet id; one that cannot run now is left out."""
        unique = {s.id: s for s in snippets}
        if self.sandbox is None or not unique:
            return {}
        results = await asyncio.gather(
            *(self.output(s) for s in unique.values()), return_exceptions=True
        )
        found: dict[str, RunResult] = {}
        for snippet_id, result in zip(unique, results, strict=True):
            if isinstance(result, RunResult):
                found[snippet_id] = result
            elif isinstance(result, BaseException):
                log.warning("snippet %s not run: %s", snippet_id, result)
        return found

    async def warm(self, snippets: Iterable[Snippet]) -> None:
        """Compute authored outputs ahead of the first page that shows them."""
        for snippet in snippets:
            try:
                await self.output(snippet)
            except Exception as error:  # a busy pool now is no reason to stop warming
                log.info("warm-up of snippet %s deferred: %s", snippet.id, error)

    async def run(self, code: str, *, learner_id: str) -> RunResult:
        """Run a learner's code; raises RunsDisabled, CodeTooLarge, RateLimited, SandboxBusy."""
        if self.sandbox is None:
            raise RunsDisabled("running code is turned off on this server")
        if len(code.encode()) > self.code_kb * 1024:
            raise CodeTooLarge(f"code is larger than {self.code_kb} KB; shorten it")
        known = self._cache.get(self._key(code))
        if known is not None:  # an authored snippet run unedited: its output is known
            return known
        self.rate.hit(learner_id)
        return await self.sandbox.run(code)
