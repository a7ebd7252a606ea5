"""The Tasks tab: every task with its clip, language, state, holder and clip duration;
release or reassign one; and each transcriber's throughput."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr
import pandas as pd

from workbench.domain.states import TaskState
from workbench.ui.admin.shared import admin_only
from workbench.ui.gradio_i18n import tr
from workbench.ui.handlers import lifecycle as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.wiring import bind

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

THROUGHPUT_DAYS = [(tr("last day"), 1), (tr("last 7 days"), 7), (tr("last 30 days"), 30)]  # names, days


def _tables(wb: "Workbench", actor: "Actor", state: str | None, language: str | None, days: int) -> tuple:
    tasks = handlers.task_rows(handlers.list_tasks(wb, actor, state, language))
    figures = handlers.throughput_rows(wb.worker_throughput(actor, days=int(days or 7)))
    return (pd.DataFrame(tasks, columns=list(handlers.TASK_COLUMNS)),
            pd.DataFrame(figures, columns=list(handlers.THROUGHPUT_COLUMNS)))


@admin_only
def refresh_tasks(wb: "Workbench", actor: "Actor", state: str | None, language: str | None, days: int) -> tuple:
    return _tables(wb, actor, state, language, days)


def change_task(wb: "Workbench", task_id: float | None, to: str, reason: str, state: str | None,
                language: str | None, days: int, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    message = handlers.release_or_reassign(wb, actor, task_id, to=to, reason=reason)
    return (message, *_tables(wb, actor, state, language, days))


def render(wb: "Workbench", languages: list[tuple[str, str]]) -> None:
    with gr.Tab(tr("Tasks")) as tab:
        with gr.Row():
            state = gr.Dropdown([(tr("any state"), "")] + [(s.value.replace("_", " "), s.value) for s in TaskState],
                                value="", label=tr("State"))
            language = gr.Dropdown([(tr("any language"), "")] + languages, value="", label=tr("Language"))
        table = gr.Dataframe(interactive=False, label=tr("Tasks"), elem_id="wb-tasks")
        gr.Markdown(tr("Release a task (it is offered again, text and history kept), or give it to another transcriber of its language. The reason goes to the audit log."))
        with gr.Row(equal_height=True):
            task_id = gr.Number(precision=0, label=tr("Task"), minimum=1, elem_id="wb-task-id")
            to = gr.Textbox(label=tr("Give to (username; empty releases it)"), elem_id="wb-task-to")
            reason = gr.Textbox(label=tr("Reason"), elem_id="wb-task-reason")
            change = gr.Button(tr("Release or reassign"), variant="primary")
        result = gr.Markdown(elem_id="wb-task-result")
        gr.Markdown(tr("### Throughput per transcriber"))
        days = gr.Radio(THROUGHPUT_DAYS, value=7,
                        label=tr("Over"))
        throughput = gr.Dataframe(interactive=False, label=tr("Audio minutes submitted and accepted"),
                                  elem_id="wb-throughput")
    filters = [state, language, days]
    gr.on([tab.select, state.change, language.change, days.change], bind(refresh_tasks, wb), inputs=filters,
          outputs=[table, throughput])
    change.click(bind(change_task, wb), inputs=[task_id, to, reason, *filters], outputs=[result, table, throughput])
