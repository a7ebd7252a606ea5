"""Assembles the Gradio Blocks from the page modules; nothing else lives here.

Every page is rendered for everyone but starts hidden; on load the signed-in user's roles
decide which tabs appear. Hiding is only convenience: each handler is checked again by the
Workbench against the acting user.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import gradio as gr

from workbench.ui import admin, earnings, reviewer, transcriber
from workbench.ui.handlers.auth import PAGES, session_actor, visible_pages
from workbench.ui.wiring import bind

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench

PAGE_TITLES = {"transcribe": "Transcribe", "review": "Review", "admin": "Admin", "earnings": "My earnings"}
PAGE_RENDERERS = {
    "transcribe": transcriber.render,
    "review": reviewer.render,
    "admin": admin.render,
    "earnings": earnings.render,
}

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
"""
APP_CSS = SHELL_CSS + admin.CSS


def greeting_html(name: str, username: str) -> str:
    """The header's right-hand side: who is signed in, and the way out."""
    return (
        f'<div class="wb-who">Signed in as <strong>{escape(name)}</strong> ({escape(username)})'
        '<a href="/logout">Sign out</a></div>'
    )


def show_user_pages(wb: "Workbench", request: gr.Request) -> list:
    """On load: greet the user, show only their pages, and open the first of them."""
    actor = session_actor(wb, request.username)
    visible = visible_pages(actor)
    first = next((page for page in PAGES if visible[page]), None)
    return [greeting_html(actor.name, actor.username), gr.Tabs(selected=first)] + [
        gr.Tab(visible=visible[page]) for page in PAGES
    ]


def build_blocks(wb: "Workbench") -> gr.Blocks:
    """One Blocks app holding every page; ``render(wb)`` of each page module fills a tab."""
    # delete_cache: Gradio's copies of uploads and downloads go after an hour.
    with gr.Blocks(title="Speech data workbench", analytics_enabled=False, delete_cache=(3600, 3600)) as blocks:
        with gr.Row(elem_id="wb-header"):
            gr.Markdown("## Speech data workbench")
            who = gr.HTML()
        with gr.Tabs() as page_tabs:
            tabs = []
            for page in PAGES:
                with gr.Tab(PAGE_TITLES[page], id=page, visible=False) as tab:
                    PAGE_RENDERERS[page](wb)
                tabs.append(tab)

        blocks.load(bind(show_user_pages, wb), inputs=None, outputs=[who, page_tabs, *tabs])
    return blocks
