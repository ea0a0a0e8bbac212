"""Verify authored content by running it: a stated output, a predicted value or a code
exercise that PyTorch disagrees with is an error at its line in the file."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import assert_never

from app.content import (
    Catalog,
    ChoiceQuestion,
    CodeQuestion,
    ContentError,
    MultiQuestion,
    PredictQuestion,
    Question,
    Topic,
)
from app.content.variants import instantiate
from app.sandbox import RunResult, Sandbox
from app.services.answering.compare import same_output
from app.services.answering.variants import CHECK_SEEDS, EXTRACT, VariantFailed, values_of

Progress = Callable[[int, int], None]  # (done, total)
# A code question should prove, with its `wrong` answers, that its check tells apart the
# mistakes learners make; fewer than this many is a warning (it does not fail the check).
MIN_WRONG_ANSWERS = 2
Runner = Callable[[str, str | None], Awaitable[RunResult]]
SeededRunner = Callable[[str, str, int], Awaitable[RunResult]]  # code, check, seed


@dataclass(frozen=True)
class _Job:
    """One run to make, and how to judge it."""

    code: str
    check: str | None
    judge: Callable[[RunResult], list[ContentError]]


def _error(topic: Topic, line: int, message: str) -> ContentError:
    return ContentError(topic.source, max(line, 1), 1, message)


def _last_line(run: RunResult) -> str:
    lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else (run.reason or run.status)


def _failed(run: RunResult) -> str | None:
    """Why a run of authored code did not succeed, or None when it did."""
    if run.status == "ok":
        return None
    if run.status == "error":
        return f"raises {_last_line(run)}"
    return f"was stopped: {run.reason or run.status}"


def _stated_output_matches(stated: str, real: str) -> bool:
    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.rstrip().splitlines()]

    return lines(stated) == lines(real)


def _snippet_jobs(topic: Topic) -> list[_Job]:
    jobs = []
    for snippet in topic.lesson_snippets:

        def judge(run: RunResult, line: int = snippet.line) -> list[ContentError]:
            why = _failed(run)
            return [_error(topic, line, f"this python block {why}")] if why else []

        jobs.append(_Job(snippet.code, None, judge))
    return jobs


def _question_code_job(topic: Topic, question: Question) -> _Job | None:
    if question.code is None:
        return None
    snippet = question.code

    def judge(run: RunResult) -> list[ContentError]:
        where = f"question `{question.id}`"
        why = _failed(run)
        if why:
            return [_error(topic, snippet.line, f"{where}: `code` {why}")]
        errors = []
        if question.output is not None and not _stated_output_matches(question.output, run.stdout):
            real = run.stdout.rstrip() or "(nothing)"
            errors.append(
                _error(
                    topic,
                    question.at("output")[0],
                    f"{where}: the stated `output` differs from the real run, which prints:\n"
                    f"{real}\n  (fix `output`, or remove it to show the real output only)",
                )
            )
        if isinstance(question, PredictQuestion) and not run.stdout.strip():
            errors.append(_error(topic, snippet.line, f"{where}: `code` prints nothing to predict"))
        return errors

    return _Job(snippet.code, None, judge)


async def _verify_exercise(topic: Topic, question: CodeQuestion, run: Runner) -> list[ContentError]:
    where = f"question `{question.id}`"
    reference = await run(question.solution.code, question.check)
    why = _failed(reference)
    if why or reference.check_output is None:
        return [_error(topic, question.solution.line, f"{where}: `solution` {why}")]
    expected = reference.check_output
    if expected.startswith("check failed:"):
        return [
            _error(
                topic,
                question.at("check")[0],
                f"{where}: `check` fails after the solution: "
                f"{expected.removeprefix('check failed:').strip()}",
            )
        ]
    errors = []
    starter = await run(question.starter, question.check)
    if starter.check_output is not None and same_output(expected, starter.check_output):
        errors.append(
            _error(
                topic,
                question.at("starter")[0],
                f"{where}: the `starter` passes the check unchanged; make the check tell it apart",
            )
        )
    for index, wrong in enumerate(question.wrong):
        result = await run(wrong.code, question.check)
        if result.check_output is not None and same_output(expected, result.check_output):
            errors.append(
                _error(
                    topic,
                    wrong.line,
                    f"{where}: `wrong[{index}]` passes the check (it prints what it prints "
                    "after the solution); make the check tell them apart",
                )
            )
    return errors


def content_warnings(topics: Iterable[Topic]) -> list[ContentError]:
    """What is allowed but weak in `topics`, in file order: code questions with fewer than
    MIN_WRONG_ANSWERS `wrong` answers. Needs no sandbox."""
    warnings = []
    for topic in topics:
        for question in topic.questions:
            if isinstance(question, CodeQuestion) and len(question.wrong) < MIN_WRONG_ANSWERS:
                count = len(question.wrong)
                warnings.append(
                    _error(
                        topic,
                        question.at("id")[0],
                        f"warning: question `{question.id}` has {count} `wrong` answer(s); add at "
                        f"least {MIN_WRONG_ANSWERS}, each a plausible mistake with its "
                        "misconception, so that the check is proved to reject them",
                    )
                )
    return sorted(warnings)


async def verify_catalog(
    catalog: Catalog, sandbox: Sandbox, progress: Progress | None = None
) -> list[ContentError]:
    """Run every snippet and exercise of `catalog`; return the problems, in file order."""

    async def run(code: str, check: str | None) -> RunResult:
        return await sandbox.run(code, check=check)

    async def run_seeded(code: str, check: str, seed: int) -> RunResult:
        return await sandbox.run(code, check=check, seed=seed)

    jobs: list[Awaitable[list[ContentError]]] = []
    for topic in catalog.topics:
        for job in _snippet_jobs(topic):
            jobs.append(_judged(run, job))
        for question in topic.questions:
            if question.params is not None:
                jobs.append(_verify_variants(topic, question, run, run_seeded))
            else:
                jobs.extend(_question_jobs(topic, question, run))
    total, done = len(jobs), 0
    errors: list[ContentError] = []
    for finished in asyncio.as_completed(jobs):
        errors.extend(await finished)
        done += 1
        if progress is not None:
            progress(done, total)
    return sorted(errors)


def _question_jobs(
    topic: Topic, question: Question, run: Runner
) -> list[Awaitable[list[ContentError]]]:
    """The runs that verify one question: its code, and for an exercise, its answers."""
    code_job = _question_code_job(topic, question)
    jobs: list[Awaitable[list[ContentError]]] = []
    if code_job is not None:
        jobs.append(_judged(run, code_job))
    match question:
        case ChoiceQuestion() | MultiQuestion() | PredictQuestion():
            pass
        case CodeQuestion():
            jobs.append(_verify_exercise(topic, question, run))
        case _:
            assert_never(question)
    return jobs


async def _variant_output(question: Question, run: Runner) -> str:
    """What a learner of this variant sees that its seed decides: the prompt, the options,
    and the real output of its code (or of the check after its solution)."""
    seen = [question.prompt]
    if isinstance(question, ChoiceQuestion | MultiQuestion):
        seen += [o.text for o in question.options]
    if question.code is not None:
        seen.append((await run(question.code.code, None)).stdout)
    if isinstance(question, CodeQuestion):
        seen.append((await run(question.solution.code, question.check)).check_output or "")
    return "\n".join(seen)


async def _verify_variants(
    topic: Topic, question: Question, run: Runner, run_seeded: SeededRunner
) -> list[ContentError]:
    """Every check of the question, once per seed of CHECK_SEEDS, reported at `params:`;
    and seeds that all give the learner the same thing."""
    assert question.params is not None
    line, where = question.at("params")[0], f"question `{question.id}`"
    params = question.params.code

    async def one(seed: int) -> tuple[list[ContentError], str | None]:
        try:
            values = values_of(await run_seeded(params, EXTRACT, seed))
        except VariantFailed as failed:
            return [_error(topic, line, f"{where}: with seed {seed}: {failed}")], None
        variant = instantiate(question, values)
        found: list[ContentError] = []
        for errors in await asyncio.gather(*_question_jobs(topic, variant, run)):
            found.extend(errors)
        return [
            _error(
                topic,
                line,
                f"{where}: with seed {seed}: {e.message.removeprefix(where + ': ')} "
                f"(line {e.line})",
            )
            for e in found
        ], await _variant_output(variant, run)

    results = await asyncio.gather(*(one(seed) for seed in CHECK_SEEDS))
    errors = [e for found, _ in results for e in found]
    # Seeds whose variant ran cleanly; one that failed is reported above, not counted here.
    clean = {
        seed: output
        for seed, (found, output) in zip(CHECK_SEEDS, results, strict=True)
        if not found and output is not None
    }
    if len(clean) >= 2 and len(set(clean.values())) == 1:
        seeds = ", ".join(str(seed) for seed in clean)
        errors.append(
            _error(
                topic,
                line,
                f"{where}: the seeds {seeds} all give the same question and output; "
                "make `params` vary what the learner sees (use its names as `{name}`)",
            )
        )
    return errors


async def _judged(run: Runner, job: _Job) -> list[ContentError]:
    return job.judge(await run(job.code, job.check))
