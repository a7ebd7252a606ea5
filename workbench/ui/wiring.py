"""Helpers the page modules share when wiring handlers into Gradio events."""

from __future__ import annotations

import functools
import inspect
import os
from pathlib import Path
from typing import Any, Callable

import gradio as gr
import pandas as pd

from workbench.languages import LANGUAGE_NAMES  # noqa: F401  (the pages import it from here)
from workbench.workflow.errors import WorkbenchError



def gradio_upload_folder() -> Path:
    """Where Gradio keeps uploads and the files it serves (``GRADIO_TEMP_DIR``)."""
    from gradio.utils import get_upload_folder

    return Path(os.path.realpath(get_upload_folder()))


def is_gradio_upload(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a file Gradio's upload route wrote: inside its upload folder
    (symbolic links resolved), and not one of its deep-link state files."""
    folder = gradio_upload_folder()
    real = Path(os.path.realpath(path))
    return real.is_relative_to(folder) and real != folder and not real.is_relative_to(folder / "deep_links")


def readable_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as people read them: ``won_per_minute`` becomes ``won per minute``."""
    return frame.rename(columns=lambda column: str(column).replace("_", " "))


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


def bind(fn: Callable[..., Any], *leading: Any) -> Callable[..., Any]:
    """``fn`` with its first arguments (usually the Workbench) fixed, as a Gradio event handler
    that shows ``WorkbenchError`` messages.

    Unlike ``functools.partial`` the result keeps ``fn``'s remaining signature and type hints,
    which Gradio reads to inject ``gr.Request`` and to count the inputs.
    """
    shown = shows_errors(fn)

    @functools.wraps(fn)
    def handler(*args: Any, **kwargs: Any) -> Any:
        return shown(*leading, *args, **kwargs)

    return _without_leading(handler, fn, len(leading))


def _without_leading(handler: Callable[..., Any], fn: Callable[..., Any], leading: int) -> Callable[..., Any]:
    """``handler`` given ``fn``'s signature less its first ``leading`` parameters."""
    parameters = list(inspect.signature(fn).parameters.values())[leading:]
    handler.__signature__ = inspect.Signature(parameters)
    # Only the remaining parameters' hints: the fixed ones (e.g. a "Workbench" imported for
    # type checking only) need not resolve at run time.
    handler.__annotations__ = {p.name: fn.__annotations__[p.name] for p in parameters if p.name in fn.__annotations__}
    return handler


def form_message(text: str, *, error: bool = False) -> dict:
    """The update of a form's message area: a success in plain words, or a refusal styled as one."""
    return gr.update(value=text, elem_classes=["wb-form-message", "wb-form-error" if error else "wb-form-done"])


def bind_form(fn: Callable[..., Any], *leading: Any, outputs: int) -> Callable[..., Any]:
    """``fn`` bound as ``bind`` does, for a form whose first output is its message area.

    ``fn`` returns its ``outputs`` values, the message first. A ``WorkbenchError`` does not
    become a toast over the page: its message goes to the message area (replacing any earlier
    success) and every other output keeps what it shows (``gr.skip()``), so an error never
    hides a table, a chart or the form's own inputs.
    """

    @functools.wraps(fn)
    def handler(*args: Any, **kwargs: Any) -> Any:
        try:
            first, *rest = fn(*leading, *args, **kwargs)
        except WorkbenchError as error:
            return (form_message(str(error), error=True), *[gr.skip()] * (outputs - 1))
        return (form_message(first), *rest)

    return _without_leading(handler, fn, len(leading))
