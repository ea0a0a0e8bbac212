"""Live code: authored snippets' outputs (computed once, cached) and learners' own runs."""

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from app.content import Catalog, Snippet
from app.sandbox import RunResult, Sandbox
from app.services.output_store import OutputStore
from app.services.rate_limit import RunLimit

log = logging.getLogger("torchquiz.live")


AuthoredRun = tuple[str, str | None]  # code, and the check that runs after it


def authored_runs(catalog: Catalog) -> list[AuthoredRun]:
    """Every run of authored code the site needs: snippets, then solutions and known-wrong
    answers of code questions with their checks."""
    runs: list[AuthoredRun] = [(s.code, None) for s in catalog.snippets]
    for topic in catalog.topics:
        for question in topic.questions:
            if question.solution is not None and question.check is not None:
                runs.append((question.solution.code, question.check))
                runs.extend((w.code, question.check) for w in question.wrong)
    return runs


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

    def __init__(
        self,
        sandbox: Sandbox | None,
        *,
        code_kb: int,
        rate: RunLimit,
        why_off: str = "running code is turned off on this server",
        store: OutputStore | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.why_off = why_off
        self.code_kb = code_kb
        self.rate = rate
        self.store = store  # authored outputs kept across restarts and replicas
        self._torch = torch_version()
        self._cache: dict[str, RunResult] = {}
        self.warmed = False  # every authored run computed once (or the warm-up gave up)
        self._pending: dict[str, asyncio.Future[RunResult]] = {}

    @property
    def enabled(self) -> bool:
        """Whether code runs at all on this server."""
        return self.sandbox is not None

    def _key(self, code: str, check: str | None = None) -> str:
        return hashlib.sha256(f"{self._torch}\0{code}\0{check}".encode()).hexdigest()

    async def load_known_outputs(self) -> int:
        """Fill the cache with the authored outputs the database already holds for this
        torch version (a restart or another replica ran them); how many were found."""
        if self.store is None:
            return 0
        known = await asyncio.to_thread(self.store.load, self._torch)
        self._cache.update(known)
        return len(known)

    async def _keep(self, key: str, result: RunResult) -> None:
        self._cache[key] = result
        if self.store is None:
            return
        try:
            await asyncio.to_thread(self.store.save, key, self._torch, result)
        except Exception:  # the page can do without it; the next start runs it again
            log.exception("could not store an authored output")

    def cached_outputs(self, snippets: Iterable[Snippet]) -> dict[str, RunResult]:
        """The outputs already computed, by snippet id; never waits."""
        found = {s.id: self._cache.get(self._key(s.code)) for s in snippets}
        return {snippet_id: result for snippet_id, result in found.items() if result}

    async def reference(self, code: str, *, check: str | None = None) -> RunResult:
        """The run of authored code (a snippet, a solution, a known-wrong answer), at most
        once per process; raises RunsDisabled when this server runs no code."""
        if self.sandbox is None:
            raise RunsDisabled(self.why_off)
        key = self._key(code, check)
        if key in self._cache:
            return self._cache[key]
        if key in self._pending:  # another request is already running it: share that run
            return await asyncio.shield(self._pending[key])
        future: asyncio.Future[RunResult] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            result = await self.sandbox.run(code, check=check)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(result)
        # A timeout may come from load rather than the code; only keep definite results.
        if result.status in {"ok", "error"}:
            await self._keep(key, result)
        return result

    async def output(self, snippet: Snippet) -> RunResult | None:
        """The real output of an authored snippet, or None when this server runs no code."""
        if self.sandbox is None:
            return None
        return await self.reference(snippet.code)

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

    async def warm(self, runs: Iterable[AuthoredRun]) -> None:
        """Run authored code ahead of the first page or answer that needs it."""
        if self.sandbox is None:
            return
        for code, check in runs:
            try:
                await self.reference(code, check=check)
            except Exception as error:  # a busy pool now is no reason to stop warming
                log.info("warm-up deferred: %s", error)
        self.warmed = True

    async def run(self, code: str, *, learner_id: str, check: str | None = None) -> RunResult:
        """Run a learner's code (then `check`, if given, in the same namespace).

        Raises RunsDisabled, CodeTooLarge, RateLimited or SandboxBusy.
        """
        if self.sandbox is None:
            raise RunsDisabled(self.why_off)
        if len(code.encode()) > self.code_kb * 1024:
            raise CodeTooLarge(f"code is larger than {self.code_kb} KB; shorten it")
        known = self._cache.get(self._key(code, check))
        if known is not None:  # authored code run unedited: its result is known
            return known
        await self.rate.check(learner_id)
        result = await self.sandbox.run(code, check=check)
        # A learner's code is theirs: the log keeps only a hash of it.
        digest = hashlib.sha256(code.encode()).hexdigest()
        log.info(
            "run %s: %s in %.0f ms",
            digest[:12],
            result.status,
            result.duration_ms,
            extra={"code_sha256": digest, "status": result.status, "reason": result.reason},
        )
        return result
