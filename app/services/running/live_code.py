"""Live code: authored snippets' outputs (computed once, cached) and learners' own runs."""

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import Engine

from app.config import Settings
from app.content import Catalog, CodeQuestion, Snippet
from app.sandbox import CodeTooLong, RunResult, Sandbox, SandboxBusy
from app.services.answering.grades import RunSummary
from app.services.refusals import CodeTooLarge, RunnersBusy, RunsDisabled
from app.services.running.output_store import OutputStore
from app.services.running.rate_limit import RunLimit
from app.services.running.run_budget import RunBudget, budget_for, current_requester

log = logging.getLogger("torchquiz.live")


AuthoredRun = tuple[str, str | None]  # code, and the check that runs after it
Outputs = Mapping[str, RunSummary]  # snippet id -> its real output


def authored_runs(catalog: Catalog) -> list[AuthoredRun]:
    """Every run of authored code the site needs: snippets, then solutions and known-wrong
    answers of code questions with their checks."""
    runs: list[AuthoredRun] = [(s.code, None) for s in catalog.snippets]
    for topic in catalog.topics:
        for question in topic.questions:
            if isinstance(question, CodeQuestion) and question.params is None:
                runs.append((question.solution.code, question.check))
                runs.extend((w.code, question.check) for w in question.wrong)
    return runs


def torch_version() -> str:
    """The installed torch version, read without importing torch into the web process."""
    try:
        return version("torch")
    except PackageNotFoundError:
        return "unknown"


class TemplateSnippet(ValueError):
    """A variant question's code (or solution) as written, with `{name}` placeholders: only
    its variants run (content/catalog.py); running it would show and store a NameError."""


def _output_key(torch: str, code: str, check: str | None, seed: int) -> str:
    # Not memoized: the code may be a learner's (up to the form's 1 MB), and a memo would
    # keep every string it was asked about, refused runs included (review 3, B2).
    # Seed 0 (every run but a variant's params) keeps the keys stored before seeds.
    salt = f"\0{seed}" if seed else ""
    return hashlib.sha256(f"{torch}\0{code}\0{check}{salt}".encode()).hexdigest()


class LiveCode:
    """Runs code in the sandbox; authored snippets are cached by (code, torch version)."""

    def __init__(
        self,
        sandbox: Sandbox | None,
        *,
        rate: RunLimit,
        why_off: str = "running code is turned off on this server",
        store: OutputStore | None = None,
        budget: RunBudget | None = None,
    ) -> None:
        self._sandbox = sandbox
        self.why_off = why_off
        self.rate = rate
        self.budget = budget or RunBudget(rate)
        self.store = store  # authored outputs kept across restarts and replicas
        self._torch = torch_version()
        self._cache: dict[str, RunResult] = {}
        # Outputs a page read computed: stored by the warm-up or at shutdown, never by a GET.
        self._unsaved: dict[str, RunResult] = {}
        self.warmed = False  # every authored run computed once (or the warm-up gave up)
        self._pending: dict[str, asyncio.Future[RunResult]] = {}

    @property
    def enabled(self) -> bool:
        """Whether code runs at all on this server."""
        return self._sandbox is not None

    def health(self) -> dict[str, object]:
        """Whether code runs, and if so the sandbox's layers, pool and queue."""
        if self._sandbox is None:
            return {"enabled": False, "reason": self.why_off}
        return {"enabled": True, "warmed": self.warmed, **self._sandbox.health()}

    @property
    def ready(self) -> bool:
        """Runs can start now (or never will: runs are off)."""
        return self._sandbox is None or bool(self._sandbox.health().get("ready"))

    async def close(self) -> None:
        """Store what page reads computed, then stop the sandbox: the run in flight
        finishes, the zygote goes."""
        await self._save_unsaved()
        if self._sandbox is not None:
            await self._sandbox.close()

    def _key(self, code: str, check: str | None = None, seed: int = 0) -> str:
        return _output_key(self._torch, code, check, seed)

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

    async def _save_unsaved(self) -> None:
        while self._unsaved:
            key = next(iter(self._unsaved))
            await self._keep(key, self._unsaved.pop(key))

    def cached_outputs(self, snippets: Iterable[Snippet]) -> dict[str, RunSummary]:
        """The outputs already computed, by snippet id; never waits."""
        _refuse_templates(snippets := list(snippets))
        found = {s.id: self._cache.get(self._key(s.code)) for s in snippets}
        return {snippet_id: RunSummary.of(run) for snippet_id, run in found.items() if run}

    async def _sandboxed(self, code: str, check: str | None, seed: int = 0) -> RunResult:
        if self._sandbox is None:
            raise RunsDisabled(self.why_off)
        try:
            return await self._sandbox.run(code, check=check, seed=seed)
        except SandboxBusy as busy:
            raise RunnersBusy(retry_after=busy.retry_after) from None
        except CodeTooLong as error:
            raise CodeTooLarge(str(error)) from None

    async def reference(
        self,
        code: str,
        *,
        check: str | None = None,
        seed: int = 0,
        persist: bool = True,
        page_read: bool = False,
    ) -> RunResult:
        """The run of authored code (a snippet, a solution, a known-wrong answer, a
        variant's params with its seed), at most once per process; raises RunsDisabled
        when this server runs no code. Without `persist` the result is kept in memory
        only (a variant's runs), and a run it starts is counted against the visitor the
        request is for, as their own runs are: a variant is drawn for them. A `page_read`
        (a GET) never writes: what it computed is stored by the warm-up, or when the
        server stops."""
        key = self._key(code, check, seed)
        if key in self._cache:
            return self._cache[key]
        if key in self._pending:  # another request is already running it: share that run
            return await asyncio.shield(self._pending[key])
        who = None if persist else current_requester()
        if who is not None:
            await self.budget.admit(who.learner_id, who)
            if key in self._cache:  # computed while the limit was counted
                return self._cache[key]
            if key in self._pending:
                return await asyncio.shield(self._pending[key])
        future: asyncio.Future[RunResult] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            async with self.budget.slot(who):
                result = await self._sandboxed(code, check, seed)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(result)
        # A timeout may come from load rather than the code; only keep definite results.
        if result.status in {"ok", "error"}:
            if persist and not page_read:
                await self._keep(key, result)
            else:
                self._cache[key] = result
                if persist:
                    self._unsaved[key] = result
        return result

    async def outputs(
        self, snippets: Iterable[Snippet], *, persist: bool = True
    ) -> dict[str, RunSummary]:
        """Outputs of several snippets by snippet id, for a page read (which never writes:
        see reference); one that cannot run now is left out."""
        unique = {s.id: s for s in snippets}
        _refuse_templates(unique.values())
        if self._sandbox is None or not unique:
            return {}
        known = self.cached_outputs(unique.values())
        if len(known) == len(unique):  # nearly every page once the warm-up is done
            return known
        results = await asyncio.gather(
            *(self.reference(s.code, persist=persist, page_read=True) for s in unique.values()),
            return_exceptions=True,
        )
        found: dict[str, RunSummary] = {}
        for snippet_id, result in zip(unique, results, strict=True):
            if isinstance(result, RunResult):
                found[snippet_id] = RunSummary.of(result)
            elif isinstance(result, BaseException):
                log.warning("snippet %s not run: %s", snippet_id, result)
        return found

    async def warm(self, runs: Iterable[AuthoredRun]) -> None:
        """Run authored code ahead of the first page or answer that needs it."""
        if self._sandbox is None:
            return
        for code, check in runs:
            try:
                await self.reference(code, check=check)
            except Exception as error:  # a busy pool now is no reason to stop warming
                log.info("warm-up deferred: %s", error)
        await self._save_unsaved()  # what pages computed before the warm-up got to it
        self.warmed = True

    async def run(self, code: str, *, learner_id: str, check: str | None = None) -> RunResult:
        """Run a learner's code (then `check`, if given, in the same namespace).

        Raises RunsDisabled, CodeTooLarge, RateLimited or RunnersBusy.
        """
        if self._sandbox is None:
            raise RunsDisabled(self.why_off)
        known = self._cache.get(self._key(code, check))
        if known is not None:  # authored code run unedited: its result is known
            return known
        who = current_requester()
        await self.budget.admit(learner_id, who)
        async with self.budget.slot(who):
            result = await self._sandboxed(code, check)
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

    async def try_code(self, code: str, *, learner_id: str) -> RunSummary:
        """Run a learner's edited code ("try it"); raises what `run` raises."""
        return RunSummary.of(await self.run(code, learner_id=learner_id))


def _refuse_templates(snippets: Iterable[Snippet]) -> None:
    template = next((s for s in snippets if s.template), None)
    if template is not None:
        raise TemplateSnippet(
            f"snippet {template.id} is a variant question's template: run its variant instead"
        )


def _files_unprotected(sandbox: Sandbox, settings: Settings) -> str | None:
    """Why runs must not start: nothing would keep jobs out of the data folder."""
    layers = sandbox.health()["layers"]
    assert isinstance(layers, dict)
    if layers.get("landlock") or layers.get("uid_drop") or settings.run_allow_unprotected_files:
        return None
    return (
        "neither Landlock nor the uid drop is active, so learners' code could read the "
        "database and the secret key; use a kernel with Landlock (or run as root so jobs "
        "drop to uid 65534), or set TORCHQUIZ_RUN_ALLOW_UNPROTECTED_FILES=true to accept it"
    )


async def start_live_code(settings: Settings, engine: Engine) -> LiveCode:
    """Start the sandbox as configured, unless runs are off or would not be contained."""
    budget = budget_for(settings, engine)
    rate = budget.per_learner
    if not settings.run_enabled:
        log.warning("running code is turned off (TORCHQUIZ_RUN_ENABLED=false)")
        return LiveCode(None, rate=rate)
    jobs_dir = str(settings.run_jobs_dir) if settings.run_jobs_dir else None
    sandbox = Sandbox(settings.run_limits(), settings.sandbox_layers(), jobs_dir=jobs_dir)
    await sandbox.start()
    unprotected = _files_unprotected(sandbox, settings)
    if unprotected:
        log.error("%s", unprotected)
        await sandbox.close()
        why = "running code is off: " + unprotected
        return LiveCode(None, rate=rate, why_off=why)
    live = LiveCode(sandbox, rate=rate, store=OutputStore(engine), budget=budget)
    known = await live.load_known_outputs()
    log.info("%d outputs of authored code already known", known)
    return live
