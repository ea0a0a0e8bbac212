"""Request bodies are refused (413) past a size that depends on the route, before anything
parses them; JSON bodies with a lone surrogate are refused (422) before a route sees them.

FastAPI reads and validates a whole body on the event loop: a 2.3 MB object of unknown
keys once stalled every request for 4 s (security review 3, finding 5). The largest
legitimate body is code (an answer or a run) at the run limit."""

import json
import re
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Where code is posted: as JSON (`\u` escapes) or as a form (`%XX`) it may take up to three
# bytes per byte of code (a four-byte character as an escaped surrogate pair: 12 bytes).
_CARRIES_CODE = re.compile(
    r"^(/api)?/topics/[^/]+/questions/[^/]+(/answer)?$|^(/api|/fragments)?/run$"
)
CODE_EXPANSION = 3
MARGIN = 16 * 1024  # the other fields: a CSRF token, keys, timestamps
SMALL_BODY = 16 * 1024  # a login, a hint, a form with a token: a few hundred bytes


@dataclass(frozen=True)
class BodyLimits:
    """How large a request body may be, by route."""

    code_bytes: int  # the run limit (TORCHQUIZ_RUN_CODE_KB)

    def for_path(self, path: str) -> int:
        """The largest body accepted on this path, in bytes."""
        if _CARRIES_CODE.match(path):
            return self.code_bytes * CODE_EXPANSION + MARGIN
        return SMALL_BODY


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 for a body over its route's limit: at once when Content-Length says so, else as
    soon as the streamed body passes it, without reading the rest."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(scope, limit)(scope, receive, send)
            return
        if _read_as_json(headers.get("content-type", "")):
            await self._json(scope, receive, send, limit)
            return
        await self._streamed(scope, receive, send, limit)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a cut-off body (a 400, say) is replaced
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(scope, limit)(scope, receive, send)

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        # A JSON body is small once limited: read it whole, check it, hand it on as it came.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(scope, limit)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = _lone_surrogate(body)
        if problem is not None:
            # Shaped as FastAPI's own 422 (HTTPValidationError), which the API documents.
            error = {"type": "lone_surrogate", "loc": ["body"], "msg": problem}
            await JSONResponse({"detail": [error]}, status_code=422)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _read_as_json(content_type: str) -> bool:
    # As FastAPI decides: no type, or a */json or */*+json one, is parsed as JSON.
    mime = content_type.split(";")[0].strip().lower()
    subtype = mime.rpartition("/")[2]
    return not mime or subtype == "json" or subtype.endswith("+json")


def _lone_surrogate(body: bytes) -> str | None:
    """What to fix when the JSON holds a string no UTF-8 text can carry (a `\\ud800`
    escape without its pair), or None; a body that is not JSON is left to the route."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return (
            "the JSON holds a lone surrogate (a \\ud800-\\udfff escape without its pair), "
            "which is not text; send valid Unicode"
        )
    return None


def _too_large(scope: Scope, limit: int) -> Response:
    detail = f"request body too large: at most {limit // 1024} KB here"
    # The rest of the body is never read: the connection cannot carry another request.
    headers = {"Connection": "close"}
    if scope["path"].startswith("/api/"):
        return JSONResponse({"detail": detail}, status_code=413, headers=headers)
    return PlainTextResponse(detail, status_code=413, headers=headers)
