"""The quality rules' notices on the worker's ``/work`` page: each open warning, suspension
or unfixed mark (workflow/quality.py) as a banner with its reason and the segments involved,
rendered with the page (no script needed, and nothing to poll)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from workbench.ui import i18n

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

def notices_html(wb: "Workbench", actor: "Actor", language: str = i18n.DEFAULT) -> str:
    """The banners of the actor's open quality steps in ``language`` ("" when there are
    none); the reason is the rule's own sentence, in English like other server messages."""
    tr = i18n.html_translator(language)
    titles = {"warning": tr("Warning"), "suspension": tr("Suspended"),
              "unfixed": tr("Rework not resubmitted in time")}
    banners = []
    for notice in wb.my_quality_notices(actor):
        kind = "bad" if notice.kind == "suspension" else "info"
        role = tr("reviewing") if notice.role == "reviewer" else tr("transcribing")
        segments = (f' <span class="segments">{tr("Segments: {ids}.", ids=", ".join(map(str, notice.segment_ids)))}'
                    '</span>' if notice.segment_ids else "")
        banners.append(f'<p class="banner {kind} quality-{escape(notice.kind)}" role="alert" '
                       f'data-quality-action="{notice.id}"><strong>{titles.get(notice.kind, escape(notice.kind))}'
                       f' ({role}, {escape(notice.project)}):</strong> {escape(notice.reason)}{segments}</p>')
    return "".join(banners)
