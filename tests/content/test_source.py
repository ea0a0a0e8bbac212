"""Editing quiz files while the server runs: changes show on the next load, a broken edit
keeps the last good version and shows its error."""

import os
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.content import ContentSource
from tests.helpers import FIXTURE_QUIZZES, migrated_app


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    stat = path.stat()  # two writes within the clock's resolution must still look different
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def copy_fixtures(tmp_path: Path) -> Path:
    folder = tmp_path / "quizzes"
    shutil.copytree(FIXTURE_QUIZZES, folder)
    return folder


def test_a_watched_folder_reloads_edits_and_keeps_the_last_good_version(tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    source = ContentSource(folder, watch=True)
    first = source.current()
    assert source.current() is first  # nothing changed: the same catalog, no reload

    edit(folder / "basics.yaml", "title: Tensor basics", "title: Tensor basics, edited")
    edited = source.current().topic("basics")
    assert edited is not None
    assert edited.title == "Tensor basics, edited"

    edit(folder / "basics.yaml", "summary: Make", "summary: [Make")
    broken = source.current()
    kept = broken.topic("basics")
    assert kept is not None
    assert kept.title == "Tensor basics, edited"
    messages = [str(e) for e in broken.errors]
    assert any("basics.yaml:6:" in m and "starts at line 5" in m for m in messages), messages
    assert any("last good version" in m for m in messages)

    (folder / "kinds.yaml").unlink()
    assert source.current().topic("kinds") is None


def test_an_unwatched_folder_never_reloads(tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    source = ContentSource(folder, watch=False)
    edit(folder / "basics.yaml", "title: Tensor basics", "title: Changed")
    unchanged = source.current().topic("basics")
    assert unchanged is not None
    assert unchanged.title == "Tensor basics"


def test_dev_server_shows_edits_and_the_error_of_a_broken_edit(tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path)
    settings = Settings(
        data_dir=tmp_path / "data",
        quiz_dir=folder,
        secret_key="test",
        run_enabled=False,
        reload=True,
        dev=True,
    )
    with TestClient(migrated_app(settings)) as client:
        assert "Tensor basics" in client.get("/").text
        edit(folder / "basics.yaml", "title: Tensor basics", "title: Tensors, edited live")
        assert "Tensors, edited live" in client.get("/").text
        edit(folder / "basics.yaml", "level: beginner", "level: expert")
        page = client.get("/topics/basics")
        assert page.status_code == 200 and "Tensors, edited live" in page.text
        assert "Quiz files with problems" in page.text
        assert "basics.yaml:6:8: level: Input should be" in page.text
        assert client.get("/api/topics").json()["content_errors"]
