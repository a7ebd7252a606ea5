"""The Gold tab: mark accepted work as gold (or take the mark off), and see how workers scored
on gold copies."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only
from workbench.ui.handlers import gold as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import bind, bind_form, readable_columns

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


@admin_only
def refresh_gold(wb: "Workbench", actor: "Actor"):
    return readable_columns(handlers.gold_scores_table(wb, actor))


def mark(wb: "Workbench", clip_id: float | None, segment_ids: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    message = handlers.mark_gold(wb, actor, clip_id, segment_ids)
    return message, readable_columns(handlers.gold_scores_table(wb, actor))


def unmark(wb: "Workbench", segment_ids: str, reason: str, request: gr.Request) -> str:
    return handlers.unmark_gold(wb, session_actor(wb, request.username), segment_ids, reason)


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Gold")) as tab:
        gr.Markdown(tr("Accepted text made gold is copied, unmarked, among a project's ordinary tasks at the project's `rate` (`[gold.\"project\"]` in guidelines/projects.toml); a worker's first submitted text of a copy is scored by CER against it and counts in their grade."))
        with gr.Row(equal_height=True):
            clip_id = gr.Number(None, label=tr("Clip id (all its accepted segments)"), precision=0, minimum=1)
            segment_ids = gr.Textbox(label=tr("or segment ids"), placeholder=tr("12, 13"))
            button = gr.Button(tr("Make gold"), variant="primary")
        with gr.Row(equal_height=True):
            unmark_ids = gr.Textbox(label=tr("Gold segment ids to un-mark"), placeholder=tr("12, 13"))
            reason = gr.Textbox(label=tr("Why (kept in the audit log)"))
            unmark_button = gr.Button(tr("Take the gold mark off"))
        result = gr.Markdown()
        scores = gr.Dataframe(interactive=False, label=tr("Gold scores (newest first)"), elem_id="wb-gold-scores")
    gr.on([tab.select], bind(refresh_gold, wb), outputs=[scores])
    button.click(bind_form(mark, wb, outputs=2), inputs=[clip_id, segment_ids], outputs=[result, scores])
    unmark_button.click(bind_form(unmark, wb, outputs=1), inputs=[unmark_ids, reason], outputs=[result])
