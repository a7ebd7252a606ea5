"""The admin page: clips and their processing, applications, workers, rates, settlements
and dataset export, one sub-tab each.

Only wiring lives here (plus the HTML the tables render as); the work is done by
``workbench.ui.handlers.admin``, whose calls the Workbench, pay and export check.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.handlers import admin as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.wiring import LANGUAGE_NAMES, bind, is_gradio_upload, readable_columns

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, Application, ClipView
    from workbench.workflow.service import Workbench

POLL_SECONDS = 2.0

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
"""



def _empty(message: str) -> str:
    return f'<p class="wb-empty">{escape(message)}</p>'


def clips_html(clips: Sequence["ClipView"]) -> str:
    """The processing list: one row per clip with a progress bar, failures with their reason."""
    if not clips:
        return _empty("No clips yet. Upload audio or video above.")
    rows = []
    for clip in clips:
        percent = 100.0 if clip.status == "ready" else clip.percent
        stage = {"ready": "done", "failed": "stopped"}.get(clip.status, clip.stage or clip.status)
        detail = f'<div class="wb-error">{escape(clip.error)}</div>' if clip.status == "failed" and clip.error else ""
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
    return "\n\n".join(lines)


def applications_html(applications: Sequence["Application"]) -> str:
    if not applications:
        return _empty("No applications are waiting.")
    rows = [
        f"<tr><td>#{a.id}</td><td>{escape(a.name)}</td><td>{escape(a.username)}</td>"
        f"<td>{escape(LANGUAGE_NAMES.get(a.language, a.language))}</td><td>{escape(a.bank_holder)}</td>"
        f"<td>{a.created_at:%Y-%m-%d %H:%M} UTC</td>"
        f'<td><a href="/media/document/{a.id}" target="_blank" rel="noopener">{escape(a.document_name)}</a></td></tr>'
        for a in applications
    ]
    return (
        '<table class="wb-table"><thead><tr><th>#</th><th>Name</th><th>Username</th><th>Language</th>'
        "<th>Bank account holder</th><th>Applied</th><th>Document</th></tr></thead>"
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def application_choices(applications: Sequence["Application"]) -> list[tuple[str, int]]:
    return [(f"#{a.id} {a.name} ({a.username}, {LANGUAGE_NAMES.get(a.language, a.language)})", a.id)
            for a in applications]


# --- wiring --------------------------------------------------------------------------------


def _admin(wb: "Workbench", request: gr.Request) -> "Actor | None":
    """The signed-in admin, or None for anyone else: their hidden admin tab stays idle.
    (Hiding is convenience; the Workbench refuses non-admins in every handler.)"""
    actor = session_actor(wb, request.username)
    return actor if actor.is_admin else None


def _clip_updates(wb: "Workbench", actor: "Actor", shown_failed: list[int]) -> tuple:
    clips = handlers.processing_clips(wb, actor)
    failed = handlers.failed_clips(clips)
    failed_ids = [clip_id for _, clip_id in failed]
    if failed_ids == shown_failed:
        picker, row = gr.skip(), gr.skip()
    else:
        picker, row = gr.Dropdown(choices=failed, value=None), gr.Row(visible=bool(failed))
    busy = any(clip.status in ("queued", "processing") or clip.draft_state in ("queued", "drafting")
               for clip in clips)
    return clips_html(clips), picker, row, failed_ids, gr.Timer(active=busy)


def refresh_clips(wb: "Workbench", shown_failed: list[int], request: gr.Request) -> tuple:
    actor = _admin(wb, request)
    if actor is None:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.Timer(active=False)
    return _clip_updates(wb, actor, shown_failed)


def upload(wb: "Workbench", files: list[str] | None, language: str, project: str, priority: float,
           shown_failed: list[int], request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    paths = [Path(name) for name in files or []]
    # The gate lets only this user's own uploads through (gradio_gate); refuse anything else
    # here too, before the store reads it or it is deleted.
    if not all(is_gradio_upload(path) for path in paths):
        raise gr.Error("Upload the files again.")
    outcome = handlers.upload_clips(wb, actor, paths, language=language, project=project,
                                    priority=int(priority or 0))
    # The store keeps its own copy; Gradio's cached upload is no longer needed.
    for path in paths:
        path.unlink(missing_ok=True)
    return (upload_message(outcome), None, *_clip_updates(wb, actor, shown_failed))


def retry(wb: "Workbench", clip_id: int | None, shown_failed: list[int], request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    clip = handlers.retry_clip(wb, actor, clip_id)
    return (f"Clip #{clip.id} ({clip.filename}) is queued again.", *_clip_updates(wb, actor, shown_failed))


def drafts_html(evidence) -> str:
    """The Drafts tab: the switch of each project and language, then the evidence tables."""
    switches = "".join(
        f"<tr><td>{escape(project)}</td><td>{escape(LANGUAGE_NAMES.get(language, language))}</td>"
        f"<td>{escape(state.engine or '—')}</td><td>{'on' if state.on else 'off'}</td>"
        f"<td>{_percent(state.cer)}</td><td>{state.measured}</td>"
        f"<td>{escape(state.reason)}</td></tr>"
        for (project, language), state in evidence.switches.items()
    )
    parts = ['<table class="wb-table" id="wb-draft-switches"><thead><tr><th>Project</th><th>Language</th>'
             "<th>Engine</th><th>Drafts</th><th>Rolling draft CER</th><th>Measured</th><th>Why</th></tr></thead>"
             f"<tbody>{switches}</tbody></table>" if switches else _empty("No clips yet.")]
    for key, name in (("languages", "Language"), ("projects", "Project"), ("workers", "Transcriber")):
        rows = "".join(
            f"<tr><td>{escape(LANGUAGE_NAMES.get(k, k) if key == 'languages' else k)}</td><td>{g['segments']}</td>"
            f"<td>{g['drafted']}</td><td>{_percent(g['draft_cer'])}</td>"
            f"<td>{_ratio(g['effort_drafted'])}</td><td>{_ratio(g['effort_undrafted'])}</td>"
            f"<td>{g['untouched_drafts']}</td><td>{g['unread_drafts']}</td></tr>"
            for k, g in evidence.figures[key].items())
        if rows:
            parts.append(
                f'<table class="wb-table wb-draft-{key}"><thead><tr><th>{name}</th><th>Accepted segments</th>'
                "<th>Drafted</th><th>Draft CER</th><th>Typed per final character, drafted</th>"
                "<th>… undrafted</th><th>Handed in untouched</th><th>Unread drafts (changed by review)</th>"
                f"</tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _ratio(effort: dict) -> str:
    value = effort["typed_per_final"]
    return "—" if value is None else f"{value:.2f} ({effort['segments']} segments)"


def refresh_drafts(wb: "Workbench", request: gr.Request) -> str:
    actor = _admin(wb, request)
    if actor is None:
        return gr.skip()
    return drafts_html(wb.draft_evidence(actor))


def refresh_applications(wb: "Workbench", request: gr.Request) -> tuple:
    actor = _admin(wb, request)
    if actor is None:
        return gr.skip(), gr.skip()
    applications = handlers.pending_applications(wb, actor)
    return applications_html(applications), gr.Dropdown(choices=application_choices(applications), value=None)


def decide(wb: "Workbench", approve: bool, application_id: int | None, reason: str,
           request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    decided = handlers.decide_application(wb, actor, application_id, approve=approve, reason=reason)
    verdict = "approved: they can sign in now" if approve else "rejected"
    applications = handlers.pending_applications(wb, actor)
    return (
        f"Application #{decided.id} ({decided.name}) {verdict}.",
        applications_html(applications),
        gr.Dropdown(choices=application_choices(applications), value=None),
        "",
    )


def _worker_updates(wb: "Workbench", actor: "Actor") -> tuple:
    """The workers table and the account picker, from one read of the workers."""
    workers = wb.list_workers(actor)
    return handlers.worker_rows(workers), gr.Dropdown(choices=handlers.worker_choices(workers), value=None)


def refresh_workers(wb: "Workbench", request: gr.Request) -> tuple:
    actor = _admin(wb, request)
    if actor is None:
        return gr.skip(), gr.skip()
    return _worker_updates(wb, actor)


def change_account(wb: "Workbench", close: bool, username: str | None, reason: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    change = handlers.close_account if close else handlers.reopen_account
    return (change(wb, actor, username, reason), *_worker_updates(wb, actor), "")


def show_audit(wb: "Workbench", task_id: float | None, request: gr.Request):
    actor = _admin(wb, request)
    if actor is None:
        return gr.skip()
    return handlers.audit_rows(wb, actor, task_id)


def refresh_rates(wb: "Workbench", request: gr.Request) -> tuple:
    actor = _admin(wb, request)
    if actor is None:
        return gr.skip(), gr.skip()
    return readable_columns(handlers.rate_table(wb, actor)), readable_columns(handlers.project_bonus_table(wb, actor))


def set_rate(wb: "Workbench", language: str, won_per_minute: float | None, effective_at: str,
             request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    history = handlers.set_language_rate(wb, actor, language, won_per_minute, effective_at)
    name = LANGUAGE_NAMES.get(language, language)
    message = f"New {name} rate of {int(won_per_minute):,} won per minute from {effective_at} (Seoul time)."
    return message, readable_columns(history)


def set_bonus(wb: "Workbench", project: str, won_per_minute: float | None, basis: str, effective_at: str,
              request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    history = handlers.set_project_bonus(wb, actor, project, won_per_minute, effective_at, basis)
    message = (f"Bonus for {project.strip()}: {int(won_per_minute):,} won per minute of {basis} audio "
               f"from {effective_at} (Seoul time).")
    return message, readable_columns(history)


def settle(wb: "Workbench", commit: bool, payday: str, confirmed: bool, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    if commit and not confirmed:
        raise gr.Error("Tick the box to confirm that the dry run is right before committing.")
    run = handlers.run_settlement(wb, actor, payday, commit=commit)
    return (
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


def refresh_settlements(wb: "Workbench", request: gr.Request) -> tuple:
    actor = _admin(wb, request)
    if actor is None:
        return gr.skip(), gr.skip(), gr.skip()
    return _history_updates(wb, actor)


def export(wb: "Workbench", fmt: str, language: str, project: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    download = handlers.export_dataset(wb, actor, fmt=fmt, language=language or None, project=project)
    return download.summary, str(download.archive), str(download.work_dir)


def remove_export_dir(work_dir: str) -> None:
    """After Gradio has copied the archive into its own cache, drop our temporary copy."""
    if work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)


def render(wb: "Workbench") -> None:
    languages = [(name, code) for code, name in LANGUAGE_NAMES.items()]
    with gr.Tabs():
        with gr.Tab("Clips") as clips_tab:
            with gr.Row(equal_height=False):
                files = gr.File(label="Audio or video files (several at once)", file_count="multiple",
                                file_types=["audio", "video"], type="filepath", scale=3, elem_id="wb-upload-files")
                with gr.Column(scale=2):
                    language = gr.Dropdown(languages, value="ko", label="Language")
                    project = gr.Textbox(label="Project", placeholder="client or project name",
                                         elem_id="wb-upload-project")
                    priority = gr.Number(value=0, precision=0, label="Priority (higher is transcribed first)")
                    upload_button = gr.Button("Upload and process", variant="primary")
            upload_result = gr.Markdown(elem_id="wb-upload-result")
            gr.Markdown("### Processing")
            progress = gr.HTML(elem_id="wb-clips")
            with gr.Row(visible=False, equal_height=True) as retry_row:
                failed = gr.Dropdown([], label="Failed clip", scale=3)
                retry_button = gr.Button("Retry processing", scale=1)
            shown_failed = gr.State([])
            timer = gr.Timer(POLL_SECONDS, active=False)

        with gr.Tab("Applications") as applications_tab:
            applications = gr.HTML()
            with gr.Row():
                application = gr.Dropdown([], label="Application", scale=2)
                reason = gr.Textbox(label="Reason (required to reject)", scale=3)
            with gr.Row():
                approve_button = gr.Button("Approve", variant="primary")
                reject_button = gr.Button("Reject", variant="stop")
            decision = gr.Markdown()

        with gr.Tab("Workers") as workers_tab:
            workers = gr.Dataframe(headers=list(handlers.WORKER_COLUMNS), interactive=False, wrap=True)
            gr.Markdown("Closing an account signs the person out everywhere and offers the tasks they "
                        "hold to others, their text kept; their finished work and pay stay.")
            with gr.Row():
                account = gr.Dropdown([], label="Account", scale=2)
                account_reason = gr.Textbox(label="Reason (kept in the audit log)", scale=3)
            with gr.Row():
                close_button = gr.Button("Close account", variant="stop")
                reopen_button = gr.Button("Reopen account")
            account_result = gr.Markdown()

        with gr.Tab("Drafts") as drafts_tab:
            gr.Markdown("Machine drafts: where they run, and whether they help. Drafts turn off by "
                        "themselves where the rolling draft CER passes the threshold; `workbench drafts set` "
                        "chooses the engine.")
            drafts_view = gr.HTML(elem_id="wb-drafts")

        with gr.Tab("Audit log") as audit_tab:
            gr.Markdown("Every state change, newest first: who did what, when (Seoul time) and why.")
            with gr.Row(equal_height=True):
                audit_task = gr.Number(0, label="Task (0: the latest 200 changes of all tasks and people)", precision=0)
                audit_button = gr.Button("Show")
            audit = gr.Dataframe(headers=list(handlers.AUDIT_COLUMNS), interactive=False, wrap=True, elem_id="audit-log")

        with gr.Tab("Rates") as rates_tab:
            gr.Markdown("Base rates in won per audio minute, per language. A change is a new rate from "
                        "a date-time on; past rates stay as history.")
            with gr.Row(equal_height=True):
                rate_language = gr.Dropdown(languages, value="ko", label="Language")
                rate_won = gr.Number(None, label="Won per minute", precision=0, minimum=0)
                rate_from = gr.Textbox(label="Effective from (Seoul time)", placeholder="2026-12-01T00:00")
                rate_button = gr.Button("Set rate", variant="primary")
            rate_result = gr.Markdown()
            rates = gr.Dataframe(interactive=False, label="Rate history (newest first)")
            gr.Markdown("### Project bonuses\nWon per minute on top of the base rate, for one project's "
                        "work: per minute of the source clip or of its speech. A bonus of 0 ends it.")
            with gr.Row(equal_height=True):
                bonus_project = gr.Textbox(label="Project of the bonus")
                bonus_won = gr.Number(None, label="Bonus won per minute", precision=0, minimum=0)
                bonus_basis = gr.Dropdown([("source clip minutes", "source"), ("speech minutes", "speech")],
                                          value="source", label="Per")
                bonus_from = gr.Textbox(label="Effective from (Seoul time)", placeholder="2026-12-01T00:00")
                bonus_button = gr.Button("Set bonus")
            bonus_result = gr.Markdown()
            bonuses = gr.Dataframe(interactive=False, label="Bonus history (newest first)")

        with gr.Tab("Settlements") as settlements_tab:
            with gr.Row(equal_height=True):
                payday = gr.Dropdown(handlers.payday_choices(date.today()), label="Payday",
                                     allow_custom_value=True, scale=2)
                dry_run_button = gr.Button("Dry run", variant="secondary", scale=1)
                confirm = gr.Checkbox(label="The dry run is right", scale=1)
                commit_button = gr.Button("Commit settlement", variant="primary", scale=1)
            settlement_summary = gr.Markdown("Choose a payday and make a dry run: it shows what each "
                                             "worker would be paid and records nothing.",
                                             elem_id="wb-settlement-summary")
            settlement_workers = gr.Dataframe(interactive=False, label="Workers", visible=False)
            settlement_items = gr.Dataframe(interactive=False, label="Items paid", visible=False,
                                            elem_id="wb-settlement-items")
            gr.Markdown("### Committed paydays")
            history_note = gr.Markdown()
            period_totals = gr.Dataframe(interactive=False, label="Totals per payday", visible=False,
                                         elem_id="wb-period-totals")
            period_chart = gr.Plot(show_label=False, visible=False, elem_id="wb-period-chart")

        with gr.Tab("Export"):
            gr.Markdown("Accepted segments as a dataset, cut from the cleaned audio at 16 kHz, with "
                        "train/dev/test splits by clip.")
            with gr.Row(equal_height=True):
                export_format = gr.Dropdown([("NeMo manifest", "nemo"), ("Hugging Face audiofolder", "hf"),
                                             ("Kaldi", "kaldi"), ("CSV", "csv")], value="nemo", label="Format")
                export_language = gr.Dropdown([("All languages", ""), *languages], value="", label="Language")
                export_project = gr.Textbox(label="Project (empty: all)")
                export_button = gr.Button("Export", variant="primary")
            export_result = gr.Markdown()
            export_file = gr.File(label="Download", interactive=False)
            export_dir = gr.State("")

    clip_outputs = [progress, failed, retry_row, shown_failed, timer]
    gr.on([clips_tab.select, timer.tick], bind(refresh_clips, wb), inputs=[shown_failed],
          outputs=clip_outputs, show_progress="hidden")
    gr.on(None, bind(refresh_clips, wb), inputs=[shown_failed], outputs=clip_outputs, show_progress="hidden")
    upload_button.click(bind(upload, wb), inputs=[files, language, project, priority, shown_failed],
                        outputs=[upload_result, files, *clip_outputs], concurrency_limit=2)
    retry_button.click(bind(retry, wb), inputs=[failed, shown_failed], outputs=[upload_result, *clip_outputs])

    application_outputs = [applications, application]
    gr.on([applications_tab.select], bind(refresh_applications, wb), outputs=application_outputs)
    gr.on(None, bind(refresh_applications, wb), outputs=application_outputs)
    approve_button.click(bind(decide, wb, True), inputs=[application, reason],
                         outputs=[decision, *application_outputs, reason])
    reject_button.click(bind(decide, wb, False), inputs=[application, reason],
                        outputs=[decision, *application_outputs, reason])

    gr.on([workers_tab.select], bind(refresh_workers, wb), outputs=[workers, account])
    account_outputs = [account_result, workers, account, account_reason]
    close_button.click(bind(change_account, wb, True), inputs=[account, account_reason], outputs=account_outputs)
    reopen_button.click(bind(change_account, wb, False), inputs=[account, account_reason], outputs=account_outputs)

    gr.on([drafts_tab.select], bind(refresh_drafts, wb), outputs=[drafts_view])
    gr.on([audit_tab.select, audit_button.click, audit_task.submit], bind(show_audit, wb), inputs=[audit_task],
          outputs=[audit])
    gr.on([rates_tab.select], bind(refresh_rates, wb), outputs=[rates, bonuses])
    rate_button.click(bind(set_rate, wb), inputs=[rate_language, rate_won, rate_from], outputs=[rate_result, rates])
    bonus_button.click(bind(set_bonus, wb), inputs=[bonus_project, bonus_won, bonus_basis, bonus_from],
                       outputs=[bonus_result, bonuses])

    history_outputs = [history_note, period_totals, period_chart]
    settlement_outputs = [settlement_summary, settlement_workers, settlement_items, *history_outputs, confirm]
    # A settlement reads every accepted item: one at a time, dry run or commit.
    dry_run_button.click(bind(settle, wb, False), inputs=[payday, confirm], outputs=settlement_outputs,
                         concurrency_limit=1, concurrency_id="settlement")
    commit_button.click(bind(settle, wb, True), inputs=[payday, confirm], outputs=settlement_outputs,
                        concurrency_limit=1, concurrency_id="settlement")
    gr.on([settlements_tab.select], bind(refresh_settlements, wb), outputs=history_outputs)

    export_button.click(bind(export, wb), inputs=[export_format, export_language, export_project],
                        outputs=[export_result, export_file, export_dir], concurrency_limit=1
                        ).then(remove_export_dir, inputs=[export_dir])


