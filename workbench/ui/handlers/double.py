"""Double transcription's disputes for the reviewer's JSON API (``ui/double_api.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.ui import i18n

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.double_views import DisputeView
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


def record_play(wb: "Workbench", actor: "Actor", dispute_id: int, intervals, language: str = i18n.DEFAULT) -> dict[str, Any]:
    return dispute_json(wb.record_dispute_play(actor, dispute_id, intervals=intervals), language)
