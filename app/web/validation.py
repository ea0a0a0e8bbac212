"""422 replies that say what to fix without echoing what was sent: FastAPI's own handler
puts every error's `input` in the reply, so 200 000 unknown keys came back as 22 MB, and
a lone surrogate in the input made rendering the reply fail with a 500."""

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

SHOWN_ERRORS = 5  # enough to fix a request; the rest only repeat the same mistake


def _public(error: dict[str, object]) -> dict[str, object]:
    # `loc` names a field (or an unknown key a client sent: shortened); `msg` is pydantic's.
    loc = [part if isinstance(part, int) else str(part)[:64] for part in error.get("loc", ())]  # type: ignore[attr-defined]
    return {"type": error.get("type"), "loc": loc, "msg": str(error.get("msg"))[:300]}


async def validation_error(request: Request, error: Exception) -> Response:
    """The first few validation errors, without the input, as JSON (422)."""
    assert isinstance(error, RequestValidationError)
    errors = list(error.errors())
    body: dict[str, object] = {"detail": [_public(e) for e in errors[:SHOWN_ERRORS]]}
    if len(errors) > SHOWN_ERRORS:
        body["more_errors"] = len(errors) - SHOWN_ERRORS
    return JSONResponse(body, status_code=422)
