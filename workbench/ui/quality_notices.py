"""The quality rules' notices on the worker's ``/work`` page: each open warning, suspension
or unfixed mark (workflow/quality.py) as a banner with its reason and the segments involved,
rendered with the page (no script needed, and nothing to poll)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

TITLES = {"warning": "Warning", "suspension": "Suspended", "unfixed": "Rework not resubmitted in time"}


def notices_html(wb: "Workbench", actor: "Actor") -> str:
    """The banners of the actor's open quality steps ("" when there are none)."""
    banners = []
    for notice in wb.my_quality_notices(actor):
        kind = "bad" if notice.kind == "suspension" else "info"
        role = "reviewing" if notice.role == "reviewer" else "transcribing"
        segments = (f' <span class="segments">Segments: {escape(", ".join(map(str, notice.segment_ids)))}.</span>'
                    if notice.segment_ids else "")
        banners.append(f'<p class="banner {kind} quality-{escape(notice.kind)}" role="alert" '
                       f'data-quality-action="{notice.id}"><strong>{escape(TITLES.get(notice.kind, notice.kind))}'
                       f' ({escape(role)}, {escape(notice.project)}):</strong> {escape(notice.reason)}{segments}</p>')
    return "".join(banners)
