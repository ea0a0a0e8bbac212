"""Health: is the process alive, what content is loaded."""

from fastapi import APIRouter

from app import __version__
from app.web import schemas
from app.web.deps import CatalogDep, LiveDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(catalog: CatalogDep, live: LiveDep) -> schemas.Health:
    """Liveness, version, loaded content and the sandbox's isolation layers."""
    return schemas.Health(
        status="ok",
        version=__version__,
        topics=len(catalog.topics),
        questions=catalog.question_count,
        content_errors=len(catalog.errors),
        sandbox={"enabled": True, "warmed": live.warmed, **live.sandbox.health()}
        if live.sandbox
        else {"enabled": False},
    )
