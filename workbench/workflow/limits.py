"""What a value typed or sent by a user may be, checked in one place for every surface.

The workflow calls these before it opens a transaction, so a bad value is refused with
``InvalidInput`` (a 422 on the web) and nothing is stored, whichever door it came through:
the JSON API, a Gradio handler or the CLI.

- Text: at most the field's limit in characters (below), and never a lone surrogate
  (it cannot be encoded as UTF-8) nor a control character other than tab, line feed and
  carriage return (NUL cannot be stored by PostgreSQL; SQLite would keep it silently).
- Ids and versions: whole numbers from 1 (0 for a version) to ``DB_INT_MAX``, the largest
  PostgreSQL ``INTEGER``; anything larger cannot name a row on either backend.
- Other numbers: finite (no NaN, no infinity).

>>> checked_text("네 맞아요.", "segment text", limit=SEGMENT_TEXT)
'네 맞아요.'
>>> checked_id(2**63, "task")
Traceback (most recent call last):
...
workbench.workflow.errors.InvalidInput: A task id is a whole number from 1 to 2147483647.
"""

from __future__ import annotations

import math
import re
from typing import Any

from workbench.languages import LANGUAGES
from workbench.workflow.errors import InvalidInput, Worded, message_id

# Limits in characters. Names and projects match their columns (String(200)); a username's
# shape is checked by people.py (2-64 letters, digits, '.', '_' or '-').
SEGMENT_TEXT = 2000  # a transcribed sentence, also a reviewer's correction
COMMENT = 2000  # a reviewer's return comment
REASON = 500  # why: no speech, a rejection, closing or reopening an account, releasing a task
NAME = 200  # a person's name, a bank account holder, a project
USERNAME = 64
PASSWORD = 1024  # hashing a longer one would only cost the server time

DB_INT_MAX = 2**31 - 1
NOT_TEXT = message_id("The {what} must be text.")
UNPAIRED = message_id("The {what} contains an unpaired surrogate character ({code}), which cannot be stored.")
CONTROL = message_id("The {what} contains a control character ({code}), which cannot be stored.")

# Lone surrogates and every C0/C1 control character except tab, line feed and carriage return.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def checked_text(value: Any, what: str | Worded, *, limit: int) -> str:
    """``value`` unchanged if it is text of at most ``limit`` characters with nothing
    unstorable in it, else ``InvalidInput`` naming ``what`` (the message never echoes the
    value: it may not even be encodable; ``refused_text``)."""
    if not isinstance(value, str):
        raise refused_text(NOT_TEXT, what)
    if len(value) > limit:
        raise too_long(what, len(value), limit)
    bad = _REFUSED.search(value)
    if bad is not None:
        surrogate = "\ud800" <= bad.group() <= "\udfff"
        raise refused_text(UNPAIRED if surrogate else CONTROL, what, code=f"U+{ord(bad.group()):04X}")
    return value


def too_long(what: str | Worded, length: int, limit: int) -> InvalidInput:
    return refused_text(message_id("The {what} is {length} characters long; at most {limit} are allowed."), what,
                        length=f"{length:,}", limit=f"{limit:,}")


def refused_text(template: str, what: str | Worded, **params: object) -> InvalidInput:
    """The refusal ``template`` of a field: worded, for the page to translate, when the
    field's name ``what`` is a ``Worded`` name (e.g. ``double.THIRD_TEXT``); plain English
    for a name given as English text."""
    if isinstance(what, Worded):
        return InvalidInput.worded(template, what=what, **params)
    return InvalidInput(template.format(what=what, **params))


def storable(value: Any, *, limit: int) -> bool:
    """Whether ``checked_text`` would accept ``value`` (for lookups that answer "not found")."""
    return isinstance(value, str) and len(value) <= limit and _REFUSED.search(value) is None


def checked_int(value: Any, what: str, *, low: int, high: int = DB_INT_MAX) -> int:
    """A whole number within ``low..high``; a float is accepted only when it is whole
    (Gradio's number boxes send floats), a bool never."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"The {what} is a whole number from {low} to {high}.")
    return value


def checked_id(value: Any, what: str) -> int:
    """A row id that can exist: 1..DB_INT_MAX. Checked before any query, because a larger
    one makes SQLite (beyond 2**63) and PostgreSQL (beyond 2**31) fail instead of answer."""
    try:
        return checked_int(value, f"{what} id", low=1)
    except InvalidInput:
        raise InvalidInput(f"A {what} id is a whole number from 1 to {DB_INT_MAX}.") from None


def checked_version(value: Any) -> int:
    return checked_int(value, "base version", low=0)


def checked_number(value: Any, what: str) -> float:
    """A finite float (NaN and infinity are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"The {what} must be a number.")
    try:
        value = float(value)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise InvalidInput(f"The {what} must be a finite number.")
    return value


def check_language(language: str) -> str:
    """``language`` if the workbench works in it, else ``InvalidInput``."""
    if language not in LANGUAGES:
        raise InvalidInput(f"Unknown language {language!r}; choose one of {', '.join(LANGUAGES)}.")
    return language


def required_text(text: str | None, missing: str | InvalidInput) -> str:
    """``text`` stripped, or ``InvalidInput(missing)`` (``missing`` itself when it is a
    worded refusal) when nothing is left."""
    text = (text or "").strip()
    if not text:
        raise missing if isinstance(missing, InvalidInput) else InvalidInput(missing)
    return text
