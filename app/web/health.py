"""Health: is the process alive (/healthz), can it serve learners (/readyz)."""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.web import schemas
from app.web.deps import CatalogDep, EngineDep, LiveDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz(catalog: CatalogDep, live: LiveDep) -> schemas.Health:
    """Liveness, version, loaded content and the sandbox's isolation layers."""
    return schemas.Health(
        status="ok",
        version=__version__,
        topics=len(catalog.topics),
        questions=catalog.question_count,
        content_errors=len(catalog.errors),
        sandbox=live.health(),
    )


def _database_reachable(engine: Engine) -> str:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"


@router.get(
    "/readyz",
    responses={503: {"description": "Not ready: the database or the sandbox is not"}},
)
async def readyz(engine: EngineDep, live: LiveDep) -> JSONResponse:
    """Ready to serve learners: the database answers and the sandbox is warm (if enabled)."""
    database = await run_in_threadpool(_database_reachable, engine)
    if not live.enabled:
        sandbox = "disabled"
    else:
        sandbox = "ready" if live.ready else "starting"
    ready = database == "ok" and sandbox in {"ready", "disabled"}
    body = {"status": "ready" if ready else "not ready", "database": database, "sandbox": sandbox}
    return JSONResponse(body, status_code=200 if ready else 503)
