"""The Export tab: accepted segments as a dataset archive to download, with every option of
``workbench export`` (format, selection, text, audio, sample rate, splits and seed)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.handlers import export as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import bind_form

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench

FORMATS = [("NeMo manifest", "nemo"), ("Hugging Face audiofolder", "hf"), ("Kaldi", "kaldi"), ("CSV", "csv")]
TEXTS = [("Spelling", "spelling"), ("Pronunciation", "pronunciation"), ("Both (two columns)", "both")]
AUDIO = [("Cleaned (processed)", "clean"), ("Original upload", "original")]
SAMPLE_RATES = [("16 kHz", "16000"), ("8 kHz", "8000"), ("22.05 kHz", "22050"), ("24 kHz", "24000"),
                ("44.1 kHz", "44100"), ("48 kHz", "48000"), ("The source's own rate", "original")]


def export(wb: "Workbench", fmt: str, language: str, project: str, clip_ids: str, text: str, audio: str,
           sample_rate: str, splits: str, seed: float | None, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    download = handlers.export_dataset(wb, actor, fmt=fmt, language=language or None, project=project,
                                       clip_ids=clip_ids, audio=audio, sample_rate=sample_rate, text=text,
                                       splits=splits, seed=seed)
    warnings = "".join(f"\n\n**Warning:** {warning}." for warning in download.warnings)
    return download.summary + warnings, str(download.archive), str(download.work_dir)


def remove_export_dir(work_dir: str) -> None:
    """After Gradio has copied the archive into its own cache, drop our temporary copy."""
    if work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)


def render(wb: "Workbench", languages: list[tuple[str, str]]) -> None:
    with gr.Tab(tr("Export")):
        gr.Markdown(tr("Accepted segments as a dataset, with train/dev/test splits by clip: the options of `workbench export`."))
        with gr.Row(equal_height=True):
            fmt = gr.Dropdown(FORMATS, value="nemo", label=tr("Format"))
            language = gr.Dropdown([(tr("All languages"), ""), *languages], value="", label=tr("Language"))
            project = gr.Textbox(label=tr("Project (empty: all)"))
            clip_ids = gr.Textbox(label=tr("Clip ids (empty: all)"), placeholder=tr("12, 13"))
        with gr.Row(equal_height=True):
            text = gr.Dropdown(TEXTS, value="spelling", label=tr("Text"), elem_id="wb-export-text")
            audio = gr.Dropdown(AUDIO, value="clean", label=tr("Audio"), elem_id="wb-export-audio")
            sample_rate = gr.Dropdown(SAMPLE_RATES, value="16000", label=tr("Sample rate"),
                                      elem_id="wb-export-rate")
            splits = gr.Textbox("0.8,0.1,0.1", label=tr("Splits train,dev,test (shares of each language's audio)"),
                                elem_id="wb-export-splits")
            seed = gr.Number(0, precision=0, minimum=0, label=tr("Split seed"))
        export_button = gr.Button(tr("Export"), variant="primary")
        result = gr.Markdown(elem_id="wb-export-result")
        archive = gr.File(label=tr("Download"), interactive=False)
        work_dir = gr.State("")

    export_button.click(bind_form(export, wb, outputs=3),
                        inputs=[fmt, language, project, clip_ids, text, audio, sample_rate, splits, seed],
                        outputs=[result, archive, work_dir], concurrency_limit=1).then(remove_export_dir,
                                                                                      inputs=[work_dir])
