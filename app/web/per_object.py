"""Values computed once per immutable catalog object (a topic, a question) and forgotten
with it: a reloaded catalog brings new objects, so nothing stale is ever served.

Runs in: the web process."""

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
S = TypeVar("S")
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


class PerObjectAnd(Generic[K, S, V]):
    """Values computed once per catalog object and a hashable `state` of what is shown
    with it (a learner's progress in it, the outputs it shows); with `keep`, only the
    newest `keep` states per object are kept."""

    def __init__(self, keep: int | None = None) -> None:
        self.keep = keep
        self._per_object: PerObject[K, dict[S, V]] = PerObject()

    def get(self, owner: K, state: S, make: Callable[[], V]) -> V:
        """The value for `owner` in `state`, made by `make()` the first time."""
        built = self._per_object.get(owner, lambda _: {})
        found = built.get(state)
        if found is None:
            found = built[state] = make()
            if self.keep is not None and len(built) > self.keep:
                built.pop(next(iter(built)))
        return found
