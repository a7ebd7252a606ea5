"""The Quality dashboard tab: the admin's dashboard of gold scores over time, double-transcription
agreement, time on task and effective hourly pay against the minimum wage, per language and
project (``workbench.quality``), with the quality rules' defect rates and reviewer accuracy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import bind, readable_columns

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

RULE_TABLES = {"defect_rates": tr("Defect rates"), "reviewer_accuracy": tr("Reviewer accuracy")}


@admin_only
def refresh_dashboard(wb: "Workbench", actor: "Actor") -> tuple:
    from workbench.quality.gather import quality_figures

    found = quality_figures(wb, actor)
    rules = [gr.Dataframe(value=readable_columns(found.rules[name]), visible=True) if name in found.rules
             else gr.Dataframe(visible=False) for name in RULE_TABLES]
    waiting = "" if found.rules else "Defect rates and reviewer accuracy appear here once their rules are on."
    return (found.gold, found.agreement, found.agreement_by_worker, found.work_per_audio, found.hourly_pay,
            readable_columns(found.time_on_task), *rules, waiting)


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Quality dashboard")) as tab:
        gr.Markdown(tr("Gold scores (CER against the reference, per day), agreement between double transcriptions (CER between the two texts), minutes of work per audio minute and the hourly pay it earned against the minimum wage, per language and project."))
        with gr.Row():
            # Points, not a line: a line of one day draws nothing.
            gold = gr.ScatterPlot(x="day", y="mean_cer", color="group", title="Gold CER per day",
                                  y_title="mean CER", y_lim=[0, 1], elem_id="wb-quality-gold")
            agreement = gr.BarPlot(x="group", y="mean_cer", color="group", title="Double transcription: CER between",
                                   y_title="mean CER", y_lim=[0, 1], elem_id="wb-quality-agreement")
        with gr.Row():
            workers = gr.BarPlot(x="username", y="mean_cer", color="language", title="Agreement per worker",
                                 y_title="mean CER", y_lim=[0, 1], elem_id="wb-quality-workers")
            work = gr.BarPlot(x="group", y="minutes_per_audio_minute", color="group",
                              title="Minutes of work per audio minute", y_lim=[0, None], elem_id="wb-quality-work")
        pay = gr.BarPlot(x="bar", y="won", color="measure", title="Effective hourly pay against the minimum wage",
                         y_title="won per hour", y_lim=[0, None], x_label_angle=-30, elem_id="wb-quality-pay")
        times = gr.Dataframe(interactive=False, label=tr("Time on task per role, language and project"),
                             elem_id="wb-quality-times")
        rules = [gr.Dataframe(interactive=False, label=label, visible=False, elem_id=f"wb-quality-{name}")
                 for name, label in RULE_TABLES.items()]
        waiting = gr.Markdown(elem_id="wb-quality-rules-note")
    gr.on([tab.select], bind(refresh_dashboard, wb),
          outputs=[gold, agreement, workers, work, pay, times, *rules, waiting])
