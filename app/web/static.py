"""Static files, served from memory: gzipped once, cached for a year under a content-hashed
URL (`static_url('style.css')` gives `/static/style.css?v=<hash>`), revalidated by ETag
otherwise. In development a file changed on disk is read again (its size or mtime
differs); otherwise each file is read once (the image's files do not change)."""

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from starlette._utils import get_route_path
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # may be kept, but asked again (a 304 when unchanged)
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, gzipped bytes (when smaller), and its content hash."""

    stamp: tuple[int, int]  # (size, mtime_ns) when read
    body: bytes
    gzipped: bytes | None
    digest: str
    media_type: str

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


def _read(path: Path, stamp: tuple[int, int]) -> Asset:
    body = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "application/javascript":
        media_type += "; charset=utf-8"
    gzipped = None
    if media_type.startswith(COMPRESSIBLE):
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    digest = hashlib.sha256(body).hexdigest()[:16]
    return Asset(stamp, body, gzipped, digest, media_type)


class StaticAssets:
    """The ASGI app mounted at /static."""

    def __init__(self, directory: Path, *, watch: bool = True) -> None:
        self.directory = directory.resolve()
        self.watch = watch  # look for changes on disk at every use (development)
        self._assets: dict[str, Asset] = {}

    def asset(self, name: str) -> Asset | None:
        """The file `name` under the folder, read again when it changed; None when there
        is no such file (or the name leaves the folder)."""
        found = self._assets.get(name)
        if found is not None and not self.watch:
            return found
        path = (self.directory / name).resolve()
        if not path.is_relative_to(self.directory):
            return None
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        stamp = (info.st_size, info.st_mtime_ns)
        if found is None or found.stamp != stamp:
            found = _read(path, stamp)
            self._assets[name] = found
        return found

    def url(self, name: str) -> str:
        """The URL of static file `name`, with its content hash: cached for a year."""
        found = self.asset(name)
        return f"/static/{name}?v={found.digest}" if found else f"/static/{name}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.respond(scope)
        await response(scope, receive, send)

    def respond(self, scope: Scope) -> Response:
        if scope["method"] not in {"GET", "HEAD"}:
            return PlainTextResponse("Method Not Allowed", status_code=405)
        name = get_route_path(scope).lstrip("/")  # the path below the mount point
        found = self.asset(name) if name else None
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        query = scope.get("query_string", b"").decode("latin-1")
        cache = IMMUTABLE if f"v={found.digest}" in query.split("&") else REVALIDATE
        headers = Headers(scope=scope)
        common = {"ETag": found.etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
        if found.etag in headers.get("if-none-match", ""):
            return Response(status_code=304, headers=common)
        body, extra = found.body, {}
        if found.gzipped is not None and "gzip" in headers.get("accept-encoding", ""):
            body, extra = found.gzipped, {"Content-Encoding": "gzip"}
        if scope["method"] == "HEAD":
            headers_out = common | extra | {"Content-Length": str(len(body))}
            return Response(status_code=200, headers=headers_out, media_type=found.media_type)
        return Response(body, headers=common | extra, media_type=found.media_type)
