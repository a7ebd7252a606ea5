"""The JSON endpoints where a reviewer settles double transcriptions that disagree
(workflow/double.py): the open disputes of their language, and one settled by picking the
first or second text or writing a third. Refusals keep the app's ``{"detail": ...}`` shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StrictStr

from workbench.ui.handlers import double as handlers
from workbench.ui.session import require_actor, workbench_of
from workbench.workflow.errors import GuidelineViolation

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

router = APIRouter()


class Settlement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: Literal["first", "second", "third"]
    text: StrictStr | None = None


@router.get("/api/work/double/disputes")
def get_disputes(request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return handlers.disputes(workbench_of(request), actor)


@router.post("/api/work/double/disputes/{dispute_id}")
def post_settlement(dispute_id: int, body: Settlement, request: Request,
                    actor: "Actor" = Depends(require_actor)) -> Any:
    try:
        return handlers.resolve(workbench_of(request), actor, dispute_id, choice=body.choice, text=body.text)
    except GuidelineViolation as error:  # a third text the guidelines refuse
        return JSONResponse({"detail": str(error)}, status_code=422)
