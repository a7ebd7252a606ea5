"""The findings of one segment's text against its language's rules (``check_segments`` in
guidelines.py turns them into ``Problem``s with the project's severities)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from workbench.workflow.guideline_text import (
    _BRACKET_TAG,
    _DUAL,
    _SCRIPT_NAMES,
    _SLASH_TAG,
    _normalise,
    _remove_tags,
    script_class,
    spelling_and_pronunciation,
)

if TYPE_CHECKING:
    from workbench.workflow.guidelines import RuleSet, SegmentForCheck

Severity = Literal["error", "warning"]

_Finding = tuple[str, Severity, str]


def _check_one(rules: RuleSet, segment: SegmentForCheck) -> list[_Finding]:
    text = segment.text
    if segment.no_speech:
        if text.strip():
            return [("no-speech-text", "warning",
                     "marked as no speech but has text; the text will not be used")]
        return []
    if not text.strip():
        return [("empty-text", "error", "no text: transcribe the speech or mark it as no speech")]
    brackets = _bracket_findings(rules, text)
    findings = _tag_findings(rules, text) + brackets
    reading = _reading(rules, text)
    spoken = sum(char.isalnum() for char in reading)
    if spoken == 0:
        return findings + [("empty-text", "error",
                            "only tags and no words: transcribe the speech or mark it as no speech")]
    # A broken (spelling)/(pronunciation) pair leaks its spelling into the reading; report
    # the pair, not the digits and Latin letters that leak with it.
    if not (brackets and rules.dual_notation):
        findings += _script_findings(rules, reading)
    findings += _sentence_findings(rules, reading)
    findings += _rate_findings(rules, spoken, segment.duration)
    return findings


def _reading(rules: RuleSet, text: str) -> str:
    """What the checks after tags and brackets look at: the spoken text."""
    if rules.dual_notation:
        return spelling_and_pronunciation(text)[1]
    return _normalise(_remove_tags(text))


def _tag_findings(rules: RuleSet, text: str) -> list[_Finding]:
    outside_pairs = _DUAL.sub(" ", text) if rules.dual_notation else text
    found = _SLASH_TAG.findall(outside_pairs) + _BRACKET_TAG.findall(outside_pairs)
    unknown = sorted(set(found) - rules.allowed_tags)
    if not unknown:
        return []
    allowed = " ".join(tag for tag, _ in rules.tags)
    return [("unknown-tag", "error", f"unknown tag {tag!r}; allowed tags: {allowed}")
            for tag in unknown]


def _bracket_findings(rules: RuleSet, text: str) -> list[_Finding]:
    rest = _BRACKET_TAG.sub(" ", _DUAL.sub(" ", text) if rules.dual_notation else text)
    stray = [char for char in rest if char in "()[]"]
    if not stray:
        return []
    if rules.dual_notation:
        message = ("brackets do not form a (spelling)/(pronunciation) pair: write e.g. "
                   "(3시)/(세 시) with no space around the slash")
    else:
        message = f"stray bracket {stray[0]!r}: brackets are only used in tags"
    return [("brackets", "error", message)]


def _script_findings(rules: RuleSet, reading: str) -> list[_Finding]:
    findings: list[_Finding] = []
    foreign: dict[str, list[str]] = {}
    for char in dict.fromkeys(reading):
        if char.isspace() or char in "()[]" or char in rules.punctuation:
            continue
        if char.isdigit() and char.isascii() and rules.digits_allowed:
            continue
        kind = script_class(char)
        if kind not in rules.letters:
            foreign.setdefault(kind or ("digit" if char.isdigit() else "symbol"), []).append(char)
    for kind, chars in foreign.items():
        findings.append(("script", "error", _script_message(rules, kind, "".join(chars))))
    if not findings and not any(script_class(char) in rules.required for char in reading):
        wanted = " or ".join(_SCRIPT_NAMES[kind] for kind in sorted(rules.required))
        findings.append(("script", "error", f"{rules.name} transcripts need {wanted}"))
    return findings


def _script_message(rules: RuleSet, kind: str, chars: str) -> str:
    if kind == "digit":
        advice = "write numbers as spoken"
        if rules.dual_notation:
            advice += ", or as (spelling)/(pronunciation), e.g. (3시)/(세 시)"
    elif kind == "symbol":
        advice = "only the punctuation " + " ".join(rules.punctuation) + " is used"
    elif rules.dual_notation and kind == "latin":
        advice = "write foreign words as (spelling)/(pronunciation), e.g. (KTX)/(케이티엑스)"
    elif kind == "jamo":
        advice = "write whole syllables, and laughter as a tag"
    else:
        advice = f"{rules.name} transcripts do not use {_SCRIPT_NAMES[kind]}"
    return f"characters not allowed here: {chars} ({advice})"


def _sentence_findings(rules: RuleSet, reading: str) -> list[_Finding]:
    for abbreviation in rules.abbreviations:
        reading = reading.replace(abbreviation, abbreviation.rstrip("."))
    marks = re.escape(rules.sentence_final_marks)
    match = re.search(f"[{marks}]+(?=.*\\w)", reading)
    if not match:
        return []
    return [("one-sentence", rules.one_sentence_severity,
             f"more text after {match[0]!r}: one sentence per segment; split the segment")]


def _rate_findings(rules: RuleSet, spoken: int, duration: float) -> list[_Finding]:
    bounds = rules.chars_per_second
    if duration < bounds.min_duration:
        return []
    rate = spoken / duration
    if rate < bounds.error_below or rate > bounds.error_above:
        severity: Severity = "error"
    elif rate < bounds.warn_below or rate > bounds.warn_above:
        severity = "warning"
    else:
        return []
    pace = "fast" if rate > bounds.warn_above else "slow"
    advice = ("is text missing, or is part of it not in this audio?" if pace == "slow"
              else "is there text that is not in this audio?")
    return [("chars-per-second", severity,
             f"{rate:.1f} characters per second is too {pace} for {duration:.1f} s "
             f"(expected {bounds.warn_below:g}–{bounds.warn_above:g}): {advice}")]
