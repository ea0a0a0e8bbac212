"""Shared by the HTML and JSON routes that run code or grade answers: refusals as HTTP."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from app.content import Question, Snippet, Topic
from app.sandbox import RunResult, SandboxBusy
from app.services.grading import Answer, Grade, InvalidAnswer, grade
from app.services.live_code import CodeTooLarge, LiveCode, RunsDisabled
from app.services.progress import record_attempt
from app.services.rate_limit import RateLimited


def snippets_of(question: Question) -> list[Snippet]:
    """The live snippets shown with a question."""
    return [question.code] if question.code else []


@contextmanager
def refusals_as_http(live: LiveCode) -> Iterator[None]:
    """Turn each reason code cannot run now into an HTTP error that says what to do."""
    try:
        yield
    except (CodeTooLarge, InvalidAnswer) as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    except RateLimited as error:
        raise HTTPException(
            status_code=429,
            detail=f"you have run code {live.rate.per_minute} times in the last minute; "
            f"wait {error.retry_after:.0f} s and try again",
            headers={"Retry-After": str(round(error.retry_after))},
        ) from None
    except SandboxBusy as error:
        retry = max(1, round(error.retry_after))
        raise HTTPException(
            status_code=503,
            detail=f"every worker is busy running code; try again in {retry} s",
            headers={"Retry-After": str(retry)},
        ) from None
    except RunsDisabled as error:
        raise HTTPException(
            status_code=503, detail=str(error), headers={"Retry-After": "3600"}
        ) from None


async def run_or_http_error(live: LiveCode, code: str, *, learner_id: str) -> RunResult:
    """Run a learner's code, or raise the HTTP error that explains why it cannot run."""
    with refusals_as_http(live):
        return await live.run(code, learner_id=learner_id)


async def answer_question(
    *,
    live: LiveCode,
    engine: Engine,
    learner_id: str,
    topic: Topic,
    question: Question,
    answer: Answer,
) -> Grade:
    """Grade an answer and store it as an attempt; a refused answer stores nothing."""
    with refusals_as_http(live):
        verdict = await grade(question, answer, live=live, learner_id=learner_id)
    await run_in_threadpool(
        record_attempt,
        engine=engine,
        learner_id=learner_id,
        topic=topic,
        question=question,
        answer=answer,
        grade=verdict,
    )
    return verdict
