"""Where the live Catalog comes from: loaded once, or reloaded when a quiz file changes."""

import logging
import threading
from pathlib import Path

from app.content.catalog import Catalog
from app.content.loader import load_catalog, topic_files

log = logging.getLogger("torchquiz.content")

Stamp = tuple[tuple[str, int, int], ...]


class ContentSource:
    """Holds the current Catalog; with `watch`, a changed folder is reloaded on the next look.

    A file whose new version is broken keeps serving its last good version, and the error
    is logged and kept in `catalog.errors` so that development pages can show it.
    """

    def __init__(self, folder: Path, *, watch: bool) -> None:
        self.folder = folder
        self.watch = watch
        self._lock = threading.Lock()
        self._stamp = self._scan()
        self.catalog = load_catalog(folder)
        self._log_errors()

    def _scan(self) -> Stamp:
        stamps = []
        for path in topic_files(self.folder) if self.folder.is_dir() else []:
            try:
                stat = path.stat()
            except OSError:  # removed between listing and stat: the next look sees it
                continue
            stamps.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def _log_errors(self) -> None:
        for error in self.catalog.errors:
            log.warning("quiz file skipped or flawed: %s", error)

    def current(self) -> Catalog:
        """The catalog to serve now (reloaded first when watching and a file changed)."""
        if not self.watch:
            return self.catalog
        stamp = self._scan()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self.catalog = load_catalog(self.folder, previous=self.catalog)
                    self._stamp = stamp
                    log.info("quiz folder changed: %d topics loaded", len(self.catalog.topics))
                    self._log_errors()
        return self.catalog
