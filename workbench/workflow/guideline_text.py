"""The written form of a guideline text: tags, the Korean ``(spelling)/(pronunciation)``
pairs, the spelling and pronunciation readings, and which script a character is in. Pure
string work, shared by the submit checks (guideline_findings.py), gold scoring and the draft
guidance; ``workflow.guidelines`` re-exports what callers use."""

from __future__ import annotations

import re
import unicodedata

SCRIPT_CLASSES = ("hangul", "latin", "han", "hiragana", "katakana")
_SCRIPT_NAMES = {
    "hangul": "Hangul",
    "jamo": "separate Hangul letters (jamo)",
    "latin": "Latin letters",
    "han": "Chinese characters",
    "hiragana": "hiragana",
    "katakana": "katakana",
}


def script_class(char: str) -> str | None:
    """The script class of one character (one of ``SCRIPT_CLASSES``, or ``"jamo"`` for
    Hangul letters outside syllables), or None for anything else (digits, symbols)."""
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3:
        return "hangul"
    if 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "jamo"
    if 0x3040 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF:
        return "katakana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or char in "々〇":
        return "han"
    if char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return None


_DUAL = re.compile(r"\(([^()]+)\)/\(([^()]+)\)")
# Tag candidates in both styles, known or not: "b/" at the start of a word, or "[noise]".
_SLASH_TAG = re.compile(r"(?<!\S)[A-Za-z]/")
_BRACKET_TAG = re.compile(r"\[[^\[\]()]*\]")
# "음/": the slash that marks a Korean filler word.
_FILLER_SLASH = re.compile(r"(?<=[가-힣])/(?=[\s.,?!]|$)")
_SPACES = re.compile(r"\s+")


def _remove_tags(text: str) -> str:
    return _BRACKET_TAG.sub(" ", _SLASH_TAG.sub(" ", text))


def tags_in(text: str) -> list[str]:
    """The tags written in ``text`` (``b/``, ``[noise]``), sorted: what gold scoring compares.

    >>> tags_in("b/ 네 [noise] l/")
    ['[noise]', 'b/', 'l/']
    """
    return sorted(_SLASH_TAG.findall(text) + _BRACKET_TAG.findall(text))


def dual_pairs(text: str) -> list[tuple[str, str]]:
    """The ``(spelling)/(pronunciation)`` pairs written in ``text``, in order.

    >>> dual_pairs("(3시)/(세 시)에 (KTX)/(케이티엑스)")
    [('3시', '세 시'), ('KTX', '케이티엑스')]
    """
    return [(spelling.strip(), spoken.strip()) for spelling, spoken in _DUAL.findall(text)]


def _clean_plain(text: str) -> str:
    """Text outside dual pairs without tags, filler slashes or repetition marks."""
    return _FILLER_SLASH.sub("", _remove_tags(text)).replace("+", "")


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々〇"
_FULL_WIDTH_MARKS = "，。！？、"
# Chinese and Japanese are written without spaces: the ones left where tags were go.
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}{_FULL_WIDTH_MARKS}]) (?=[{_CJK}{_FULL_WIDTH_MARKS}])"
                           f"|(?<=[{_FULL_WIDTH_MARKS}]) ")
_SPACE_BEFORE_MARK = re.compile(f" (?=[.,?!{_FULL_WIDTH_MARKS}])")


def _normalise(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_IN_CJK.sub("", _SPACE_BEFORE_MARK.sub("", text))


def spelling_and_pronunciation(text: str) -> tuple[str, str]:
    """The spelling and the pronunciation reading of a transcript, as the export writes them.

    Korean ``(철자)/(발음)`` pairs give their first half to the spelling reading and their
    second to the pronunciation reading; tags (``b/``, ``[noise]``), filler slashes
    (``음/``) and repetition marks (``+``) go, and whitespace is normalised. Text without
    that notation comes back the same twice, with its tags removed.

    >>> spelling_and_pronunciation("(KTX)/(케이티엑스) 타고 l/ 가요")
    ('KTX 타고 가요', '케이티엑스 타고 가요')
    >>> spelling_and_pronunciation("[laugh] I w- I want that.")
    ('I w- I want that.', 'I w- I want that.')
    """
    spelling: list[str] = []
    pronunciation: list[str] = []
    start = 0
    for match in _DUAL.finditer(text):
        plain = _clean_plain(text[start : match.start()])
        spelling += [plain, match[1].strip()]
        pronunciation += [plain, match[2].strip()]
        start = match.end()
    tail = _clean_plain(text[start:])
    return _normalise("".join(spelling) + tail), _normalise("".join(pronunciation) + tail)
