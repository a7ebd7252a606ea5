"""Frame-level views of a clip: smoothed decisions, True runs, levels in dB, the local speech
level and masked percentiles. Everything here is per frame; ``pauses`` and ``drop`` turn it
into intervals."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d


def smooth_hysteresis(decisions: np.ndarray, *, window: int, on: float, off: float) -> np.ndarray:
    """Smooth per-frame speech decisions with a moving average and two thresholds.

    Parameters
    ----------
    decisions : np.ndarray of bool, shape (n_frames,)
    window : frames in the centred moving average.
    on : enter speech when the average reaches this share of speech frames.
    off : leave speech when the average falls to this share (``off < on``).

    Returns
    -------
    np.ndarray of bool, shape (n_frames,)
        A single stray frame neither starts nor ends speech.
    """
    if not 0.0 <= off < on <= 1.0:
        raise ValueError("need 0 <= off < on <= 1")
    # The moving average a block at a time (ndimage works on float64 copies of the whole
    # line otherwise: 35 MB at six hours). The sums of 0s and 1s are exact, so the blocks,
    # each with a window of neighbours either side, give the same shares.
    window, block = max(window, 1), 60_000
    is_above = np.empty(decisions.size, dtype=bool)
    is_below = np.empty(decisions.size, dtype=bool)
    for first in range(0, decisions.size, block):
        last = min(first + block, decisions.size)
        low, high = max(first - window, 0), min(last + window, decisions.size)
        share = uniform_filter1d(decisions[low:high].astype(np.float32), size=window, mode="constant")[first - low : last - low]
        is_above[first:last] = share >= on
        is_below[first:last] = share <= off
    # Only the crossings matter: walk the candidate transitions instead of every frame.
    # Speech starts where the share first reaches ``on`` after the last end, which is always
    # the first frame of a run above ``on`` (the end frame itself is at most ``off``); it ends
    # likewise at the first frame of a run at or below ``off``. The run starts are far fewer
    # than the frames (a six-hour clip has 2 million).
    above, below = _run_starts(is_above), _run_starts(is_below)
    del is_above, is_below
    out = np.zeros(decisions.size, dtype=bool)
    position = 0
    while position < decisions.size:
        starts = above[np.searchsorted(above, position) :]
        if not starts.size:
            break
        start = starts[0]
        ends = below[np.searchsorted(below, start) :]
        end = ends[0] if ends.size else decisions.size
        out[start:end] = True
        position = end
    return out


def _run_starts(mask: np.ndarray) -> np.ndarray:
    """Indices where a run of True begins in a 1-D bool array."""
    starts = mask.copy()
    starts[1:] &= ~mask[:-1]
    return np.flatnonzero(starts)


def total_seconds(intervals: np.ndarray) -> float:
    """The summed length of ``(m, 2)`` intervals in seconds."""
    return float(np.sum(np.diff(np.asarray(intervals, dtype=np.float64).reshape(-1, 2), axis=1)))


def runs(mask: np.ndarray) -> np.ndarray:
    """``[start, end)`` index pairs of the True runs in a 1-D bool array, shape (m, 2)."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges.reshape(-1, 2)


def frame_powers(audio: np.ndarray, frame: int) -> np.ndarray:
    """Mean power of consecutive ``frame``-sample frames (linear, full scale = 1), shape
    (n_samples // frame,); a trailing partial frame is left out."""
    n_frames = audio.size // frame
    powers = np.empty(n_frames)
    # About ten seconds at a time: einsum works on float64 copies of the block.
    per_block = max(1, 160_000 // frame)
    for first in range(0, n_frames, per_block):
        block = audio[first * frame : min(first + per_block, n_frames) * frame].reshape(-1, frame)
        powers[first : first + block.shape[0]] = np.einsum("ij,ij->i", block, block, dtype=np.float64) / frame
    return powers


def frame_levels_db(audio: np.ndarray, sample_rate: int, *, frame_seconds: float = 0.01) -> np.ndarray:
    """Mean power of consecutive frames in dB (full scale = 0), shape (n_samples // frame,)."""
    levels = frame_powers(audio, int(round(frame_seconds * sample_rate)))
    # In place: on a six-hour clip each temporary would be another 17 MB.
    levels += 1e-12
    np.log10(levels, out=levels)
    levels *= 10
    return levels


def local_speech_db(levels_db: np.ndarray, *, frame_seconds: float, window: float = 3.0, smooth: float = 0.05) -> np.ndarray:
    """The level of the loudest speech near each frame: the maximum, over ``window``
    seconds centred on the frame, of the level smoothed over ``smooth`` seconds (so one
    loud click does not count). Shape and units as ``levels_db``.

    A pause is judged against this rather than only against the clip's noise floor: a
    quiet speaker's soft syllables sit well above the floor yet far below a loud one's,
    and music or babble filling a gap sits far below the speech around it.
    """
    # One array, transformed in place (the filters may write over their input): on a
    # six-hour clip every temporary of this shape is another 17 MB.
    level = levels_db / 10
    np.power(10, level, out=level)
    uniform_filter1d(level, size=max(1, round(smooth / frame_seconds)), mode="nearest", output=level)
    level += 1e-12
    np.log10(level, out=level)
    level *= 10
    return maximum_filter1d(level, size=max(1, round(window / frame_seconds)) | 1, mode="nearest", output=level)


# The most ``detector_gain`` lifts a clip: a clip of dither alone is not made loud.
MAX_DETECTOR_LIFT_DB = 40.0


def loud_level_db(levels_db: np.ndarray) -> float:
    """A clip's loud level from its frame levels (dBFS): the level whose louder frames hold
    half the clip's energy. Speech dominates it however little of the clip it fills (a
    percentile of the frames would fall into the silence of a clip that is mostly silent),
    and a few knocks do not."""
    order = np.sort(levels_db)[::-1]
    energy = np.cumsum(np.power(10.0, order / 10))
    return float(order[np.searchsorted(energy, energy[-1] / 2)])


def detector_gain(levels_db: np.ndarray, target_db: float) -> float:
    """The gain (a factor) that lifts a clip whose loud level (``loud_level_db`` of its
    frame levels ``levels_db``) lies under ``target_db`` to it, for detectors whose
    thresholds are absolute (webrtcvad, Silero's model): the pipeline's
    ``detector_level_db``. A louder clip is heard as recorded. At most
    ``MAX_DETECTOR_LIFT_DB``, and never so much that the loudest frame passes full scale.
    1.0 for a target of 0 (off) or no frames."""
    if target_db == 0 or levels_db.size == 0:
        return 1.0
    gain_db = min(max(target_db - loud_level_db(levels_db), 0.0), MAX_DETECTOR_LIFT_DB, -float(levels_db.max()))
    return float(10 ** (gain_db / 20))


# ``low_band_db``'s bands: webrtcvad leans on the voice's fundamental (its lowest sub-band is
# 80-250 Hz); a telephone line passes 300-3400 Hz.
LOW_BAND_HZ = (80.0, 250.0)
VOICE_BAND_HZ = (300.0, 3400.0)


def low_band_db(audio: np.ndarray, sample_rate: int, *, frame: int = 512, max_frames: int = 2000) -> float:
    """How far the clip's power in ``LOW_BAND_HZ`` lies under its power in ``VOICE_BAND_HZ``,
    in dB (negative: under). The benchmark's full-band clips, noise or not, give -2.5 to
    -14.1 dB; the same clips through a telephone line (300-3400 Hz) -18.9 to -29.9.

    Read from at most ``max_frames`` Hann-windowed frames of ``frame`` samples spread evenly
    over the clip (a band ratio settles long before that: a tenth of the frames moves it by
    under 1 dB), so it costs the same for a minute and for six hours. 0.0 for a clip shorter
    than one frame or silent in both bands."""
    usable = audio.size // frame
    if usable == 0:
        return 0.0
    frames = audio[: usable * frame].reshape(usable, frame)[:: max(1, -(-usable // max_frames))]
    power = (np.abs(np.fft.rfft(frames * np.hanning(frame).astype(np.float32), axis=1)) ** 2).sum(axis=0)
    freqs = np.fft.rfftfreq(frame, 1 / sample_rate)

    def band(edges: tuple[float, float]) -> float:
        return float(power[(freqs >= edges[0]) & (freqs < edges[1])].sum())

    tiny = 1e-20
    return 10 * float(np.log10((band(LOW_BAND_HZ) + tiny) / (band(VOICE_BAND_HZ) + tiny)))


def selected_percentile(values: np.ndarray, mask: np.ndarray, q: float) -> float:
    """``np.percentile(values[mask], q)`` (linear interpolation), the same number, without a
    copy of every selected value (17 MB for a six-hour clip's frame levels).
    ``mask`` must select at least one finite value."""
    count = int(np.count_nonzero(mask))
    virtual = (count - 1) * np.true_divide(q, 100)
    rank = int(np.floor(virtual))
    a, b = _order_statistics(values, mask, rank, min(rank + 1, count - 1))
    # numpy's linear interpolation, step for step, so the result is the same to the bit.
    gamma = np.asanyarray(virtual - rank)
    difference = np.subtract(b, a)
    result = np.add(a, difference * gamma)
    if gamma >= 0.5:
        result = np.subtract(b, difference * (1 - gamma))
    return float(result)


def selected_median(values: np.ndarray, mask: np.ndarray) -> float:
    """``np.median(values[mask])``, the same number, without the copy (see ``selected_percentile``)."""
    count = int(np.count_nonzero(mask))
    a, b = _order_statistics(values, mask, (count - 1) // 2, count // 2)
    return float(np.mean(np.array([a, b]))) if count % 2 == 0 else float(a)


def _order_statistics(values: np.ndarray, mask: np.ndarray, first_rank: int, second_rank: int, *,
                      bins: int = 1024, block: int = 60_000) -> tuple[np.float64, np.float64]:
    """The selected values of ranks ``first_rank <= second_rank`` (0 = smallest).

    A histogram of the selected values, built a block at a time, finds the range that holds
    both ranks; only the values in that range are copied and sorted.
    """
    low, high = float(values.min()), float(values.max())
    if low == high:
        return np.float64(low), np.float64(low)
    edges = np.linspace(low, high, bins + 1)
    counts = np.zeros(bins, dtype=np.int64)
    for first in range(0, values.size, block):
        counts += np.histogram(values[first : first + block][mask[first : first + block]], bins=edges)[0]
    cumulative = np.cumsum(counts)
    # Widened by a bin each way, so rounding at a bin edge cannot leave a rank outside.
    start = max(int(np.searchsorted(cumulative, first_rank, side="right")) - 1, 0)
    stop = min(int(np.searchsorted(cumulative, second_rank, side="right")) + 2, bins)
    lower, upper = edges[start], edges[stop]
    below, inside = 0, []
    for first in range(0, values.size, block):
        chosen = values[first : first + block][mask[first : first + block]]
        below += int(np.count_nonzero(chosen < lower))
        inside.append(chosen[(chosen >= lower) & (chosen <= upper)])
    near = np.sort(np.concatenate(inside))
    if not (below <= first_rank and second_rank - below < near.size):  # never seen; be safe
        near, below = np.sort(values[mask]), 0
    return near[first_rank - below], near[second_rank - below]


def frame_mask(intervals: np.ndarray, n_frames: int, *, frame_seconds: float) -> np.ndarray:
    """Bool per frame: inside any of the ``intervals`` (seconds), shape (n_frames,)."""
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in np.asarray(intervals).reshape(-1, 2):
        mask[int(round(start / frame_seconds)) : int(round(end / frame_seconds))] = True
    return mask
