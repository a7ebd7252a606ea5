"""Double transcription's disputes for the reviewer's JSON API (``ui/double_api.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


def disputes(wb: "Workbench", actor: "Actor") -> dict[str, Any]:
    return {"disputes": [view.to_dict() for view in wb.double_disputes(actor)]}


def resolve(wb: "Workbench", actor: "Actor", dispute_id: int, *, choice: str, text: str | None) -> dict[str, Any]:
    return wb.resolve_double(actor, dispute_id, choice=choice, text=text).to_dict()
