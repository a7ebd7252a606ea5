"""The Gradio pages in the reader's language: the same catalogue (``ui/i18n``) as Gradio's
own ``gr.I18n``, and the language Gradio's front end should use.

Gradio translates a label marked ``tr("Clips")`` (a ``gr.I18nData``) in the browser, in the
locale its front end reads from ``navigator.language``, which also picks Gradio's own words
("Drop file here"...). ``language_script`` makes that locale the reader's language as the
server decides it (their choice, else their browser's), so a page never mixes two languages.
"""

from __future__ import annotations

import ast
import functools

import gradio as gr
from gradio.i18n import I18nData

from workbench.ui import i18n
from workbench.ui.language import language_of

# Gradio's front end names its simplified Chinese strings zh-CN.
GRADIO_LOCALES = {"ko": "ko", "en": "en", "zh": "zh-CN", "ja": "ja"}


def tr(message: str) -> I18nData:
    """``message`` as Gradio translates it in the browser (a label, a tab name, a button)."""
    return I18nData(message)


def gradio_messages() -> list[str]:
    """The messages the Gradio pages mark (the modules that import this ``tr``). Gradio's
    front end reads a marked label up to its first ``}``, so these have no placeholders."""
    pages = [path for path in i18n.UI_DIR.rglob("*.py") if imports_tr(path)]
    return sorted(i18n.marked_messages(pages))


def imports_tr(path) -> bool:
    """Whether the module at ``path`` imports this module's ``tr`` (whatever else beside it)."""
    return any(isinstance(node, ast.ImportFrom) and node.module == __name__ and any(a.name == "tr" for a in node.names)
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


@functools.cache
def translations() -> gr.I18n:
    """The Gradio pages' messages in every language, for ``gr.mount_gradio_app(i18n=...)``."""
    messages = gradio_messages()
    tables = {}
    for language, locale in GRADIO_LOCALES.items():
        tables[locale] = {message: i18n.translate(language, message) for message in messages}
    tables["zh"] = tables["zh-CN"]
    return gr.I18n(**tables)


def reader_language(actor, request: gr.Request) -> str:
    """The language of the Gradio page ``request`` came from, for ``actor``: as the light pages
    decide it (``language.language_of``). What a handler writes itself (a sentence, a table's
    headers) is translated on the server in it; Gradio's labels follow the same language."""
    return language_of(actor, request.cookies, request.headers)


def language_script(language: str) -> bytes:
    """A ``<script>`` for the page's ``<head>``: ``navigator.language`` reads ``language``."""
    locale = GRADIO_LOCALES.get(i18n.known(language) or i18n.DEFAULT, "en")  # one of four fixed strings
    return (
        "<script>(() => { const locale = \"" + locale + "\";"
        " for (const [name, value] of [[\"language\", locale], [\"languages\", [locale]]])"
        " Object.defineProperty(Navigator.prototype, name, { get: () => value, configurable: true }); })();"
        "</script>"
    ).encode()


def speaking(send, language: str):
    """A ``send`` that puts ``language_script`` at the top of an HTML page's ``<head>``
    (the page is held until its last chunk, then sent with its new length)."""
    state = {"start": None, "chunks": []}

    async def wrapped(message):
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            if b"text/html" not in headers.get(b"content-type", b"") or b"content-encoding" in headers:
                state["start"] = False
                return await send(message)
            state["start"] = message
            return None
        if message["type"] != "http.response.body" or state["start"] is False:
            return await send(message)
        state["chunks"].append(message.get("body", b""))
        if message.get("more_body", False):
            return None
        body = b"".join(state["chunks"]).replace(b"<head>", b"<head>" + language_script(language), 1)
        start = state["start"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return wrapped
