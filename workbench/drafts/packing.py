"""Packing short segments into ~30 s windows, and giving each window's words back.

Whisper always looks at 30 s of audio, so drafting a 3 s segment alone costs about as much
as a full window. Packing several segments (with short silences between them) into one
window is several times cheaper; the words come back with window times and are given back to
the segment they end in (see ``assign_words``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.drafts.model import SAMPLE_RATE, DraftSegment, DraftWord

WINDOW_SECONDS = 29.5
"""A little under Whisper's 30 s, so rounding never spills a window into a second one."""
GAP_SECONDS = 0.5
END_TOLERANCE = 0.05
UNREAD_SECONDS = 1.0
"""A segment ending this much after a window's last word was not read (``unread``)."""


@dataclass(frozen=True)
class Placement:
    """Where one segment sits in a window, in seconds."""

    segment_id: str
    offset: float
    seconds: float

    @property
    def end(self) -> float:
        return self.offset + self.seconds


@dataclass(frozen=True, eq=False)
class Window:
    """Segments laid end to end with silence between: ``audio`` is float32, 16 kHz."""

    audio: np.ndarray
    placements: tuple[Placement, ...]


def pack_windows(segments: Sequence[DraftSegment], *, window_seconds: float = WINDOW_SECONDS,
                 gap_seconds: float = GAP_SECONDS) -> list[Window]:
    """Consecutive segments grouped into windows of at most ``window_seconds``, in order.

    A segment longer than a window gets a window of its own (the engine then reads it in
    several passes). ``window_seconds=0`` gives one window per segment.
    """
    gap = np.zeros(round(gap_seconds * SAMPLE_RATE), dtype=np.float32)
    windows: list[Window] = []
    for group in window_groups([segment.seconds for segment in segments], window_seconds=window_seconds,
                               gap_seconds=gap_seconds):
        parts, placements, offset = [], [], 0
        for index in group:
            segment = segments[index]
            if parts:
                parts.append(gap)
                offset += gap.size
            placements.append(Placement(segment.id, offset / SAMPLE_RATE, segment.seconds))
            parts.append(segment.audio)
            offset += segment.audio.size
        windows.append(Window(np.concatenate(parts), tuple(placements)))
    return windows


def window_groups(durations: Sequence[float], *, window_seconds: float = WINDOW_SECONDS,
                  gap_seconds: float = GAP_SECONDS) -> list[list[int]]:
    """The indexes of ``durations`` (seconds, in order) that ``pack_windows`` puts together.

    >>> window_groups([10, 10, 10, 40, 5], window_seconds=29.5, gap_seconds=0.5)
    [[0, 1], [2], [3], [4]]
    """
    groups: list[list[int]] = []
    length = 0.0
    for index, seconds in enumerate(durations):
        needed = seconds + (gap_seconds if groups and groups[-1] else 0.0)
        if not groups or (groups[-1] and length + needed > window_seconds):
            groups.append([])
            length, needed = 0.0, seconds
        groups[-1].append(index)
        length += needed
    return groups


def assign_words(words: Sequence[DraftWord], placements: Sequence[Placement]) -> dict[str, list[DraftWord]]:
    """Each window-timed word moved to its segment, with times made relative to that segment
    and clamped to it.

    A word belongs to the last segment that starts before the word ends. Whisper's word
    starts leak back into the silence before a word (a segment's first word may seem to
    start in the gap, or even at the end of the previous segment), while its ends are
    reliable, so the end decides; ``END_TOLERANCE`` keeps a word that only grazes the next
    segment with its own.
    """
    assigned: dict[str, list[DraftWord]] = {p.segment_id: [] for p in placements}
    for word in words:
        place = placements[0]
        for candidate in placements[1:]:
            if candidate.offset < word.end - END_TOLERANCE:
                place = candidate
        start = min(max(word.start - place.offset, 0.0), place.seconds)
        end = min(max(word.end - place.offset, start), place.seconds)
        assigned[place.segment_id].append(
            DraftWord(word.text, round(start, 3), round(end, 3), word.probability))
    return assigned


def unread(words: Sequence[DraftWord], placements: Sequence[Placement], *,
           tolerance: float = UNREAD_SECONDS) -> list[str]:
    """The segments of a window that the decoder stopped before: those ending more than
    ``tolerance`` seconds after the window's last word.

    Whisper sometimes ends its text early (often at a change of speaker), leaving the rest
    of the window unread; read again, in another window, those segments are heard. A window
    without any word was heard as silence as a whole, so nothing in it counts as unread.

    >>> lay = [Placement("a", 0.0, 5.0), Placement("b", 5.5, 4.0), Placement("c", 10.0, 3.0)]
    >>> unread([DraftWord("hi", 4.0, 4.8, 0.9)], lay)
    ['b', 'c']
    >>> unread([DraftWord("hi", 4.0, 4.8, 0.9), DraftWord("there", 9.0, 9.4, 0.9)], lay)
    ['c']
    >>> unread([], lay)
    []
    """
    if not words:
        return []
    last = max(word.end for word in words)
    return [place.segment_id for place in placements if place.end - last > tolerance]
