"""The Applications tab: people who applied to work, approved or rejected with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

import gradio as gr

from workbench.domain.times import seoul_minute
from workbench.ui.admin.shared import admin_only, empty_note
from workbench.ui.handlers import admin as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import LANGUAGE_NAMES, bind, bind_form

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, Application
    from workbench.workflow.service import Workbench


def applications_html(applications: Sequence["Application"]) -> str:
    if not applications:
        return empty_note("No applications are waiting.")
    rows = [
        f"<tr><td>#{a.id}</td><td>{escape(a.name)}</td><td>{escape(a.username)}</td>"
        f"<td>{escape(LANGUAGE_NAMES.get(a.language, a.language))}</td><td>{escape(a.bank_holder)}</td>"
        f"<td>{seoul_minute(a.created_at)}</td>"
        f'<td><a href="/media/document/{a.id}" target="_blank" rel="noopener">{escape(a.document_name)}</a></td></tr>'
        for a in applications
    ]
    return (
        '<table class="wb-table"><thead><tr><th>#</th><th>Name</th><th>Username</th><th>Language</th>'
        "<th>Bank account holder</th><th>Applied (Seoul)</th><th>Document</th></tr></thead>"
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def application_choices(applications: Sequence["Application"]) -> list[tuple[str, int]]:
    return [(f"#{a.id} {a.name} ({a.username}, {LANGUAGE_NAMES.get(a.language, a.language)})", a.id)
            for a in applications]


def _application_updates(wb: "Workbench", actor: "Actor") -> tuple:
    applications = handlers.pending_applications(wb, actor)
    return applications_html(applications), gr.Dropdown(choices=application_choices(applications), value=None)


@admin_only
def refresh_applications(wb: "Workbench", actor: "Actor") -> tuple:
    return _application_updates(wb, actor)


def decide(wb: "Workbench", approve: bool, application_id: int | None, reason: str,
           request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    decided = handlers.decide_application(wb, actor, application_id, approve=approve, reason=reason)
    verdict = "approved: they can sign in now" if approve else "rejected"
    return (f"Application #{decided.id} ({decided.name}) {verdict}.", *_application_updates(wb, actor), "")


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Applications")) as tab:
        applications = gr.HTML()
        with gr.Row():
            application = gr.Dropdown([], label=tr("Application"), scale=2)
            reason = gr.Textbox(label=tr("Reason (required to reject)"), scale=3)
        with gr.Row():
            approve_button = gr.Button(tr("Approve"), variant="primary")
            reject_button = gr.Button(tr("Reject"), variant="stop")
        decision = gr.Markdown()

    outputs = [applications, application]
    gr.on([tab.select], bind(refresh_applications, wb), outputs=outputs)
    gr.on(None, bind(refresh_applications, wb), outputs=outputs)
    for button, approve in ((approve_button, True), (reject_button, False)):
        button.click(bind_form(decide, wb, approve, outputs=4), inputs=[application, reason],
                     outputs=[decision, *outputs, reason])
