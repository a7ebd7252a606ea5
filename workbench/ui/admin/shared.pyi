"""What the admin tabs share: the one guard of their refresh handlers, the date picker, and the
empty-table note."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from html import escape
from typing import Any

import gradio as gr
from gradio.i18n import I18nData

from workbench.ui.handlers.auth import session_actor


def admin_only(refresh: Callable[..., Any]) -> Callable[..., Any]:
    """``refresh(wb, actor, *inputs)`` as the Gradio handler ``(wb, *inputs, request)`` of a
    tab that loads or polls by itself.

    The admin page is built for everyone and hidden from non-admins, so its load and tab
    events fire for them too: for anyone but an admin the handler changes nothing (one
    ``gr.skip()`` stands for all its outputs). Hiding is convenience; the Workbench refuses
    non-admins in every call, which is why the buttons' handlers need no guard.
    """
    parameters = list(inspect.signature(refresh).parameters.values())
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request)

    @functools.wraps(refresh)
    def handler(wb: Any, *args: Any, **kwargs: Any) -> Any:
        *inputs, request = (*args, *kwargs.values())
        actor = session_actor(wb, request.username)
        if not actor.is_admin:
            return gr.skip()
        return refresh(wb, actor, *inputs)

    handler.__signature__ = inspect.Signature([parameters[0], *parameters[2:], request])
    handler.__annotations__ = {**{p.name: refresh.__annotations__[p.name] for p in parameters[2:]
                                  if p.name in refresh.__annotations__}, "request": gr.Request}
    return handler


def empty_note(message: str) -> str:
    """What a table's place shows when it has no rows."""
    return f'<p class="wb-empty">{escape(message)}</p>'

from gradio.events import Dependency

class SeoulDateTime(gr.DateTime):
    """Gradio's date (and time) picker, its value handed to the handler as the text picked or
    typed: a Seoul wall-clock time that the pay service parses and checks.

    ``gr.DateTime`` itself turns ``now`` into the server's local time (not Seoul's) and
    answers a malformed ``now-…`` with an exception; here every text reaches the handler,
    whose refusal is shown beside the form.
    """

    def get_block_name(self) -> str:
        return "datetime"  # the front end of gr.DateTime

    def preprocess(self, payload: Any) -> Any:
        if isinstance(payload, str):
            return payload.strip() or None
        return payload
    from typing import Callable, Literal, Sequence, Any, TYPE_CHECKING
    from gradio.blocks import Block
    if TYPE_CHECKING:
        from gradio.components import Timer
        from gradio.components.base import Component


def seoul_picker(label: str | I18nData, *, include_time: bool = True, **options: Any) -> SeoulDateTime:
    """A date picker, or a date-and-time picker, read as Seoul time."""
    return SeoulDateTime(label=label, include_time=include_time, type="string", timezone="Asia/Seoul", **options)