"""Helpers the page modules share when wiring handlers into Gradio events."""

from __future__ import annotations

import functools
from typing import Any, Callable

import gradio as gr

from workbench.workflow.errors import WorkbenchError


def shows_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ``WorkbenchError`` (a message fit for the user) into a Gradio error toast.

    Other exceptions stay hidden from the user (the app runs with ``show_error=False``).
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WorkbenchError as error:
            raise gr.Error(str(error)) from error

    return wrapper
