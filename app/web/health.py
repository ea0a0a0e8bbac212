"""Health: is the process alive, what content is loaded."""

from fastapi import APIRouter

from app import __version__
from app.web import schemas
from app.web.deps import CatalogDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(catalog: CatalogDep) -> schemas.Health:
    """Liveness, version and what content is loaded."""
    return schemas.Health(
        status="ok",
        version=__version__,
        topics=len(catalog.topics),
        questions=catalog.question_count,
        content_errors=len(catalog.errors),
    )
