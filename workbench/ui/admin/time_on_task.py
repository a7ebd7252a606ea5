"""The Time on task tab: active working time against pay and the minimum wage, per language,
project and worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only
from workbench.ui.handlers import admin as handlers
from workbench.ui.wiring import bind, readable_columns
from workbench.ui.gradio_i18n import tr

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


@admin_only
def refresh_time_on_task(wb: "Workbench", actor: "Actor") -> tuple:
    tables = handlers.time_on_task_tables(wb, actor)
    return tuple(readable_columns(tables[name]) for name in ("languages", "projects", "workers"))


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Time on task")) as tab:
        gr.Markdown(tr("Active time in the task pages (typing, playing, moving between segments; pauses over a minute left out) on paid work: minutes of work per audio minute, and the hourly pay it earned before tax against the legal minimum wage in force."))
        languages = gr.Dataframe(interactive=False, label=tr("Per language"), elem_id="wb-time-languages")
        projects = gr.Dataframe(interactive=False, label=tr("Per project"), elem_id="wb-time-projects")
        workers = gr.Dataframe(interactive=False, label=tr("Per worker"), elem_id="wb-time-workers")
    gr.on([tab.select], bind(refresh_time_on_task, wb), outputs=[languages, projects, workers])
