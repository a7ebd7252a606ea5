"""The Quality tab: warnings and suspensions (lift one with a reason), the senior reviewer
role, defect rates per day and reviewers' accuracy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only
from workbench.ui.gradio_i18n import tr
from workbench.ui.handlers import quality as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.wiring import bind, readable_columns

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


@admin_only
def refresh_quality(wb: "Workbench", actor: "Actor") -> tuple:
    return (readable_columns(handlers.actions_table(wb, actor)), readable_columns(handlers.rates_table(wb, actor)),
            readable_columns(handlers.accuracy_table(wb, actor)))


def lift(wb: "Workbench", suspension_id: float | None, reason: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    message = handlers.lift(wb, actor, suspension_id, reason)
    return message, readable_columns(handlers.actions_table(wb, actor))


def grant(wb: "Workbench", username: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    return handlers.senior(wb, actor, username, True), readable_columns(handlers.accuracy_table(wb, actor))


def revoke(wb: "Workbench", username: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    return handlers.senior(wb, actor, username, False), readable_columns(handlers.accuracy_table(wb, actor))


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Quality rules")) as tab:
        gr.Markdown(tr("Each worker is judged once per day (Asia/Seoul) per project by the rules of `[quality.\"project\"]` in guidelines/projects.toml; a suspension keeps them off the project until lifted here with a reason."))
        actions = gr.Dataframe(interactive=False, label=tr("Warnings and suspensions (newest first)"),
                               elem_id="wb-quality-actions")
        with gr.Row(equal_height=True):
            suspension = gr.Number(None, label=tr("Suspension id"), precision=0, minimum=1)
            reason = gr.Textbox(label=tr("Reason for lifting it"))
            lift_button = gr.Button("Lift suspension", variant="primary")
        lifted = gr.Markdown()
        with gr.Row(equal_height=True):
            reviewer = gr.Textbox(label=tr("Reviewer's username"))
            grant_button = gr.Button("Grant senior role")
            revoke_button = gr.Button("Take senior role back")
        seniors = gr.Markdown()
        rates = gr.Dataframe(interactive=False, label=tr("Defect rates per day"), elem_id="wb-quality-rates")
        accuracy = gr.Dataframe(interactive=False, label=tr("Reviewer accuracy"), elem_id="wb-quality-accuracy")
    gr.on([tab.select], bind(refresh_quality, wb), outputs=[actions, rates, accuracy])
    lift_button.click(bind(lift, wb), inputs=[suspension, reason], outputs=[lifted, actions])
    grant_button.click(bind(grant, wb), inputs=[reviewer], outputs=[seniors, accuracy])
    revoke_button.click(bind(revoke, wb), inputs=[reviewer], outputs=[seniors, accuracy])
