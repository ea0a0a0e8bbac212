"""The Authors area: per-question statistics, for accounts with the author role only."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from app.services.authoring.statistics import TopicStats
from app.web.deps import VisitorDep
from app.web.identity import Visitor
from app.web.presenters.authors import StatsDep
from app.web.schemas import ErrorBody
from app.web.templating import render


async def require_author(visitor: VisitorDep) -> Visitor:
    """The visitor, when it is an author; 403 for everyone else."""
    if not visitor.is_author:
        raise HTTPException(
            status_code=403,
            detail="the Authors area is for accounts with the author role "
            "(an administrator runs `torchquiz author add USERNAME`)",
        )
    return visitor


AuthorDep = Annotated[Visitor, Depends(require_author)]

api = APIRouter(prefix="/api/authors", tags=["authors"])
pages = APIRouter(include_in_schema=False)


@api.get(
    "/stats",
    responses={
        403: {"model": ErrorBody, "description": "Not an author"},
        404: {"model": ErrorBody, "description": "Unknown topic"},
    },
)
async def stats(author: AuthorDep, found: StatsDep) -> list[TopicStats]:
    """Per-question statistics from first attempts: facility, discrimination, distractors,
    common wrong values and failure classes, with flags an author can act on."""
    return found


@pages.get("/authors")
async def authors_page(request: Request, author: AuthorDep, found: StatsDep) -> Response:
    """The Authors area: the same statistics as a page."""
    return await render(request, "authors.html", {"topics": found})
