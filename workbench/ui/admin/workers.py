"""The Workers tab: every worker with their grade and load; close or reopen an account."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only
from workbench.ui.handlers import admin as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import bind, bind_form

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


def _worker_updates(wb: "Workbench", actor: "Actor") -> tuple:
    """The workers table and the account picker, from one read of the workers."""
    workers = wb.list_workers(actor)
    return handlers.worker_rows(workers), gr.Dropdown(choices=handlers.worker_choices(workers), value=None)


@admin_only
def refresh_workers(wb: "Workbench", actor: "Actor") -> tuple:
    return _worker_updates(wb, actor)


def change_account(wb: "Workbench", close: bool, username: str | None, reason: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    change = handlers.close_account if close else handlers.reopen_account
    return (change(wb, actor, username, reason), *_worker_updates(wb, actor), "")


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Workers")) as tab:
        workers = gr.Dataframe(headers=list(handlers.WORKER_COLUMNS), interactive=False, wrap=True)
        gr.Markdown(tr("Closing an account signs the person out everywhere and offers the tasks they hold to others, their text kept; their finished work and pay stay."))
        with gr.Row():
            account = gr.Dropdown([], label=tr("Account"), scale=2)
            reason = gr.Textbox(label=tr("Reason (kept in the audit log)"), scale=3)
        with gr.Row():
            close_button = gr.Button(tr("Close account"), variant="stop")
            reopen_button = gr.Button(tr("Reopen account"))
        result = gr.Markdown()

    gr.on([tab.select], bind(refresh_workers, wb), outputs=[workers, account])
    outputs = [result, workers, account, reason]
    close_button.click(bind_form(change_account, wb, True, outputs=4), inputs=[account, reason], outputs=outputs)
    reopen_button.click(bind_form(change_account, wb, False, outputs=4), inputs=[account, reason], outputs=outputs)
