"""The Drafts tab: where machine drafts run (the switch of each project and language, and
why), and the evidence of whether they help (draft CER, typing effort, unread drafts)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only, empty_note
from workbench.ui.handlers import drafts as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import LANGUAGE_NAMES, bind, bind_form

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

_GROUPS = (("languages", "Language"), ("projects", "Project"), ("workers", "Transcriber"))


def drafts_html(evidence) -> str:
    """The switch of each project and language, then the evidence tables."""
    switches = "".join(
        f"<tr><td>{escape(project)}</td><td>{escape(LANGUAGE_NAMES.get(language, language))}</td>"
        f"<td>{escape(state.engine or '—')}</td><td>{'on' if state.on else 'off'}</td>"
        f"<td>{_percent(state.cer)}</td><td>{state.measured}</td>"
        f"<td>{escape(state.reason)}</td></tr>"
        for (project, language), state in evidence.switches.items()
    )
    parts = ['<table class="wb-table" id="wb-draft-switches"><thead><tr><th>Project</th><th>Language</th>'
             "<th>Engine</th><th>Drafts</th><th>Rolling draft CER</th><th>Measured</th><th>Why</th></tr></thead>"
             f"<tbody>{switches}</tbody></table>" if switches else empty_note("No clips yet.")]
    for key, name in _GROUPS:
        rows = "".join(
            f"<tr><td>{escape(LANGUAGE_NAMES.get(k, k) if key == 'languages' else k)}</td><td>{g['segments']}</td>"
            f"<td>{g['drafted']}</td><td>{_percent(g['draft_cer'])}</td>"
            f"<td>{_ratio(g['effort_drafted'])}</td><td>{_ratio(g['effort_held_back'])}</td>"
            f"<td>{_ratio(g['effort_undrafted'])}</td><td>{_percent(g['effort_saved']['typing'])}</td>"
            f"<td>{_pace(g['time_drafted'])}</td><td>{_pace(g['time_held_back'])}</td>"
            f"<td>{_percent(g['effort_saved']['time'])}</td>"
            f"<td>{g['untouched_drafts']}</td><td>{g['unread_drafts']}</td></tr>"
            for k, g in evidence.figures[key].items())
        if rows:
            parts.append(
                f'<table class="wb-table wb-draft-{key}"><thead><tr><th>{name}</th><th>Accepted segments</th>'
                "<th>Drafted</th><th>Draft CER</th><th>Typed per final character, drafted</th>"
                "<th>… held back (control)</th><th>… all undrafted</th><th>Effort saved, typing</th>"
                "<th>Active min per audio min, drafted</th><th>… held back</th><th>Effort saved, time</th>"
                "<th>Handed in untouched</th><th>Unread drafts (changed by review)</th>"
                f"</tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _ratio(effort: dict) -> str:
    value = effort["typed_per_final"]
    return "—" if value is None else f"{value:.2f} ({effort['segments']} segments)"


def _pace(time: dict) -> str:
    value = time["minutes_per_audio_minute"]
    return "—" if value is None else f"{value:.2f} ({time['segments']} segments)"


def _drafts_updates(wb: "Workbench", actor: "Actor") -> tuple:
    """The tables and the picker of switched-off projects and languages, from one read."""
    evidence = wb.draft_evidence(actor)
    return drafts_html(evidence), gr.Dropdown(choices=handlers.switched_off_choices(evidence), value=None)


@admin_only
def refresh_drafts(wb: "Workbench", actor: "Actor") -> tuple:
    return _drafts_updates(wb, actor)


def restart_drafts(wb: "Workbench", value: str | None, reason: str, request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    return (handlers.restart_drafts(wb, actor, value, reason), *_drafts_updates(wb, actor), "")


def render(wb: "Workbench") -> None:
    with gr.Tab(tr("Drafts")) as tab:
        gr.Markdown(tr("Machine drafts: where they run, and whether they help. Drafts turn off by themselves where the rolling draft CER passes the threshold (the Why column says so); `workbench drafts set` chooses the engine."))
        view = gr.HTML(elem_id="wb-drafts")
        gr.Markdown(tr("Turning drafts on again starts the rolling draft CER afresh (only drafts written from now on count) and drafts the clips that were switched off."))
        with gr.Row():
            pair = gr.Dropdown([], label=tr("Switched off"), scale=2, elem_id="wb-drafts-off")
            reason = gr.Textbox(label=tr("Reason (kept in the audit log)"), scale=3, elem_id="wb-drafts-reason")
        restart = gr.Button(tr("Turn drafts on again"), elem_id="wb-drafts-restart")
        result = gr.Markdown(elem_id="wb-drafts-result")
    gr.on([tab.select], bind(refresh_drafts, wb), outputs=[view, pair])
    restart.click(bind_form(restart_drafts, wb, outputs=4), inputs=[pair, reason], outputs=[result, view, pair, reason])
