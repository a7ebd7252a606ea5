"""The Audit log tab: every state change, newest first, for one task or for all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only
from workbench.ui.handlers import admin as handlers
from workbench.ui.gradio_i18n import tr
from workbench.ui.handlers.auth import session_actor
from workbench.ui.wiring import bind, bind_form

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


@admin_only
def show_audit(wb: "Workbench", actor: "Actor", task_id: float | None):
    return handlers.audit_rows(wb, actor, task_id)


def show_task(wb: "Workbench", task_id: float | None, request: gr.Request) -> tuple:
    """The Show button: a task id the Workbench refuses is said beside it, the table kept."""
    return "", handlers.audit_rows(wb, session_actor(wb, request.username), task_id)


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Audit log")) as tab:
        gr.Markdown(tr("Every state change, newest first: who did what, when (Seoul time) and why."))
        with gr.Row(equal_height=True):
            task = gr.Number(0, label=tr("Task (0: the latest 200 changes of all tasks and people)"), precision=0)
            show_button = gr.Button(tr("Show"))
        message = gr.Markdown(elem_id="wb-audit-message")
        audit = gr.Dataframe(headers=list(handlers.AUDIT_COLUMNS), interactive=False, wrap=True, elem_id="audit-log")

    gr.on([tab.select], bind(show_audit, wb), inputs=[task], outputs=[audit])
    gr.on([show_button.click, task.submit], bind_form(show_task, wb, outputs=2), inputs=[task],
          outputs=[message, audit])
