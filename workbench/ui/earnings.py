"""My earnings (every paid worker): minutes and pay per period, and the statement. What is coming is
the light page ``/work/earnings`` (``ui/earnings_page.py``), linked from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.handlers.auth import session_actor, visible_pages
from workbench.ui.handlers.earnings import (
    REVIEW_COLUMNS, STATEMENT_COLUMNS, TIME_COLUMNS, for_reader, my_earnings, no_paydays_note,
)
from workbench.ui.wiring import bind
from workbench.ui.gradio_i18n import reader_language, tr

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench


def refresh_earnings(wb: "Workbench", request: gr.Request) -> tuple:
    actor = session_actor(wb, request.username)
    if not visible_pages(actor)["earnings"]:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
    # The reader's language as the light pages decide it (their choice, this browser's, its
    # Accept-Language): Gradio's own labels follow the same (gradio_i18n.language_script).
    language = reader_language(actor, request)
    earnings = my_earnings(wb, actor, language)
    settled = not earnings.periods.empty
    return (
        earnings.summary,
        "" if settled else no_paydays_note(language),
        gr.Dataframe(value=for_reader(earnings.periods, language), visible=settled),
        gr.Plot(value=earnings.chart, visible=settled),
        for_reader(earnings.statement, language),
        gr.Dataframe(value=for_reader(earnings.reviews, language), visible=not earnings.reviews.empty),
        earnings.time_summary,
        gr.Dataframe(value=for_reader(earnings.time_on_task, language), visible=not earnings.time_on_task.empty),
    )


def render(wb: "Workbench") -> None:
    gr.Markdown(tr("What is coming (work waiting for review, each payday ahead and what carries over) is on [your earnings page](/work/earnings); here are the full statement and time on task."))
    with gr.Row(equal_height=True):
        summary = gr.Markdown(elem_id="wb-earnings-summary")
        refresh_button = gr.Button(tr("Refresh"), size="sm", scale=0, min_width=100)
    gr.Markdown(tr("### Pay per period"))
    no_periods = gr.Markdown()
    periods = gr.Dataframe(interactive=False, visible=False, elem_id="wb-earnings-periods")
    chart = gr.Plot(show_label=False, visible=False, elem_id="wb-earnings-chart")
    gr.Markdown(tr("### Statement"))
    gr.Markdown(tr("Every accepted task: settled ones with what was paid, pending ones with the payday they are due on. Amounts are in won, before tax."))
    statement = gr.Dataframe(headers=[c.replace("_", " ") for c in STATEMENT_COLUMNS], interactive=False,
                             elem_id="wb-statement")
    gr.Markdown(tr("### Reviews"))
    gr.Markdown(tr("Every review round you finished, paid per minute of the audio you decided in it (shown once your language has a reviewer rate)."))
    reviews = gr.Dataframe(headers=[c.replace("_", " ") for c in REVIEW_COLUMNS], interactive=False,
                           visible=False, elem_id="wb-review-statement")
    gr.Markdown(tr("### Time on task"))
    gr.Markdown(tr("Your active time in the task pages (typing, playing, moving between segments; a pause over a minute is not counted) on paid work, and what it earned per hour."))
    time_note = gr.Markdown(elem_id="wb-time-summary")
    own_time = gr.Dataframe(headers=[c.replace("_", " ") for c in TIME_COLUMNS], interactive=False,
                            visible=False, elem_id="wb-time-on-task")
    outputs = [summary, no_periods, periods, chart, statement, reviews, time_note, own_time]
    gr.on(None, bind(refresh_earnings, wb), outputs=outputs)
    refresh_button.click(bind(refresh_earnings, wb), outputs=outputs)
