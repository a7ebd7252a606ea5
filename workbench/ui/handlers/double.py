"""Double transcription's disputes for the reviewer's JSON API (``ui/double_api.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.ui import i18n
from workbench.ui.handlers.transcriber import problem_json

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.double_views import DisputeView
    from workbench.workflow.errors import GuidelineViolation
    from workbench.workflow.service import Workbench


def dispute_json(view: "DisputeView", language: str = i18n.DEFAULT) -> dict[str, Any]:
    """A dispute as the queue page reads it, its ``note`` in the reader's ``language``."""
    answer = view.to_dict()
    if view.note_template:
        answer["note"] = i18n.translate(language, view.note_template, **view.note_params)
    return answer


def disputes(wb: "Workbench", actor: "Actor", language: str = i18n.DEFAULT) -> dict[str, Any]:
    return {"disputes": [dispute_json(view, language) for view in wb.double_disputes(actor)]}


def resolve(wb: "Workbench", actor: "Actor", dispute_id: int, *, choice: str, text: str | None) -> dict[str, Any]:
    return wb.resolve_double(actor, dispute_id, choice=choice, text=text).to_dict()


def guideline_refusal(error: "GuidelineViolation", language: str = i18n.DEFAULT) -> dict[str, Any]:
    """A third text the guidelines refuse, as the settler's page shows it: the errors in the
    reader's ``language`` in ``detail``, and every problem as the task pages carry them."""
    problems = [problem_json(problem, language) for problem in error.problems]
    tr = i18n.translator(language)
    errors = " ".join(p["message"] for p in problems if p["severity"] == "error")
    return {"detail": tr("The third text breaks the guidelines: {errors}", errors=errors), "problems": problems}


def record_play(wb: "Workbench", actor: "Actor", dispute_id: int, intervals, language: str = i18n.DEFAULT) -> dict[str, Any]:
    return dispute_json(wb.record_dispute_play(actor, dispute_id, intervals=intervals), language)
