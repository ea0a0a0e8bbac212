"""Values computed once per immutable catalog object (a topic, a question) and forgotten
with it: a reloaded catalog brings new objects, so nothing stale is ever served.

Runs in: the web process."""

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class PerObject(Generic[K, V]):
    """A cache keyed by object identity (catalog objects are frozen but costly to hash)."""

    def __init__(self) -> None:
        self._values: dict[int, V] = {}

    def get(self, owner: K, make: Callable[[K], V]) -> V:
        """The value kept for `owner`, made by `make(owner)` the first time."""
        key = id(owner)
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = make(owner)
            # Dropped when `owner` dies, before another object can get the same id().
            weakref.finalize(owner, self._values.pop, key, None)
        return found
