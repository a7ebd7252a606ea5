"""Time on task: the task pages' activity reports, one call into the Workbench."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


def record_activity(wb: "Workbench", actor: "Actor", task_id: int, spans: list) -> dict[str, Any]:
    """Credit the page's active spans; the seconds credited, as the Workbench bounded them."""
    return {"credited_s": round(wb.record_activity(actor, task_id, spans=spans), 3)}
