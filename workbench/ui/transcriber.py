"""The transcriber page: the queue and the guideline in Gradio, the task view beside them.

The task view (every segment of a clip, typed into for hours) is its own small page driven
by ``static/work/transcriber.js``; Gradio would otherwise build hundreds of components.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from workbench.ui.handlers import transcriber as handlers
from workbench.ui.handlers.auth import session_actor, visible_pages
from workbench.ui.wiring import bind
from workbench.workflow.guidelines import guideline_markdown
from workbench.ui.gradio_i18n import reader_language, tr

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench

# Runs in the browser before on_load: where this browser's users were working (transcriber.js).
READ_PLACES = "() => [window.localStorage.getItem('wb-place') || '']"
# "Take the next task" never enters Gradio's queue: static/take-next-task.js claims through
# POST /api/work/tasks/claim, opens the task and presses "↻ Refresh".
TAKE_NEXT_TASK = "() => { window.wbTakeNextTask(); }"


def queue_view(queue: dict[str, Any], *, select: int | None = None) -> list:
    """The queue's components from ``handlers.queue``: tasks (``select`` chosen), comments,
    the offer and the take button."""
    chosen = {"value": select} if select is not None else {}
    return [
        gr.Radio(choices=queue["choices"], **chosen),
        queue["comments"],
        queue["offer"],
        gr.Button(interactive=queue["can_claim"]),
    ]


def load_transcribe_page(wb: "Workbench", remembered: str | None, request: gr.Request) -> list:
    """The queue, the guideline and the task this browser was working on (``READ_PLACES``)."""
    actor = session_actor(wb, request.username)
    if not visible_pages(actor)["transcribe"]:
        return [gr.Radio(), "", "", gr.Button(interactive=False), "", gr.HTML()]
    language = reader_language(actor, request)
    queue = handlers.queue(wb, actor, language)
    opened = handlers.task_to_open(queue, remembered, actor.username)
    return [
        *queue_view(queue, select=opened),
        guideline_markdown(actor.language),
        handlers.workspace_html("transcribe", opened, language=language),
    ]


def refresh_queue(wb: "Workbench", request: gr.Request) -> list:
    actor = session_actor(wb, request.username)
    return queue_view(handlers.queue(wb, actor, reader_language(actor, request)))


def open_picked_task(wb: "Workbench", task_id: int | None, request: gr.Request) -> str:
    actor = session_actor(wb, request.username)
    return handlers.workspace_html("transcribe", task_id, language=reader_language(actor, request))


def render(wb: "Workbench") -> None:
    with gr.Row(equal_height=False, elem_classes="wb-work"):
        with gr.Column(scale=1, min_width=280, elem_classes="wb-side"):
            tasks = gr.Radio(label=tr("My tasks (returned first)"), choices=[], elem_id="wb-transcriber-tasks")
            comments = gr.Markdown(elem_classes="wb-comments")
            offer = gr.Markdown()
            with gr.Row():
                take = gr.Button(tr("Take the next task"), variant="primary", size="sm", elem_id="wb-take-next-task")
                refresh = gr.Button(tr("↻ Refresh"), size="sm", elem_id="wb-refresh-transcriber")
            gr.HTML('<p class="wb-take-error" id="wb-take-error" role="alert"></p>')
            with gr.Accordion(tr("Guideline"), open=True):
                guideline = gr.Markdown(max_height=520, elem_classes="wb-guideline")
        with gr.Column(scale=5):
            workspace = gr.HTML(handlers.workspace_html("transcribe", None),
                                elem_id="wb-transcriber-workspace")
    places = gr.Textbox(visible=False)

    queue_outputs = [tasks, comments, offer, take]
    gr.on(triggers=None, fn=bind(load_transcribe_page, wb), inputs=places,
          outputs=[*queue_outputs, guideline, workspace], js=READ_PLACES)
    take.click(fn=None, inputs=None, outputs=None, js=TAKE_NEXT_TASK)
    refresh.click(bind(refresh_queue, wb), inputs=None, outputs=queue_outputs)
    tasks.input(bind(open_picked_task, wb), inputs=tasks, outputs=workspace)
