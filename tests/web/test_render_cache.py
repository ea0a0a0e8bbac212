"""The render cache: made once per key, bounded by entries and bytes, locked, one per
catalog generation; and the app's renders follow it (review 3, B3 and B4)."""

import sys
import threading
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from app.config import Settings
from app.content import Catalog, load_catalog
from app.main import create_app
from app.web.render_cache import RenderCache, RenderCaches
from app.web.state import AppState, app_state
from app.web.templating import Templates
from tests.helpers import FIXTURE_QUIZZES


def test_a_value_is_made_once_per_key() -> None:
    cache, made = RenderCache(Catalog()), []

    def make(state: int) -> list[int]:
        made.append(state)
        return [state]

    first = cache.get(("k", 1), lambda: make(1))
    assert cache.get(("k", 1), lambda: make(1)) is first
    assert cache.get(("k", 2), lambda: make(2)) == [2]
    assert made == [1, 2]


def test_it_is_bounded_by_entries_and_by_bytes() -> None:
    by_count = RenderCache(Catalog(), max_entries=2)
    for n in range(3):

        def value(n: int = n) -> str:
            return f"v{n}"

        by_count.get(n, value)
    assert len(by_count) == 2
    assert by_count.get(0, lambda: "again") == "again"  # the least recently used went first
    by_size = RenderCache(Catalog(), max_bytes=1000)
    for n in range(10):
        by_size.get(n, lambda: "x" * 300)
    assert by_size.bytes <= 1000 and len(by_size) == 3
    assert by_size.get("huge", lambda: "x" * 5000) == "x" * 5000  # served, never kept
    assert by_size.bytes <= 1000


def test_an_item_keeps_its_render_while_it_is_kept() -> None:
    cache = RenderCache(Catalog())
    item, other = ["a"], ["a"]
    assert cache.for_item("card", item, lambda: "for item") == "for item"
    assert cache.for_item("card", item, lambda: "again") == "for item"
    assert cache.for_item("card", other, lambda: "for other") == "for other"


def test_concurrent_eviction_never_fails() -> None:
    cache, errors = RenderCache(Catalog(), max_entries=2), []
    interval = sys.getswitchinterval()

    def hammer(offset: int) -> None:
        try:
            for n in range(20_000):
                state = (n + offset) % 7

                def make(s: int = state) -> int:
                    return s

                assert cache.get(("k", state), make) == state
        except Exception as error:  # what a page would turn into a 500
            errors.append(error)

    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == [] and len(cache) <= 2


def test_a_new_catalog_gets_a_new_cache_and_drops_the_old_one(tmp_path: Path) -> None:
    caches = RenderCaches()
    first = load_catalog(FIXTURE_QUIZZES)
    cache = caches.of(first)
    cache.get("k", lambda: "old")
    assert caches.of(first) is cache
    second = load_catalog(FIXTURE_QUIZZES, previous=first)
    assert caches.of(second) is not cache
    assert caches.of(second).get("k", lambda: "new") == "new"


def test_shared_renders_fail_on_a_value_they_were_not_handed() -> None:
    cache = RenderCache(Catalog())
    templates = Templates(auto_reload=False, static_url=str, renders=lambda: cache)
    with pytest.raises(UndefinedError):
        templates.shared.from_string("{{ item.title }} {{ visitor.username }}").render(item=1)
    assert templates.pages.env.from_string("[{{ visitor }}]").render() == "[]"  # pages: lenient


def test_two_apps_in_one_process_share_no_templates_and_no_cache(tmp_path: Path) -> None:
    def state(name: str, *, dev: bool) -> AppState:
        settings = Settings(
            data_dir=tmp_path / name,
            quiz_dir=FIXTURE_QUIZZES,
            secret_key="t",
            run_enabled=False,
            dev=dev,
        )
        return app_state(create_app(settings))

    served, developed = state("a", dev=False), state("b", dev=True)
    assert served.templates.pages.env is not developed.templates.pages.env
    assert not served.templates.pages.env.auto_reload
    assert developed.templates.pages.env.auto_reload
    assert served.render_cache() is not developed.render_cache()
