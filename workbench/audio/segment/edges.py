"""The last steps before writing: outside cues that refine the segments, then padding."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def pad_intervals(intervals: np.ndarray, *, padding: float, duration: float) -> np.ndarray:
    """Widen each interval by ``padding`` seconds each side, inside ``[0, duration]``.

    Where two neighbours are closer than twice the padding they meet half-way, so padded
    segments never overlap.

    Returns
    -------
    np.ndarray, shape (m, 2), seconds
    """
    if not len(intervals):
        return intervals.reshape(-1, 2)
    starts = intervals[:, 0] - padding
    ends = intervals[:, 1] + padding
    middles = (intervals[1:, 0] + intervals[:-1, 1]) / 2
    starts[1:] = np.maximum(starts[1:], middles)
    ends[:-1] = np.minimum(ends[:-1], middles)
    return np.stack([np.clip(starts, 0, duration), np.clip(ends, 0, duration)], axis=1)


# A cue refines segments with knowledge the level and the VAD do not have: it takes the
# speech intervals (m, 2, seconds, unpadded) and returns new ones (k, 2), usually the same
# with some split (or joined). The pipeline applies the cues it is given in order, after
# its own splitting and before padding. The machine draft's punctuation and word times are
# meant to come in here: a sentence end with a word gap is the strongest split cue there is.
Cue = Callable[[np.ndarray], np.ndarray]


def apply_cues(intervals: np.ndarray, cues: Sequence[Cue]) -> np.ndarray:
    """Run ``intervals`` through each cue in turn; each result must stay sorted and disjoint."""
    for cue in cues:
        refined = np.asarray(cue(intervals), dtype=np.float64).reshape(-1, 2)
        if len(refined) and (np.any(refined[:, 1] < refined[:, 0]) or np.any(refined[1:, 0] < refined[:-1, 1])):
            raise ValueError("a segmentation cue returned overlapping or reversed intervals")
        intervals = refined
    return intervals
