"""Shared by the HTML and JSON routes that run code: errors as HTTP statuses."""

from fastapi import HTTPException

from app.content import Question, Snippet
from app.sandbox import RunResult, SandboxBusy
from app.services.live_code import CodeTooLarge, LiveCode, RunsDisabled
from app.services.rate_limit import RateLimited


def snippets_of(question: Question) -> list[Snippet]:
    """The live snippets shown with a question."""
    return [question.code] if question.code else []


async def run_or_http_error(live: LiveCode, code: str, *, learner_id: str) -> RunResult:
    """Run a learner's code, turning each refusal into an HTTP error that says what to do."""
    try:
        return await live.run(code, learner_id=learner_id)
    except CodeTooLarge as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    except RateLimited as error:
        raise HTTPException(
            status_code=429,
            detail=f"you have run code {live.rate.per_minute} times in the last minute; "
            f"wait {error.retry_after:.0f} s and run again",
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
