"""The JSON endpoints where a reviewer settles double transcriptions that disagree
(workflow/double.py): the open disputes of their language, the audio of one
(``/media/dispute/{id}.wav``: the original clip over the span, served to its settlers only
while it is open, what reached them recorded), what their player played of it, and one
settled by picking the first or second text or writing a third (refused until heard).
Refusals keep the app's ``{"detail": ...}`` shape, in the reader's language (``ui/errors.refusal``
words the workflow's refusals; a third text's guideline errors: ``handlers.guideline_refusal``)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StrictStr

from workbench.ui.files import heard_audio
from workbench.ui.handlers import double as handlers
from workbench.ui.language import request_language
from workbench.ui.session import require_actor, workbench_of
from workbench.workflow.errors import GuidelineViolation

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

router = APIRouter()


class Settlement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: Literal["first", "second", "third"]
    text: StrictStr | None = None


class DisputePlay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # [start, end] seconds into the span, as the player played them (junk: a 422).
    intervals: list[tuple[float, float]]


@router.get("/api/work/double/disputes")
def get_disputes(request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return handlers.disputes(workbench_of(request), actor, request_language(request))


@router.get("/media/dispute/{dispute_id}.wav")
def get_dispute_audio(dispute_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    wb = workbench_of(request)
    return heard_audio(wb.dispute_audio(actor, dispute_id),
                       functools.partial(wb.record_dispute_audio_sent, actor, dispute_id))


@router.post("/api/work/double/disputes/{dispute_id}/play")
def post_dispute_play(dispute_id: int, body: DisputePlay, request: Request,
                      actor: "Actor" = Depends(require_actor)) -> Any:
    return handlers.record_play(workbench_of(request), actor, dispute_id, body.intervals, request_language(request))


@router.post("/api/work/double/disputes/{dispute_id}")
def post_settlement(dispute_id: int, body: Settlement, request: Request,
                    actor: "Actor" = Depends(require_actor)) -> Any:
    try:
        return handlers.resolve(workbench_of(request), actor, dispute_id, choice=body.choice, text=body.text)
    except GuidelineViolation as error:  # a third text the guidelines refuse
        return JSONResponse(handlers.guideline_refusal(error, request_language(request)), status_code=422)
