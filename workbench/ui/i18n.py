"""The pages in the reader's language: one gettext message catalogue, kept with Babel, for
the light pages (sign-in, queue, task pages), their JavaScript and the Gradio tabs.

A message is written where it is used, in English, and the English is its id (gettext's
way): ``tr("Sign in")`` in Python, ``tr("Sign in")`` in ``static/work``'s JavaScript
(``i18n.js``), ``{name}`` placeholders filled by keyword (``tr("Task {id}", id=7)``). The
translations are ``locale/<lang>/LC_MESSAGES/workbench.po``, compiled by Babel the first
time a language is used. English needs no file.

Adding a string: mark it with ``tr(...)``, run ``python -m workbench.ui.i18n`` (adds every
new message to each ``.po`` with an empty translation), fill in the ``msgstr`` of each;
``tests/test_ui_i18n.py`` fails while a language lacks one. Adding a language: add it to
``workbench.languages`` and ``NATIVE_NAMES``, copy a ``.po`` and translate it.

>>> translate("ko", "Sign in")
'로그인'
>>> known("zh-Hans-CN"), known("xx"), known("<script>")
('zh', None, None)
"""

from __future__ import annotations

import ast
import functools
import io
import json
import re
import sys
from html import escape
from pathlib import Path
from typing import Callable

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from workbench.languages import LANGUAGES

SOURCE = "en"  # the language the message ids are written in
DEFAULT = "en"  # for a reader whose browser asks for none of LANGUAGES
NATIVE_NAMES = {"ko": "한국어", "en": "English", "zh": "中文", "ja": "日本語"}
COOKIE = "wb_lang"  # an anonymous reader's choice (the login page's picker)
DOMAIN = "workbench"
LOCALE_DIR = Path(__file__).parent / "locale"
UI_DIR = Path(__file__).parent
JS_DIR = UI_DIR / "static" / "work"
# The workflow's messages a page shows translated, marked with ``message_id`` there.
WORKFLOW_FILES = tuple(UI_DIR.parent / "workflow" / name for name in (
    "guideline_findings.py", "draft_guidance.py", "double_rules.py", "double.py", "hearing.py", "reviewer_checks.py",
    "limits.py", "rows.py", "media.py"))
# A marked message: the call of tr (or message_id) with a plain string literal (either
# quotes) as its first argument. JavaScript is read with this; Python with ``ast``, so that
# a message written as adjacent literals over several lines counts as one.
MARKERS = ("tr", "message_id")
MARKED = re.compile(r"""\b(?:tr|message_id)\(\s*(?P<q>["'])(?P<text>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)\s*[,)]""")
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def known(code: object) -> str | None:
    """The interface language ``code`` names (``ko``, ``ko-KR``, ``zh_Hans``...), else None.
    Anything else, of any type or length, is simply not a language."""
    if not isinstance(code, str) or len(code) > 35 or not _TAG.match(code.strip()):
        return None
    primary = re.split(r"[-_]", code.strip())[0].lower()
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first interface language in an ``Accept-Language`` header, by its q weights."""
    wanted = []
    for order, part in enumerate((header or "")[:1000].split(",")[:40]):
        tag, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            wanted.append((-weight, order, tag))
    return next((code for *_, tag in sorted(wanted) if (code := known(tag))), None)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


@functools.cache
def _translations(language: str) -> Translations:
    """The language's catalogue compiled (``.po`` to ``.mo`` in memory) and loaded."""
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(language))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translate(language: str, message: str, /, **params: object) -> str:
    """``message`` in ``language`` (itself when untranslated), its ``{name}``s filled in."""
    untranslated = not message or language == SOURCE or known(language) != language  # gettext("") is the header
    text = message if untranslated else _translations(language).gettext(message)
    return text.format(**params) if params else text


def translator(language: str) -> Callable[..., str]:
    """``tr(message, **params)`` for one language: plain text."""
    return functools.partial(translate, language)


def language_names(language: str) -> dict[str, str]:
    """The working languages' names, by code, as a reader of ``language`` writes them."""
    tr = translator(language)
    return {"ko": tr("Korean"), "en": tr("English"), "zh": tr("Chinese"), "ja": tr("Japanese")}


def html_translator(language: str) -> Callable[..., str]:
    """``tr(message, **params)`` for one language, escaped for HTML (the filled-in values too)."""
    return lambda message, **params: escape(translate(language, message, **params))


# --- what the code marks ----------------------------------------------------------------

def source_files() -> list[Path]:
    """Every file whose ``tr(...)`` messages the catalogue holds: the ui package's Python,
    the task pages' JavaScript and the workflow's ``message_id`` templates."""
    return sorted([*UI_DIR.rglob("*.py"), *JS_DIR.glob("*.js"), *WORKFLOW_FILES])


def marked_messages(paths: list[Path] | None = None) -> dict[str, list[str]]:
    """Every marked message in ``paths`` (default: ``source_files``), with where it is."""
    found: dict[str, list[str]] = {}
    for path in paths if paths is not None else source_files():
        where = path.relative_to(UI_DIR) if path.is_relative_to(UI_DIR) else path
        for number, text in _python_marks(path) if path.suffix == ".py" else _script_marks(path):
            found.setdefault(text, []).append(f"{where}:{number}")
    return found


def _python_marks(path: Path) -> list[tuple[int, str]]:
    """``(line, message)`` of each ``tr("...")`` or ``message_id("...")`` call in a Python file
    whose first argument is a string literal (adjacent literals joined, as Python joins them)."""
    marks = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in MARKERS:
            marks.append((node.lineno, node.args[0].value))
    return sorted(marks)


def _script_marks(path: Path) -> list[tuple[int, str]]:
    return [(number, re.sub(r"\\(.)", r"\1", match["text"]))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            for match in MARKED.finditer(line)]


@functools.cache
def js_messages() -> frozenset[str]:
    return frozenset(marked_messages(sorted(JS_DIR.glob("*.js"))))


def page_strings(language: str) -> dict[str, str]:
    """The JavaScript's messages in ``language`` (none for English: the ids are the text)."""
    if known(language) != language or language == SOURCE:
        return {}
    return {message: translate(language, message) for message in sorted(js_messages())}


def strings_script(language: str) -> str:
    """The page's ``<script>`` putting ``page_strings`` where ``i18n.js`` reads them
    (``globalThis.wbStrings``); it runs before the page's modules. JSON is a JavaScript
    literal; with ``<`` escaped nothing in it can close the element."""
    data = json.dumps(page_strings(language), ensure_ascii=False).replace("<", "\\u003c")
    return f'<script id="wb-strings">globalThis.wbStrings = {data};</script>'


def update_catalogues() -> list[str]:
    """Add every newly marked message to each language's ``.po`` (untranslated) and drop
    messages no code marks any more; the languages changed."""
    marked = marked_messages()
    changed = []
    for language in LANGUAGES:
        if language == SOURCE:
            continue
        catalogue = read_catalogue(language)
        present = {message.id for message in catalogue if message.id}
        for message in sorted(set(marked) - present):
            catalogue.add(message, "")
        for message in present - set(marked):
            catalogue.delete(message)
        if set(marked) != present:
            with po_path(language).open("wb") as file:
                write_po(file, catalogue, width=0, omit_header=False, no_location=True)
            changed.append(language)
    return changed


if __name__ == "__main__":
    sys.stdout.write(f"updated: {', '.join(update_catalogues()) or 'nothing'}\n")
