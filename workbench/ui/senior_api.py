"""The senior reviewer's JSON endpoints (workflow/reviewer_checks.py): the sampled
acceptances of their language waiting for a second look, and their verdict on one.

Each endpoint is one Workbench call for the signed-in actor; the Workbench refuses anyone
who is not a senior reviewer, and a senior their own verdicts and transcriptions. Errors keep
the app's ``{"detail": message}`` shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from workbench.ui.session import require_actor, workbench_of
from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

router = APIRouter()


class SeniorVerdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: str  # "confirmed" (the acceptance was right) or "overturned"
    comment: str | None = None


VERDICTS = {"confirmed": True, "overturned": False}


@router.get("/api/work/senior-checks")
def get_senior_checks(request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return [check.to_dict() for check in workbench_of(request).senior_queue(actor)]


@router.post("/api/work/senior-checks/{check_id}")
def post_senior_check(check_id: int, body: SeniorVerdict, request: Request,
                      actor: "Actor" = Depends(require_actor)) -> Any:
    if body.verdict not in VERDICTS:
        raise InvalidInput('The verdict is "confirmed" or "overturned".')
    decided = workbench_of(request).decide_senior_check(actor, check_id, confirmed=VERDICTS[body.verdict],
                                                        comment=body.comment)
    return decided.to_dict()
