"""The Settlements tab: a payday's dry run, its commit once confirmed, and the committed paydays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.domain.times import seoul_today
from workbench.ui.admin.shared import admin_only, seoul_picker
from workbench.ui.handlers import admin as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import bind, bind_form, readable_columns

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


def settle(wb: "Workbench", commit: bool, payday: str | None, confirmed: bool, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    run = handlers.run_settlement(wb, actor, payday, commit=commit, confirmed=confirmed)
    return (
        "",  # the outcome is the summary below; an earlier refusal beside the form goes
        run.summary,
        gr.Dataframe(value=readable_columns(run.workers), visible=True),
        gr.Dataframe(value=readable_columns(run.items), visible=True),
        *_history_updates(wb, actor),
        False,
    )


def _history_updates(wb: "Workbench", actor: "Actor") -> tuple:
    totals, chart = handlers.settlement_history(wb, actor)
    if totals.empty:
        return "No payday has been committed yet.", gr.Dataframe(visible=False), gr.Plot(visible=False)
    return "", gr.Dataframe(value=readable_columns(totals), visible=True), gr.Plot(value=chart, visible=True)


@admin_only
def refresh_settlements(wb: "Workbench", actor: "Actor") -> tuple:
    return _history_updates(wb, actor)


def next_payday(wb: "Workbench | None") -> str:
    """The payday the picker starts at: the next one in Seoul, on the Workbench's clock."""
    return handlers.payday_choices(seoul_today(wb.now() if wb is not None else None))[0]


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Settlements")) as tab:
        with gr.Row(equal_height=True):
            payday = seoul_picker(tr("Payday"), include_time=False, value=next_payday(wb),
                                  info=tr("The 15th and the last day of a month, or the business day before."),
                                  scale=2, elem_id="wb-payday")
            dry_run_button = gr.Button(tr("Dry run"), variant="secondary", scale=1)
            confirm = gr.Checkbox(label=tr("The dry run is right"), scale=1)
            commit_button = gr.Button(tr("Commit settlement"), variant="primary", scale=1)
        message = gr.Markdown(elem_id="wb-settlement-message")
        summary = gr.Markdown(tr("Choose a payday and make a dry run: it shows what each worker would be paid and records nothing."), elem_id="wb-settlement-summary")
        workers = gr.Dataframe(interactive=False, label=tr("Workers"), visible=False)
        items = gr.Dataframe(interactive=False, label=tr("Items paid"), visible=False, elem_id="wb-settlement-items")
        gr.Markdown(tr("### Committed paydays"))
        history_note = gr.Markdown()
        period_totals = gr.Dataframe(interactive=False, label=tr("Totals per payday"), visible=False,
                                     elem_id="wb-period-totals")
        period_chart = gr.Plot(show_label=False, visible=False, elem_id="wb-period-chart")

    history_outputs = [history_note, period_totals, period_chart]
    outputs = [message, summary, workers, items, *history_outputs, confirm]
    # A settlement reads every accepted item: one at a time, dry run or commit.
    dry_run_button.click(bind_form(settle, wb, False, outputs=len(outputs)), inputs=[payday, confirm],
                         outputs=outputs, concurrency_limit=1, concurrency_id="settlement")
    commit_button.click(bind_form(settle, wb, True, outputs=len(outputs)), inputs=[payday, confirm],
                        outputs=outputs, concurrency_limit=1, concurrency_id="settlement")
    gr.on([tab.select], bind(refresh_settlements, wb), outputs=history_outputs)
