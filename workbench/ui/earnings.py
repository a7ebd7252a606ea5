"""The earnings page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench


def render(wb: "Workbench") -> None:
    gr.Markdown("This page is being built.")
