"""HTML fragments the page's script swaps in place, rendered by the pages' own partials."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.web.deps import LiveDep, learner_from_form
from app.web.presenters.common import run_public
from app.web.schemas import CODE_MAX
from app.web.templating import render

PREFIX = "/fragments"
router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.post("/run")
async def run_output(
    request: Request,
    live: LiveDep,
    learner_id: Annotated[str, Depends(learner_from_form)],
    code: Annotated[str, Form(max_length=CODE_MAX)] = "",
) -> Response:
    """Run the posted form's code; its output as templates/_output.html renders it (a
    refusal as the _refused.html banner, with its status and Retry-After)."""
    result = await live.try_code(code, learner_id=learner_id)
    return await render(request, "_output.html", {"run": run_public(result)})
