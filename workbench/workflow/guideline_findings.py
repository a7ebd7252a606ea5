"""The findings of one segment's text against its language's rules (``check_segments`` in
guidelines.py turns them into ``Problem``s with the project's severities).

Each message is a template marked with ``message_id`` (an English gettext id with
``{named}`` placeholders) and its params: the CLI and reports read the English, the task
pages translate the template in the reader's language (``ui/i18n.py`` extracts the marked
templates from this file). The params are plain text (tags, characters, figures)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from workbench.workflow.errors import message_id
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

_Finding = tuple[str, Severity, str, dict[str, str]]  # rule, severity, template, params


def _check_one(rules: RuleSet, segment: SegmentForCheck) -> list[_Finding]:
    text = segment.text
    if segment.no_speech:
        if text.strip():
            return [("no-speech-text", "warning",
                     message_id("marked as no speech but has text; the text will not be used"), {})]
        return []
    if not text.strip():
        return [("empty-text", "error",
                 message_id("no text: transcribe the speech or mark it as no speech"), {})]
    brackets = _bracket_findings(rules, text)
    findings = _tag_findings(rules, text) + brackets
    reading = _reading(rules, text)
    spoken = sum(char.isalnum() for char in reading)
    if spoken == 0:
        return findings + [("empty-text", "error", message_id("only tags and no words: transcribe the speech or mark it as no speech"), {})]
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
    return [("unknown-tag", "error", message_id("unknown tag {tag}; allowed tags: {allowed}"),
             {"tag": repr(tag), "allowed": allowed}) for tag in unknown]


def _bracket_findings(rules: RuleSet, text: str) -> list[_Finding]:
    rest = _BRACKET_TAG.sub(" ", _DUAL.sub(" ", text) if rules.dual_notation else text)
    stray = [char for char in rest if char in "()[]"]
    if not stray:
        return []
    if rules.dual_notation:
        return [("brackets", "error", message_id("brackets do not form a (spelling)/(pronunciation) pair: write e.g. (3시)/(세 시) with no space around the slash"), {})]
    return [("brackets", "error", message_id("stray bracket {bracket}: brackets are only used in tags"),
             {"bracket": repr(stray[0])})]


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
        template = _script_template(rules, kind)
        findings.append(("script", "error", template, {
            "chars": "".join(chars), "punctuation": " ".join(rules.punctuation),
            "language": rules.name, "script": _SCRIPT_NAMES.get(kind, kind)}))
    if not findings and not any(script_class(char) in rules.required for char in reading):
        wanted = " or ".join(_SCRIPT_NAMES[kind] for kind in sorted(rules.required))
        findings.append(("script", "error", message_id("{language} transcripts need {scripts}"),
                         {"language": rules.name, "scripts": wanted}))
    return findings


def _script_template(rules: RuleSet, kind: str) -> str:
    if kind == "digit" and rules.dual_notation:
        return message_id("characters not allowed here: {chars} (write numbers as spoken, or as (spelling)/(pronunciation), e.g. (3시)/(세 시))")
    if kind == "digit":
        return message_id("characters not allowed here: {chars} (write numbers as spoken)")
    if kind == "symbol":
        return message_id("characters not allowed here: {chars} (only the punctuation {punctuation} is used)")
    if rules.dual_notation and kind == "latin":
        return message_id("characters not allowed here: {chars} (write foreign words as (spelling)/(pronunciation), e.g. (KTX)/(케이티엑스))")
    if kind == "jamo":
        return message_id("characters not allowed here: {chars} (write whole syllables, and laughter as a tag)")
    return message_id("characters not allowed here: {chars} ({language} transcripts do not use {script})")


def _sentence_findings(rules: RuleSet, reading: str) -> list[_Finding]:
    for abbreviation in rules.abbreviations:
        reading = reading.replace(abbreviation, abbreviation.rstrip("."))
    marks = re.escape(rules.sentence_final_marks)
    match = re.search(f"[{marks}]+(?=.*\\w)", reading)
    if not match:
        return []
    return [("one-sentence", rules.one_sentence_severity,
             message_id("more text after {mark}: one sentence per segment; split the segment"),
             {"mark": repr(match[0])})]


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
    if rate > bounds.warn_above:
        template = message_id("{rate} characters per second is too fast for {duration} s (expected {low}–{high}): is there text that is not in this audio?")
    else:
        template = message_id("{rate} characters per second is too slow for {duration} s (expected {low}–{high}): is text missing, or is part of it not in this audio?")
    return [("chars-per-second", severity, template, {
        "rate": f"{rate:.1f}", "duration": f"{duration:.1f}",
        "low": f"{bounds.warn_below:g}", "high": f"{bounds.warn_above:g}"})]
