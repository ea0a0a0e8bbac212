"""Values kept per catalog object: made once, bounded, and forgotten with the object."""

import functools
import gc

from app.web.per_object import PerObjectAnd


class Owner:
    """Stands for a catalog object (a topic, a question)."""


def test_a_value_is_made_once_per_object_and_state() -> None:
    cache: PerObjectAnd[Owner, int, list[int]] = PerObjectAnd()
    owner, made = Owner(), []

    def make(state: int) -> list[int]:
        made.append(state)
        return [state]

    first = cache.get(owner, 1, lambda: make(1))
    assert cache.get(owner, 1, lambda: make(1)) is first
    assert cache.get(Owner(), 1, lambda: make(1)) is not first  # another object
    assert made == [1, 1]


def test_only_the_newest_states_are_kept() -> None:
    cache: PerObjectAnd[Owner, int, str] = PerObjectAnd(keep=2)
    owner = Owner()
    for state, value in enumerate(["v0", "v1", "v2"]):
        cache.get(owner, state, functools.partial(str, value))
    assert cache.get(owner, 0, lambda: "again") == "again"  # the oldest was dropped
    assert cache.get(owner, 2, lambda: "again") == "v2"


def test_values_go_with_their_object() -> None:
    cache: PerObjectAnd[Owner, int, str] = PerObjectAnd()
    owner = Owner()
    cache.get(owner, 1, lambda: "kept")
    del owner
    gc.collect()
    assert cache._per_object._values == {}
