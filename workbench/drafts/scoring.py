"""How far a draft is from the accepted text: character (and word) error rates per language.

Both texts are normalised the same way before scoring: Unicode NFKC, lower case,
punctuation removed. Korean CER ignores spacing (Korean spacing is itself often what a
transcriber corrects, and a spacing slip is not a misheard syllable), and Chinese and
Japanese have no spaces to count, so for ``ko``, ``zh`` and ``ja`` all whitespace is
removed before counting characters. English CER counts the single spaces between words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import jiwer

UNSPACED = frozenset({"ko", "zh", "ja"})


def normalise(text: str, language: str) -> str:
    """``text`` as scored: NFKC, lower case, no punctuation; no spaces for ko/zh/ja.

    >>> normalise("안녕하세요, 여러분!", "ko")
    '안녕하세요여러분'
    >>> normalise("Ill-disposed, he said.", "en")
    'ill disposed he said'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return "".join(text.split()) if language in UNSPACED else " ".join(text.split())


def cer(references: Sequence[str], hypotheses: Sequence[str], language: str) -> float:
    """Character errors over reference characters, pooled over all pairs (after ``normalise``).

    A pair whose reference is empty after normalising has no rate and is left out (jiwer
    cannot score it); raises ``ValueError`` when no pair is left.
    """
    refs, hyps = _pairs(references, hypotheses, language)
    return jiwer.cer(refs, hyps)


def wer(references: Sequence[str], hypotheses: Sequence[str], language: str) -> float:
    """Word errors over reference words, for languages written with spaces between words."""
    if language in UNSPACED:
        raise ValueError(f"WER is not defined here for {language}; use CER")
    refs, hyps = _pairs(references, hypotheses, language)
    return jiwer.wer(refs, hyps)


def _pairs(references: Sequence[str], hypotheses: Sequence[str], language: str) -> tuple[list[str], list[str]]:
    if len(references) != len(hypotheses):
        raise ValueError("as many hypotheses as references are needed")
    pairs = [(normalise(r, language), normalise(h, language)) for r, h in zip(references, hypotheses)]
    kept = [(r, h) for r, h in pairs if r]
    if not kept:
        raise ValueError("no reference has any characters to score")
    return [r for r, _ in kept], [h for _, h in kept]
