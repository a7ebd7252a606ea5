"""The admin page: one sub-tab per module (clips and their processing, tasks, applications,
workers, machine drafts, the audit log, rates, settlements, time on task, gold work, the
quality rules, the quality dashboard and dataset export), composed here.

Only wiring and the HTML the tables render as live in the tab modules; the work is done by
``workbench.ui.handlers.admin``, whose calls the Workbench, pay and export check. Every tab
that loads by itself goes through one guard, ``shared.admin_only``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin import applications, audit, clips, drafts, export, rates, settlements, time_on_task, workers
from workbench.ui.admin import gold
from workbench.ui.admin import tasks
from workbench.ui.admin import dashboard, quality
from workbench.ui.wiring import LANGUAGE_NAMES

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench

CSS = """
/* !important: Gradio's prose styles draw a dark frame around every table. */
.wb-table, .wb-table thead, .wb-table tbody, .wb-table tr, .wb-table th, .wb-table td {
    border: 0 !important; outline: 0 !important; }
.wb-table { width: 100%; border-collapse: collapse; font-size: 14px; }
.wb-table th { text-align: left; font-weight: 600; color: #52606d; background: #f8fafc;
               box-shadow: inset 0 -1px 0 #e2e8f0; padding: 8px 10px; }
.wb-table td { box-shadow: inset 0 -1px 0 #edf2f7; padding: 9px 10px; vertical-align: middle; }
.wb-table tr:last-child td { box-shadow: none; }
.wb-bar { display: flex; align-items: center; gap: 10px; min-width: 220px; }
.wb-bar-track { flex: 1; height: 8px; border-radius: 4px; background: #e2e8f0; overflow: hidden; }
.wb-bar-fill { height: 100%; border-radius: 4px; background: #3b82f6; transition: width .6s ease; }
.wb-bar-ready .wb-bar-fill { background: #22a06b; }
.wb-bar-failed .wb-bar-fill { background: #e5484d; }
.wb-bar span { white-space: nowrap; font-variant-numeric: tabular-nums; color: #52606d; font-size: 13px; }
.wb-status { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.wb-status-ready { background: #e8f5ec; color: #1d5b32; }
.wb-status-processing, .wb-status-queued { background: #e8effd; color: #1e40af; }
.wb-status-failed { background: #fdecec; color: #8a1c1c; }
.wb-error { color: #8a1c1c; font-size: 13px; margin-top: 2px; }
.wb-empty { color: #52606d; padding: 12px 0; }
/* A form's refusal, beside the form (ui.wiring.bind_form); the rest of the page stays as it was. */
.wb-form-error { color: #8a1c1c; background: #fdecec; border-left: 3px solid #e5484d;
                 border-radius: 4px; padding: 6px 10px; }
.wb-form-error p { margin: 0; }
"""



def render(wb: "Workbench") -> None:
    languages = [(name, code) for code, name in LANGUAGE_NAMES.items()]
    with gr.Tabs():
        clips.render(wb, languages)
        tasks.render(wb, languages)
        applications.render(wb)
        workers.render(wb)
        drafts.render(wb)
        audit.render(wb)
        rates.render(wb, languages)
        settlements.render(wb)
        time_on_task.render(wb)
        gold.render(wb)
        quality.render(wb)
        dashboard.render(wb)
        export.render(wb, languages)
