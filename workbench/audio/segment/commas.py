"""Pauses inside a sentence: the clip's own pause lengths tell a comma from a sentence gap.

A speaker pauses at commas for about the same time each time (a real Mandarin speaker:
0.27-0.30 s at every comma), and between sentences for longer and less regularly. A fixed
``min_pause`` cannot know this speaker's comma length; the clip's pause lengths can. When
many of the pauses the first pass cut at lie in one tight cluster (the comma mode), and
the pauses just longer than that cluster are few, the cluster's pauses are joined again:
cuts are kept only on the long mode. A sentence gap as short as a comma is merged with
it (a segment with two sentences is far less harm than a sentence in two segments).
"""

from __future__ import annotations

import numpy as np


def boundary_pauses(intervals: np.ndarray, quiet: np.ndarray, *, frame_seconds: float, longest: float = 5.0) -> np.ndarray:
    """Per boundary between neighbouring intervals, the pause there in seconds: the gap, or
    the run of ``quiet`` frames around the boundary when that is longer (a cut the level
    made inside one run of speech leaves no gap; the quiet run is the pause it cut at).
    A quiet run is followed at most ``longest`` seconds either way (an hour of silence
    between two segments is not walked frame by frame).

    Returns
    -------
    np.ndarray, shape (m - 1,), seconds
    """
    intervals = np.asarray(intervals, dtype=np.float64).reshape(-1, 2)
    out = np.zeros(max(len(intervals) - 1, 0))
    reach = round(longest / frame_seconds)
    for index, (end, start) in enumerate(zip(intervals[:-1, 1], intervals[1:, 0])):
        left, right = round(end / frame_seconds), round(start / frame_seconds)
        middle = min((left + right) // 2, quiet.size - 1)
        if middle >= 0 and quiet[middle]:
            low, high = middle, middle + 1
            while low > max(middle - reach, 0) and quiet[low - 1]:
                low -= 1
            while high < min(middle + reach, quiet.size) and quiet[high]:
                high += 1
            left, right = min(left, low), max(right, high)
        out[index] = (right - left) * frame_seconds
    return out


def comma_mode(pauses: np.ndarray, *, max_pause: float, width: float, min_count: int, min_share: float,
               max_above_share: float) -> float | None:
    """The longest pause of the clip's comma mode, or ``None`` when there is none.

    The mode is the largest set of pauses no longer than ``max_pause`` whose longest is at
    most ``1 + width`` times its shortest. It counts when it holds at least ``min_count``
    pauses and the next band up (as wide again, above its longest) holds at most
    ``max_above_share`` times as many: a tight cluster standing apart, not a slice of
    pauses spread evenly, as sentence gaps are.
    """
    short = np.sort(pauses[pauses <= max_pause])
    if short.size < min_count:
        return None
    # For each shortest pause, how many lie within the band above it.
    ends = np.searchsorted(short, short * (1 + width), side="right")
    counts = ends - np.arange(short.size)
    best = int(np.argmax(counts))
    if counts[best] < max(min_count, min_share * pauses.size):
        return None
    top = float(short[ends[best] - 1])
    above = np.count_nonzero((pauses > top) & (pauses <= top + top - short[best] + 0.05))
    return top if above <= max_above_share * counts[best] else None


def join_comma_pauses(intervals: np.ndarray, quiet: np.ndarray, *, frame_seconds: float, max_pause: float,
                      short_piece: float, width: float = 0.25, min_count: int = 6, min_share: float = 0.25,
                      max_above_share: float = 0.34, max_joined: float = 12.0) -> np.ndarray:
    """Join neighbours whose pause is in the clip's comma mode (``comma_mode``) when one of
    the two is shorter than ``short_piece`` seconds (a piece of a sentence, not a whole
    one), as long as the joined segment stays at most ``max_joined`` seconds.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds, k <= m
    """
    intervals = np.asarray(intervals, dtype=np.float64).reshape(-1, 2)
    if len(intervals) < 2:
        return intervals
    pauses = boundary_pauses(intervals, quiet, frame_seconds=frame_seconds)
    top = comma_mode(pauses, max_pause=max_pause, width=width, min_count=min_count, min_share=min_share,
                     max_above_share=max_above_share)
    if top is None:
        return intervals
    lengths = intervals[:, 1] - intervals[:, 0]
    out = [list(intervals[0])]
    for index, pause in enumerate(pauses):
        start, end = intervals[index + 1]
        short = min(lengths[index], lengths[index + 1]) < short_piece
        if pause <= top + 1e-9 and short and end - out[-1][0] <= max_joined:
            out[-1][1] = end
        else:
            out.append([start, end])
    return np.array(out, dtype=np.float64).reshape(-1, 2)
