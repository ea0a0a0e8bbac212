"""A consistent copy of the SQLite database while the server keeps writing to it."""

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import make_url


class BackupError(Exception):
    """The copy could not be made; the message says why and what to do."""


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the database at `database_url` to `target` with SQLite's online backup API.

    Readers and writers go on while it copies; the copy is a snapshot of one moment.
    Returns how many attempts the copy holds.
    """
    source = make_url(database_url).database
    if not source or not Path(source).is_file():
        raise BackupError(f"no database at {source}; run `torchquiz db upgrade` first")
    if target.exists():
        raise BackupError(f"{target} exists; choose a new path (a backup never overwrites)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    partial = target.with_name(target.name + ".partial")
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.execute("PRAGMA busy_timeout=5000")
            src.backup(dst)
            (attempts,) = dst.execute("select count(*) from attempt").fetchone()
        partial.rename(target)  # a reader never finds a half-written backup at `target`
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup failed: {error}") from error
    target.chmod(0o600)
    return int(attempts)
