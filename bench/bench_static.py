"""Static files: long-lived caching and compression (issue #11, target 3).

    .venv/bin/python -m bench.bench_static [--seconds 10]

Reads the stylesheet's URL from the home page (content-hashed), checks its caching and
compression headers, then measures with `wrk -t2 -c50`: the stylesheet gzipped, and a
revalidation (If-None-Match -> 304), against the bare route on the same server.
"""

import re
from pathlib import Path

import httpx

from bench.common import BARE, QUIZZES, Row, ratio, server, wrk, wrk_cli


def measure(seconds: float, data_dir: Path | None = None, quiz_dir: Path = QUIZZES) -> list[Row]:
    """Rows for the stylesheet: headers, bytes, requests/s gzipped and revalidated."""
    with server(data_dir, quiz_dir) as found:
        url = found.url
        home = httpx.get(url + "/", timeout=30).text
        match = re.search(r'href="(/static/style\.css[^"]*)"', home)
        path = match.group(1) if match else "/static/style.css"
        plain = httpx.get(url + path, headers={"Accept-Encoding": "identity"}, timeout=30)
        zipped = httpx.get(url + path, headers={"Accept-Encoding": "gzip"}, timeout=30)
        etag = zipped.headers.get("etag", "")
        revalidated = httpx.get(
            url + path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}, timeout=30
        )
        base = wrk(url + BARE, seconds=seconds)
        served = wrk(url + path, seconds=seconds, headers={"Accept-Encoding": "gzip"})
        not_modified = wrk(
            url + path,
            seconds=seconds,
            headers={"Accept-Encoding": "gzip", "If-None-Match": etag},
        )
    cache = zipped.headers.get("cache-control", "(none)")
    immutable = "immutable" in cache and "max-age=31536000" in cache
    compressed = zipped.headers.get("content-encoding") == "gzip"
    wire = int(zipped.headers.get("content-length", len(zipped.content)))
    return [
        Row("bare route (static run), wrk -t2 -c50", f"{base.rps:.0f} req/s", "1.00"),
        Row(
            f"GET {path.split('?')[0]} cache headers",
            f"Cache-Control: {cache}; ETag {'yes' if etag else 'no'}",
            "",
            "content-hashed URL, immutable",
            immutable and "?v=" in path,
        ),
        Row(
            f"GET {path.split('?')[0]} bytes",
            f"{wire} gzip / {len(plain.content)} plain",
            f"{wire / len(plain.content):.2f}",
            "gzip",
            compressed,
        ),
        Row(
            f"GET {path.split('?')[0]} (gzip), wrk",
            f"{served.rps:.0f} req/s",
            f"{ratio(served.rps, base.rps):.2f}",
        ),
        Row(
            "revalidation (If-None-Match), wrk",
            f"{not_modified.rps:.0f} req/s, status {revalidated.status_code}",
            f"{ratio(not_modified.rps, base.rps):.2f}",
            "304",
            revalidated.status_code == 304,
        ),
    ]


def main() -> None:
    wrk_cli(__doc__, measure)


if __name__ == "__main__":
    main()
