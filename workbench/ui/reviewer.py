"""The reviewer page: submitted tasks of the reviewer's language, the guideline, and the
review view (``static/work/reviewer.js``) of the task taken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui.handlers import reviewer as handlers
from workbench.ui.handlers.auth import session_actor, visible_pages
from workbench.ui.handlers.transcriber import workspace_html
from workbench.ui.wiring import bind
from workbench.workflow.guidelines import guideline_markdown
from workbench.ui.gradio_i18n import reader_language, tr

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench


def reader(wb: "Workbench", request: gr.Request):
    """The signed-in reviewer and the language their pages are in."""
    actor = session_actor(wb, request.username)
    return actor, reader_language(actor, request)


def refresh_review_queue(wb: "Workbench", request: gr.Request) -> gr.Radio:
    actor, language = reader(wb, request)
    return gr.Radio(choices=handlers.review_queue(wb, actor, language)["choices"])


def load_review_page(wb: "Workbench", request: gr.Request) -> list:
    """The review queue, the guideline and the review this reviewer is in the middle of."""
    actor, language = reader(wb, request)
    if not visible_pages(actor)["review"]:
        return [gr.Radio(), "", gr.HTML()]
    queue = handlers.review_queue(wb, actor, language)
    return [
        gr.Radio(choices=queue["choices"], value=queue["resume"]),
        guideline_markdown(actor.language),
        workspace_html("review", queue["resume"], language=language),
    ]


def take_for_review(wb: "Workbench", task_id: int | None, request: gr.Request) -> list:
    actor, language = reader(wb, request)
    if task_id is None:
        raise gr.Error(handlers.no_task_picked(language))
    handlers.take_for_review(wb, actor, task_id)
    queue = handlers.review_queue(wb, actor, language)
    return [gr.Radio(choices=queue["choices"], value=task_id), workspace_html("review", task_id, language=language)]


def render(wb: "Workbench") -> None:
    with gr.Row(equal_height=False, elem_classes="wb-work"):
        with gr.Column(scale=1, min_width=280, elem_classes="wb-side"):
            tasks = gr.Radio(label=tr("Submitted tasks in my language"), choices=[], elem_id="wb-reviewer-tasks")
            with gr.Row():
                take = gr.Button(tr("Review this task"), variant="primary", size="sm")
                refresh = gr.Button(tr("↻ Refresh"), size="sm", elem_id="wb-refresh-reviewer")
            with gr.Accordion(tr("Guideline"), open=False):
                guideline = gr.Markdown(max_height=520, elem_classes="wb-guideline")
        with gr.Column(scale=5):
            workspace = gr.HTML(workspace_html("review", None))

    gr.on(triggers=None, fn=bind(load_review_page, wb), inputs=None, outputs=[tasks, guideline, workspace])
    refresh.click(bind(refresh_review_queue, wb), inputs=None, outputs=tasks)
    take.click(bind(take_for_review, wb), inputs=tasks, outputs=[tasks, workspace])
