"""Assembles a Gradio Blocks from the page modules; nothing else lives here.

A Blocks holds only the pages of one set of roles (``pages_for``): a transcriber's app has
no admin handler to call, not even a hidden one. ``workbench.ui.gradio_gate`` builds one per
page set and sends each signed-in user to theirs. The Workbench still checks the acting user
in every handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui import admin, earnings, i18n, reviewer, transcriber
from workbench.ui.gradio_i18n import reader_language, tr
from workbench.ui.language import picker_html
from workbench.ui.handlers.auth import PAGES, session_actor, visible_pages
from workbench.ui.wiring import bind

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

PAGE_TITLES = {"transcribe": tr("Transcribe"), "review": tr("Review"), "admin": tr("Admin"),
               "earnings": tr("My earnings")}
PAGE_RENDERERS = {
    "transcribe": transcriber.render,
    "review": reviewer.render,
    "admin": admin.render,
    "earnings": earnings.render,
}

EVENT_THREADS = 160

APP_THEME = gr.themes.Default(
    # System fonts: nothing is fetched from a font CDN, and Hangul/Kana/Hanzi render natively.
    font=["system-ui", "-apple-system", "Segoe UI", "Noto Sans CJK KR", "Noto Sans KR", "sans-serif"],
    font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"],
    primary_hue="blue",
    neutral_hue="slate",
)

SHELL_CSS = """
#wb-header { align-items: center; }
#wb-header .wb-who { text-align: right; color: var(--body-text-color-subdued); }
#wb-header .wb-who a { margin-left: 12px; }
#wb-header .wb-who form.language { display: inline-block; margin-right: 12px; }
"""
APP_CSS = SHELL_CSS + admin.CSS


def greeting_html(name: str, username: str, language: str = i18n.DEFAULT) -> str:
    """The header's right-hand side: who is signed in, the language picker, and the way out."""
    say = i18n.html_translator(language)  # (its two messages are marked in queue_page.py's header)
    return (
        f'<div class="wb-who">{picker_html(language, "/")} '
        f'{say("Signed in as {name} ({username})", name=name, username=username)}'
        f'<a href="/logout">{say("Sign out")}</a></div>'
    )


def pages_for(actor: "Actor") -> tuple[str, ...]:
    """The pages (in ``PAGES`` order) the actor's roles open; the key of their Gradio app."""
    visible = visible_pages(actor)
    return tuple(page for page in PAGES if visible[page])


def greet(wb: "Workbench", request: gr.Request) -> str:
    """On load: who is signed in."""
    actor = session_actor(wb, request.username)
    return greeting_html(actor.name, actor.username, reader_language(actor, request))


def build_blocks(wb: "Workbench", pages: tuple[str, ...] = PAGES) -> gr.Blocks:
    """A Blocks app holding ``pages``, one tab each, filled by the page module's ``render(wb)``.

    Handlers that only touch the store run concurrently (the queue's default limit is none);
    the heavy ones (upload, export, settlement) set their own limit.
    """
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise ValueError(f"unknown pages: {sorted(unknown)}")
    # delete_cache: Gradio's copies of uploads and downloads go after an hour.
    with gr.Blocks(title="Speech data workbench", analytics_enabled=False, delete_cache=(3600, 3600)) as blocks:
        with gr.Row(elem_id="wb-header"):
            gr.Markdown("## " + tr("Speech data workbench"))
            who = gr.HTML()
        with gr.Tabs(selected=pages[0] if pages else None):
            for page in PAGES:
                if page in pages:
                    with gr.Tab(PAGE_TITLES[page], id=page):
                        PAGE_RENDERERS[page](wb)
        blocks.load(bind(greet, wb), inputs=None, outputs=[who])
    blocks.queue(default_concurrency_limit=None)
    # Events run at most this many at a time (Gradio's default, 40, leaves the rest waiting,
    # each completion re-announcing every waiting event's rank to its page).
    blocks.max_threads = blocks._queue.max_thread_count = EVENT_THREADS
    return blocks
