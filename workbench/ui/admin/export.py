"""The Export tab: accepted segments as a dataset archive to download."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.handlers import admin as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.wiring import bind
from workbench.ui.gradio_i18n import tr

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench

FORMATS = [("NeMo manifest", "nemo"), ("Hugging Face audiofolder", "hf"), ("Kaldi", "kaldi"), ("CSV", "csv")]


def export(wb: "Workbench", fmt: str, language: str, project: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    download = handlers.export_dataset(wb, actor, fmt=fmt, language=language or None, project=project)
    return download.summary, str(download.archive), str(download.work_dir)


def remove_export_dir(work_dir: str) -> None:
    """After Gradio has copied the archive into its own cache, drop our temporary copy."""
    if work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)


def render(wb: "Workbench", languages: list[tuple[str, str]]) -> None:
    with gr.Tab(tr("Export")):
        gr.Markdown("Accepted segments as a dataset, cut from the cleaned audio at 16 kHz, with "
                    "train/dev/test splits by clip.")
        with gr.Row(equal_height=True):
            fmt = gr.Dropdown(FORMATS, value="nemo", label="Format")
            language = gr.Dropdown([("All languages", ""), *languages], value="", label="Language")
            project = gr.Textbox(label="Project (empty: all)")
            export_button = gr.Button(tr("Export"), variant="primary")
        result = gr.Markdown()
        archive = gr.File(label="Download", interactive=False)
        work_dir = gr.State("")

    export_button.click(bind(export, wb), inputs=[fmt, language, project], outputs=[result, archive, work_dir],
                        concurrency_limit=1).then(remove_export_dir, inputs=[work_dir])
