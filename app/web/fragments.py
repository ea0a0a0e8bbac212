"""HTML fragments the page's script swaps in place, rendered by the pages' own partials."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.web import views
from app.web.deps import LiveDep, learner_from_form
from app.web.running import run_or_http_error
from app.web.templating import render

PREFIX = "/fragments"
router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.post("/run")
async def run_output(
    request: Request,
    live: LiveDep,
    learner_id: Annotated[str, Depends(learner_from_form)],
    code: Annotated[str, Form(max_length=1_000_000)] = "",
) -> Response:
    """Run the posted form's code; its output as templates/_output.html renders it."""
    result = await run_or_http_error(live, code, learner_id=learner_id)
    return render(request, "_output.html", {"run": views.run_public(result)})
