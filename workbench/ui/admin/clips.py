"""The Clips tab: upload audio or video (a duplicate only once confirmed), watch it being
processed, retry a failed clip; withdraw, correct or dismiss a clip."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only, empty_note
from workbench.ui.handlers import admin as handlers
from workbench.ui.handlers import lifecycle
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import LANGUAGE_NAMES, bind, bind_form, is_gradio_upload
from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, ClipView
    from workbench.workflow.service import Workbench

POLL_SECONDS = 2.0


def clips_html(clips: Sequence["ClipView"]) -> str:
    """The processing list: one row per clip with a progress bar, failures with their reason."""
    if not clips:
        return empty_note("No clips yet. Upload audio or video above.")
    rows = []
    for clip in clips:
        percent = 100.0 if clip.status == "ready" else clip.percent
        stage = {"ready": "done", "failed": "stopped"}.get(clip.status, clip.stage or clip.status)
        detail = f'<div class="wb-error">{escape(clip.error)}</div>' if clip.status == "failed" and clip.error else ""
        note = lifecycle.lifecycle_note(clip)
        detail += f'<div class="wb-error wb-lifecycle">{escape(note)}</div>' if note else ""
        segments = str(clip.segment_count) if clip.status == "ready" else "—"
        rows.append(
            f"<tr><td>#{clip.id}</td><td><strong>{escape(clip.filename)}</strong>{detail}</td>"
            f"<td>{escape(LANGUAGE_NAMES.get(clip.language, clip.language))}</td>"
            f"<td>{escape(clip.project)}</td><td>{clip.priority}</td>"
            f'<td><span class="wb-status wb-status-{escape(clip.status)}">'
            f"{escape(clip.status)}</span></td>"
            f'<td><div class="wb-bar wb-bar-{escape(clip.status)}"><div class="wb-bar-track">'
            f'<div class="wb-bar-fill" style="width: {percent:.0f}%"></div></div>'
            f"<span>{percent:.0f}% · {escape(stage)}</span></div></td><td>{segments}</td>"
            f'<td class="wb-drafts">{escape(clip.draft_progress)}</td></tr>'
        )
    return (
        '<table class="wb-table"><thead><tr><th>Clip</th><th>File</th><th>Language</th>'
        "<th>Project</th><th>Priority</th><th>Status</th><th>Progress</th><th>Segments</th><th>Drafts</th></tr>"
        f'</thead><tbody>{"".join(rows)}</tbody></table>'
    )


def upload_message(outcome: handlers.UploadOutcome) -> str:
    lines = []
    if outcome.imported:
        names = ", ".join(clip.filename for clip in outcome.imported)
        lines.append(f"Queued {len(outcome.imported)} clip(s) for processing: {names}.")
    for name, reason in outcome.refused:
        lines.append(f"**Not imported: {name}**: {reason}")
    if outcome.duplicates:
        lines.append("The duplicates are still chosen: tick **Upload anyway** and press Upload again to "
                     "import them all the same.")
    return "\n\n".join(lines)


def _clip_updates(wb: "Workbench", actor: "Actor", shown_failed: list[int]) -> tuple:
    clips = handlers.processing_clips(wb, actor)
    failed = handlers.failed_clips(clips)
    failed_ids = [clip_id for _, clip_id in failed]
    if failed_ids == shown_failed:
        picker, row = gr.skip(), gr.skip()
    else:
        picker, row = gr.Dropdown(choices=failed, value=None), gr.Row(visible=bool(failed))
    busy = any(clip.status in ("queued", "processing") or clip.drafts_pending for clip in clips)
    return clips_html(clips), picker, row, failed_ids, gr.Timer(active=busy)


@admin_only
def refresh_clips(wb: "Workbench", actor: "Actor", shown_failed: list[int]) -> tuple:
    # Only an admin's refresh starts the poll timer, so a non-admin's never ticks.
    return _clip_updates(wb, actor, shown_failed)


def upload(wb: "Workbench", files: list[str] | None, language: str, project: str, priority: float,
           allow_duplicate: bool, shown_failed: list[int], request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    paths = [Path(name) for name in files or []]
    # The gate lets only this user's own uploads through (gradio_gate); refuse anything else
    # here too, before the store reads it or it is deleted.
    if not all(is_gradio_upload(path) for path in paths):
        raise InvalidInput("Upload the files again.")
    outcome = handlers.upload_clips(wb, actor, paths, language=language, project=project,
                                    priority=int(priority or 0), allow_duplicate=allow_duplicate is True)
    # The store keeps its own copy; Gradio's cached upload is no longer needed, but for the
    # duplicates, which stay chosen until the admin confirms them.
    for path in paths:
        if path not in outcome.duplicates:
            path.unlink(missing_ok=True)
    kept = [str(path) for path in outcome.duplicates] or None
    return (upload_message(outcome), kept, False, *_clip_updates(wb, actor, shown_failed))


def retry(wb: "Workbench", clip_id: int | None, shown_failed: list[int], request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    clip = handlers.retry_clip(wb, actor, clip_id)
    return (f"Clip #{clip.id} ({clip.filename}) is queued again.", *_clip_updates(wb, actor, shown_failed))


def change_clip(wb: "Workbench", clip_id: float | None, action: str, language: str | None, project: str,
                reason: str, shown_failed: list[int], request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    clip = lifecycle.clip_action(wb, actor, clip_id, action, reason=reason, language=language, project=project)
    return (lifecycle.clip_action_message(clip, action), *_clip_updates(wb, actor, shown_failed))


def render(wb: "Workbench", languages: list[tuple[str, str]]) -> None:
    with gr.Tab(tr("Clips")) as tab:
        with gr.Row(equal_height=False):
            files = gr.File(label=tr("Audio or video files (several at once)"), file_count="multiple",
                            file_types=["audio", "video"], type="filepath", scale=3, elem_id="wb-upload-files")
            with gr.Column(scale=2):
                language = gr.Dropdown(languages, value="ko", label=tr("Language"))
                project = gr.Textbox(label=tr("Project"), placeholder=tr("client or project name"),
                                     elem_id="wb-upload-project")
                priority = gr.Number(value=0, precision=0, label=tr("Priority (higher is transcribed first)"))
                allow_duplicate = gr.Checkbox(False, label=tr("Upload anyway (files with the same content as a clip)"),
                                              elem_id="wb-upload-anyway")
                upload_button = gr.Button(tr("Upload and process"), variant="primary")
        upload_result = gr.Markdown(elem_id="wb-upload-result")
        gr.Markdown(tr("### Processing"))
        progress = gr.HTML(elem_id="wb-clips")
        with gr.Row(visible=False, equal_height=True) as retry_row:
            failed = gr.Dropdown([], label=tr("Failed clip"), scale=3)
            retry_button = gr.Button(tr("Retry processing"), scale=1)
        with gr.Accordion(tr("Withdraw, correct or dismiss a clip"), open=False):
            gr.Markdown(tr("Withdraw takes a clip out of every queue for good (its media is no longer served). Correct changes its language or project before any work is done, and puts a clip sent back for its language in the right queue. Dismiss hides a failed clip."))
            with gr.Row(equal_height=True):
                clip_id = gr.Number(precision=0, minimum=1, label=tr("Clip"), elem_id="wb-clip-id")
                action = gr.Radio([(tr("Withdraw"), "withdraw"), (tr("Correct"), "correct"), (tr("Dismiss"), "dismiss")],
                                  value="correct", label=tr("Action"))
                new_language = gr.Dropdown([(tr("unchanged"), "")] + languages, value="", label=tr("Language"))
                new_project = gr.Textbox(label=tr("Project (empty: unchanged)"), elem_id="wb-clip-project")
                reason = gr.Textbox(label=tr("Reason"), elem_id="wb-clip-reason")
                apply_button = gr.Button(tr("Apply"), variant="secondary")
        shown_failed = gr.State([])
        timer = gr.Timer(POLL_SECONDS, active=False)

    outputs = [progress, failed, retry_row, shown_failed, timer]
    gr.on([tab.select, timer.tick], bind(refresh_clips, wb), inputs=[shown_failed],
          outputs=outputs, show_progress="hidden")
    gr.on(None, bind(refresh_clips, wb), inputs=[shown_failed], outputs=outputs, show_progress="hidden")
    upload_button.click(bind_form(upload, wb, outputs=3 + len(outputs)),
                        inputs=[files, language, project, priority, allow_duplicate, shown_failed],
                        outputs=[upload_result, files, allow_duplicate, *outputs], concurrency_limit=2)
    apply_button.click(bind_form(change_clip, wb, outputs=1 + len(outputs)),
                       inputs=[clip_id, action, new_language, new_project, reason, shown_failed],
                       outputs=[upload_result, *outputs])
    retry_button.click(bind_form(retry, wb, outputs=1 + len(outputs)), inputs=[failed, shown_failed],
                       outputs=[upload_result, *outputs])
