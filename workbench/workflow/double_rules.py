"""Double transcription's pure parts: per-project settings from ``guidelines/projects.toml``
and the agreement between two texts of the same audio (workflow/double.py uses them).

Agreement is a symmetric CER: the character edit distance between the two texts, each
normalised by ``drafts.scoring.normalise`` (Korean ignores spacing, zh and ja count
characters, en keeps single spaces between words), over the longer of the two, so it runs
from 0 (the same) to 1 (nothing shared) whichever text is called first. For the Korean dual
notation the pronunciation reading is compared, as gold does. Two empty texts (both no
speech, or both only tags) agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import jiwer

from workbench.drafts import scoring
from workbench.workflow.errors import Worded, message_id
from workbench.workflow.gold_rules import project_settings
from workbench.workflow.guidelines import spelling_and_pronunciation

MAX_SHARE = 0.5
DEFAULT_DISPUTE_CER = 0.15


class SpanNote(Worded):
    """Why a disputed span has no one segment to settle it on: a ``message_id`` template with
    its params, so the settler's page shows it in their language; ``text`` is the English."""


@dataclass(frozen=True)
class DoubleSettings:
    """A project's double transcription: ``share`` (the chance that a new ordinary task is
    transcribed twice, 0 to 0.5) and ``dispute_cer`` (above it, a reviewer settles the span)."""

    share: float = 0.0
    dispute_cer: float = DEFAULT_DISPUTE_CER


def double_settings(project: str) -> DoubleSettings:
    """``[double."<project>"]`` of ``guidelines/projects.toml`` (off for a project not listed).
    ProjectSettingsError for a malformed table."""
    return project_settings("double", project, DoubleSettings, {"share": MAX_SHARE, "dispute_cer": 1})


def agreement_cer(first: str, second: str, language: str, *, first_no_speech: bool = False,
                  second_no_speech: bool = False) -> float:
    """How far apart two texts of the same audio are (module docstring): 0.0 to 1.0.

    >>> agreement_cer("안녕하세요 여러분.", "안녕 하세요 여러분", "ko")
    0.0
    """
    if first_no_speech or second_no_speech:
        return 0.0 if first_no_speech == second_no_speech else 1.0
    a = scoring.normalise(spelling_and_pronunciation(first)[1], language)
    b = scoring.normalise(spelling_and_pronunciation(second)[1], language)
    if not a or not b:
        return 0.0 if a == b else 1.0
    edits = jiwer.process_characters(a, b)
    return (edits.substitutions + edits.deletions + edits.insertions) / max(len(a), len(b))


def span_text(segments, span: tuple[float, float], language: str) -> tuple[str, bool]:
    """The text of the live ``segments`` covering ``span`` (more than half of the shorter of
    the two), joined; and whether they are all marked no speech. Splitting or merging a span
    changes nothing."""
    covering = _covering(segments, span)
    joiner = "" if language in ("zh", "ja") else " "
    return joiner.join(s.text for s in covering if s.text), bool(covering) and all(s.no_speech for s in covering)


def _covering(segments, span: tuple[float, float]) -> list:
    """The ``segments`` covering more than half of the shorter of themselves and ``span``."""
    start, end = span
    return [s for s in segments
            if min(s.end_s, end) - max(s.start_s, start) > 0.5 * min(s.end_s - s.start_s, end - start)]


def settled_segment(segments, span: tuple[float, float]) -> tuple[object | None, SpanNote | None]:
    """The one live segment of the original task a settled ``span`` is written on, and None;
    or None and why there is none. A settlement is one text for one span: when the transcriber
    split the span (several segments over it) or merged it with a neighbour (one segment
    reaching past it), no single segment holds exactly that audio, and cutting the settled
    text in pieces would be a guess.

    >>> from types import SimpleNamespace as S
    >>> settled_segment([S(position=1, start_s=0.0, end_s=2.0)], (0.0, 2.0))[0].position
    1
    >>> settled_segment([S(position=1, start_s=0.0, end_s=1.0), S(position=2, start_s=1.0, end_s=2.0)], (0.0, 2.0))[1].text
    'the transcriber split this span into segments 1, 2'
    """
    covering = _covering(segments, span)
    if len(covering) == 1 and all(abs(a - b) < 1e-6 for a, b in zip(
            (covering[0].start_s, covering[0].end_s), span)):
        return covering[0], None
    if len(covering) > 1:
        return None, SpanNote(message_id("the transcriber split this span into segments {segments}"),
                              {"segments": ", ".join(str(s.position) for s in covering)})
    if covering:
        return None, SpanNote(message_id("the transcriber merged this span with a neighbour into segment {segment}"),
                              {"segment": str(covering[0].position)})
    return None, SpanNote(message_id("no segment of the original task covers this span any more"), {})
