"""Every route and dependency is `async def`: FastAPI runs a plain `def` one in the
threadpool, and that hand-off cost more than most pages' own work (docs/benchmarks.md).
Database reads go to the threadpool explicitly (run_in_threadpool), answers to the writer."""

import inspect

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def _sync_calls(dependant: Dependant) -> list[str]:
    found = []
    call = dependant.call
    if call is not None and not inspect.iscoroutinefunction(call):
        found.append(f"{call.__module__}.{getattr(call, '__qualname__', call)}")
    for sub in dependant.dependencies:
        found += _sync_calls(sub)
    return found


def _api_routes(routes: list[BaseRoute]) -> list[APIRoute]:
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found += _api_routes(included.routes)  # an included router (FastAPI keeps it)
    return found


def test_every_route_and_dependency_is_async(app: FastAPI) -> None:
    routes = _api_routes(app.routes)
    assert len(routes) > 30
    sync = {name for route in routes for name in _sync_calls(route.dependant)}
    assert sync == set(), f"plain `def` routes or dependencies (each a thread hop): {sorted(sync)}"
