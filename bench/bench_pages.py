"""Pages against a bare FastAPI JSON route, in one run on one server (issue #11, target 1).

    .venv/bin/python -m bench.bench_pages [--seconds 10]

`wrk -t2 -c50` against the bare route (before and after the pages; their mean is the
base), then the question page with a learner's session cookie, a topic page and the home
page with the same cookie. Not a test: it prints one table and asserts nothing.
"""

from pathlib import Path

import httpx

from bench.app import FLOOR_PATH
from bench.common import (
    BARE,
    QUIZZES,
    Row,
    WrkResult,
    choice_question,
    ratio,
    server,
    session_cookie,
    wrk,
    wrk_cli,
)

TARGETS = {"question page (session cookie)": 0.5, "topic page": 0.3, "home page": 0.3}


def bare_rps(url: str, seconds: float) -> WrkResult:
    return wrk(url + BARE, seconds=seconds)


def measure(seconds: float, data_dir: Path | None = None, quiz_dir: Path = QUIZZES) -> list[Row]:
    """The page rows: bare route, then each page as a ratio to it."""
    with server(data_dir, quiz_dir) as found:
        url = found.url
        target = choice_question(url)
        cookie, token = session_cookie(url)
        # A learner with some history: the pages show their progress.
        httpx.post(
            f"{url}/api{target.question}/answer",
            json={"choice": target.option},
            headers={"Cookie": cookie, "X-CSRF-Token": token},
            timeout=30,
        ).raise_for_status()
        headers = {"Cookie": cookie}
        before = bare_rps(url, seconds)
        pages = {
            name: wrk(url + path, seconds=seconds, headers=headers)
            for name, path in [
                ("floor: product middleware + visitor + CSRF, constant HTML", FLOOR_PATH),
                ("question page (session cookie)", target.question),
                ("topic page", target.topic),
                ("home page", "/"),
            ]
        }
        after = bare_rps(url, seconds)
    base = (before.rps + after.rps) / 2
    rows = [
        Row(
            "bare FastAPI JSON route, wrk -t2 -c50",
            f"{base:.0f} req/s (before {before.rps:.0f}, after {after.rps:.0f})",
            "1.00",
        )
    ]
    for name, result in pages.items():
        share = ratio(result.rps, base)
        errors = f", {result.errors} errors" if result.errors else ""
        rows.append(
            Row(
                name,
                f"{result.rps:.0f} req/s, p99 {result.p99_ms:.0f} ms{errors}",
                f"{share:.2f}",
                f">= {TARGETS[name]}x" if name in TARGETS else "",
                share >= TARGETS[name] and not result.errors if name in TARGETS else None,
            )
        )
    return rows


def main() -> None:
    wrk_cli(__doc__, measure)


if __name__ == "__main__":
    main()
