"""What every visitor shares, built once per catalog generation: topic summaries, lessons,
public questions, and partials rendered from them (the topic cards, the lessons).

The rules (review 3 found B2, B3 and B4 where they were not kept):

- **One cache per catalog generation**, held in the app's state (`AppState.renders`): when
  the catalog served changes, the next look makes a new cache and the old one is dropped
  whole. Nothing is keyed by object identity alone, so a `Topic` the loader kept from the
  last good version of a broken file can never bring back a card built from an older
  catalog (B4).
- **Authored content only.** Keys and values are built from the catalog, the outputs of
  authored code and progress *numbers* (answered, correct); never a learner's code,
  answer, output, name or token. Learners' runs are never cached anywhere (B2).
- **Bounded** by entries and by bytes (strings by length, models by their JSON size),
  the least recently used out first.
- **Locked**: lookups, inserts and evictions hold one lock, since page builders run in
  pool threads (B3). Values are made outside it: two threads may both make a value, the
  first one stored wins, and both are equal.
- **Shared renders are strict**: partials rendered once for every visitor use a Jinja
  environment with `StrictUndefined` (`templating.Templates.shared`), so a partial that
  reads a per-visitor value fails loudly instead of serving one visitor's value to all.

Runs in: the web process.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar, cast

from pydantic import BaseModel

from app.content import Catalog

V = TypeVar("V")

MAX_ENTRIES = 4096
MAX_BYTES = 32 * 2**20


def size_of(value: object) -> int:
    """About how many bytes `value` holds (what the byte bound counts)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, BaseModel):
        return len(value.model_dump_json())
    if isinstance(value, Sequence):
        return sum(size_of(item) for item in value)
    return 64


class RenderCache:
    """Values built from one catalog (see the module's rules), by a hashable key."""

    def __init__(
        self, catalog: Catalog, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES
    ) -> None:
        self.catalog = catalog
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """The bytes its entries hold (as size_of counts them)."""
        return self._bytes

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept under `key`, made by `make()` the first time (or after eviction).
        Every value kept under one key must be of one type: the caller's key names it."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return cast(V, found[0])
        value = make()
        size = size_of(value)
        if size > self.max_bytes:
            return value  # never kept: it would evict everything else
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None:  # another thread made it meanwhile: serve one value
                return cast(V, kept[0])
            self._entries[key] = (value, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return value

    def for_item(self, key: Hashable, item: object, make: Callable[[], V]) -> V:
        """A value made from `item` (a frozen value this cache built), once per item: the
        entry keeps `item` alive, so its id() cannot be reused by another while it is kept."""
        kept = self.get((key, id(item)), lambda: (item, make()))
        if kept[0] is item:
            return kept[1]
        return make()  # an equal key, another item (cannot happen while kept): made anew


class RenderCaches:
    """The app's render cache, for the catalog served now."""

    def __init__(self, **bounds: int) -> None:
        self._bounds = bounds
        self._lock = threading.Lock()
        self._current: RenderCache | None = None

    def of(self, catalog: Catalog) -> RenderCache:
        """The cache of `catalog`: a new one (the old one dropped whole) when it changed."""
        current = self._current
        if current is not None and current.catalog is catalog:
            return current
        with self._lock:
            if self._current is None or self._current.catalog is not catalog:
                self._current = RenderCache(catalog, **self._bounds)
            return self._current
