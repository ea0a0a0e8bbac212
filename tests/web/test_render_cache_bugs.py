"""Regression tests of review 3's bugs B2 (refused runs pinned memory) and B4 (a stale
topic card while a file is broken; a 404 page that forgot who is signed in). B3 (eviction
under threads) is tested in test_render_cache.py."""

import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.services.refusals import RateLimited
from app.web.state import app_state
from tests.helpers import FIXTURE_QUIZZES, Learner, migrated_app


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_topic_card_follows_the_catalog_while_its_file_is_broken(tmp_path: Path) -> None:
    folder = tmp_path / "quizzes"
    shutil.copytree(FIXTURE_QUIZZES, folder)
    settings = Settings(
        data_dir=tmp_path / "data", quiz_dir=folder, secret_key="t", run_enabled=False, reload=True
    )

    def requires_of_kinds() -> list[str]:
        topics = client.get("/api/topics").json()["topics"]
        kinds = next(t for t in topics if t["id"] == "kinds")
        return [ref["title"] for ref in kinds["requires"]]

    with TestClient(migrated_app(settings)) as client:
        assert requires_of_kinds() == ["Tensor basics"]
        _edit(folder / "basics.yaml", "title: Tensor basics", "title: Tensors 101")
        _edit(folder / "kinds.yaml", "level: ", "level: [")  # kinds keeps its last good version
        assert requires_of_kinds() == ["Tensors 101"]


def test_the_404_page_shows_who_is_signed_in(client: TestClient, learner: Learner) -> None:
    response = learner.client.post(
        "/api/account",
        json={"username": "ada", "password": "correct horse"},
        headers={"X-CSRF-Token": learner.csrf},
    )
    assert response.status_code == 201, response.text
    assert "ada" in client.get("/topics/nope").text  # a 404 from a route's dependency
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "ada" in missing.text and 'action="/logout"' in missing.text


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc")
def test_refused_runs_keep_no_memory(tmp_path: Path) -> None:
    # One real run per minute: every later run is refused (RateLimited, a 429) once it
    # reached live code, as /api/run and code answers reach it.
    settings = Settings(
        data_dir=tmp_path / "data", quiz_dir=FIXTURE_QUIZZES, secret_key="t", run_rate_per_min=1
    )
    padding = "#" * 8_000  # distinct codes of 8 kB: 4,096 of them kept would be 32 MiB

    async def run_all(first: int, last: int) -> None:
        for n in range(first, last):
            try:
                await live.run(f"print({n})\n{padding}", learner_id="visitor")
            except RateLimited:
                pass

    with TestClient(migrated_app(settings)) as client:
        live, portal = app_state(client.app).live_code(), client.portal
        assert portal is not None  # the client is started
        portal.call(run_all, 0, 500)  # the steady state: allocator pools, one real run
        before = _resident_bytes()
        portal.call(run_all, 500, 10_500)
        grown = _resident_bytes() - before
    assert grown < 20 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"
