"""The senior reviewer's endpoints (workflow/reviewer_checks.py): the sampled acceptances of
their language waiting for a second look, the audio of one (``/media/senior-check/{id}.wav``,
served to that senior only while the check waits, what reached them recorded), what their
player played of it, and their verdict on one (refused until they have heard it).

Each endpoint is one Workbench call for the signed-in actor; the Workbench refuses anyone
who is not a senior reviewer, and a senior their own verdicts and transcriptions. Errors keep
the app's ``{"detail": message}`` shape.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from workbench.ui.files import heard_audio
from workbench.ui.session import require_actor, workbench_of
from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

router = APIRouter()


class SeniorVerdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: str  # "confirmed" (the acceptance was right) or "overturned"
    comment: str | None = None


class CheckPlay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # [start, end] seconds into the segment, as the player played them (junk: a 422).
    intervals: list[tuple[float, float]]


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


@router.get("/media/senior-check/{check_id}.wav")
def get_check_audio(check_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    wb = workbench_of(request)
    return heard_audio(wb.check_audio(actor, check_id), functools.partial(wb.record_check_audio_sent, actor, check_id))


@router.post("/api/work/senior-checks/{check_id}/play")
def post_check_play(check_id: int, body: CheckPlay, request: Request,
                    actor: "Actor" = Depends(require_actor)) -> Any:
    return workbench_of(request).record_check_play(actor, check_id, intervals=body.intervals).to_dict()
