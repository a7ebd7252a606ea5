"""The Rates tab: base rates per language, project bonuses and reviewer rates, each a history
of changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.admin.shared import admin_only, seoul_picker
from workbench.ui.handlers import admin as handlers
from workbench.ui.handlers.auth import session_actor
from workbench.ui.gradio_i18n import tr
from workbench.ui.wiring import LANGUAGE_NAMES, bind, bind_form, readable_columns

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


@admin_only
def refresh_rates(wb: "Workbench", actor: "Actor") -> tuple:
    return readable_columns(handlers.rate_table(wb, actor)), readable_columns(handlers.project_bonus_table(wb, actor))


def set_rate(wb: "Workbench", language: str, won_per_minute: float | None, effective_at: str | None,
             request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    change = handlers.set_language_rate(wb, actor, language, won_per_minute, effective_at)
    name = LANGUAGE_NAMES.get(language, language)
    return (f"New {name} rate of {change.won_per_minute:,} won per minute {change.since()}.",
            readable_columns(change.history))


@admin_only
def refresh_reviewer_rates(wb: "Workbench", actor: "Actor"):
    return readable_columns(handlers.reviewer_rate_table(wb, actor))


def set_reviewer_rate(wb: "Workbench", language: str, won_per_minute: float | None, effective_at: str | None,
                      request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    change = handlers.set_language_reviewer_rate(wb, actor, language, won_per_minute, effective_at)
    name = LANGUAGE_NAMES.get(language, language)
    return (f"New {name} reviewer rate of {change.won_per_minute:,} won per minute reviewed {change.since()}.",
            readable_columns(change.history))


def set_bonus(wb: "Workbench", project: str, won_per_minute: float | None, basis: str, effective_at: str | None,
              request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    change = handlers.set_project_bonus(wb, actor, project, won_per_minute, effective_at, basis)
    return (f"Bonus for {project.strip()}: {change.won_per_minute:,} won per minute of {basis} audio "
            f"{change.since()}.", readable_columns(change.history))


def render(wb: "Workbench", languages: list[tuple[str, str]]) -> None:
    with gr.Tab(tr("Rates")) as tab:
        gr.Markdown(tr("Base rates in won per audio minute, per language. A change is a new rate from a date-time on; past rates stay as history."))
        with gr.Row(equal_height=True):
            rate_language = gr.Dropdown(languages, value="ko", label=tr("Language"))
            rate_won = gr.Number(None, label=tr("Won per minute"), precision=0, minimum=0)
            rate_from = seoul_picker(tr("Effective from (Seoul time)"), elem_id="wb-rate-from")
            rate_button = gr.Button(tr("Set rate"), variant="primary")
        rate_result = gr.Markdown(elem_id="wb-rate-message")
        rates = gr.Dataframe(interactive=False, label=tr("Rate history (newest first)"), elem_id="wb-rate-history")
        gr.Markdown(tr("### Project bonuses"))
        gr.Markdown(tr("Won per minute on top of the base rate, for one project's work: per minute of the source clip or of its speech. A bonus of 0 ends it."))
        with gr.Row(equal_height=True):
            bonus_project = gr.Textbox(label=tr("Project of the bonus"))
            bonus_won = gr.Number(None, label=tr("Bonus won per minute"), precision=0, minimum=0)
            bonus_basis = gr.Dropdown([("source clip minutes", "source"), ("speech minutes", "speech")],
                                      value="source", label=tr("Per"))
            bonus_from = seoul_picker(tr("Effective from (Seoul time)"))
            bonus_button = gr.Button(tr("Set bonus"))
        bonus_result = gr.Markdown()
        bonuses = gr.Dataframe(interactive=False, label=tr("Bonus history (newest first)"))
        gr.Markdown(tr("### Reviewer rates"))
        gr.Markdown(tr("Won per minute of audio a reviewer decides in a finished review round, per language. Without a rate, reviewing that language is unpaid."))
        with gr.Row(equal_height=True):
            review_rate_language = gr.Dropdown(languages, value="ko", label=tr("Language reviewed"))
            review_rate_won = gr.Number(None, label=tr("Won per minute reviewed"), precision=0, minimum=0)
            review_rate_from = seoul_picker(tr("Effective from (Seoul time)"))
            review_rate_button = gr.Button(tr("Set reviewer rate"))
        review_rate_result = gr.Markdown()
        review_rates = gr.Dataframe(interactive=False, label=tr("Reviewer rate history (newest first)"))

    gr.on([tab.select], bind(refresh_rates, wb), outputs=[rates, bonuses])
    rate_button.click(bind_form(set_rate, wb, outputs=2), inputs=[rate_language, rate_won, rate_from],
                      outputs=[rate_result, rates])
    gr.on([tab.select], bind(refresh_reviewer_rates, wb), outputs=[review_rates])
    review_rate_button.click(bind_form(set_reviewer_rate, wb, outputs=2),
                             inputs=[review_rate_language, review_rate_won, review_rate_from],
                             outputs=[review_rate_result, review_rates])
    bonus_button.click(bind_form(set_bonus, wb, outputs=2),
                       inputs=[bonus_project, bonus_won, bonus_basis, bonus_from], outputs=[bonus_result, bonuses])
