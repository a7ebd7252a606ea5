"""From frame decisions to one-sentence segments.

The steps, in the order the pipeline runs them: smooth the webrtcvad decisions with
hysteresis, join speech separated by less than a pause, split again where the level itself
shows a long enough pause, drop isolated bursts that have no voiced (periodic, non-tonal)
sound, split over-long segments at their quietest point, and pad the edges without
overlapping neighbours. Intervals are ``(m, 2)`` float arrays of
``[start, end)`` seconds, sorted and non-overlapping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

VOICING_FRAME = 512
PITCH_RANGE_HZ = (70.0, 400.0)


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


def runs(mask: np.ndarray) -> np.ndarray:
    """``[start, end)`` index pairs of the True runs in a 1-D bool array, shape (m, 2)."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges.reshape(-1, 2)


def speech_intervals(mask: np.ndarray, *, frame_seconds: float, min_pause: float) -> np.ndarray:
    """Speech runs of a frame mask as seconds, joined across pauses shorter than ``min_pause``.

    Returns
    -------
    np.ndarray, shape (m, 2), seconds
    """
    spans = runs(mask).astype(np.float64) * frame_seconds
    if len(spans) < 2:
        return spans
    gaps = spans[1:, 0] - spans[:-1, 1]
    split_after = np.flatnonzero(gaps >= min_pause - 1e-9)
    starts = np.concatenate([[0], split_after + 1])
    ends = np.concatenate([split_after, [len(spans) - 1]])
    return np.stack([spans[starts, 0], spans[ends, 1]], axis=1)


def join_unheard_pauses(intervals: np.ndarray, quiet: np.ndarray, *, frame_seconds: float, min_share: float) -> np.ndarray:
    """Join neighbouring intervals whose gap the level does not confirm as a pause.

    webrtcvad reports gaps of a third of a second inside continuous speech (weak,
    unvoiced or low-pitched stretches, most of all at low SNR); the level there stays up.
    A gap is kept only when at least ``min_share`` of its frames are ``quiet`` (one bool
    per frame of ``frame_seconds``, from ``pause_threshold_db``): the VAD and the level
    must agree before a cut.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds, k <= m
    """
    if len(intervals) < 2:
        return intervals.reshape(-1, 2)
    out = [list(intervals[0])]
    for start, end in intervals[1:]:
        first, last = int(round(out[-1][1] / frame_seconds)), int(round(start / frame_seconds))
        gap = quiet[first:last]
        if gap.size and gap.mean() >= min_share:
            out.append([start, end])
        else:
            out[-1][1] = end
    return np.array(out, dtype=np.float64).reshape(-1, 2)


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


def pause_threshold_db(levels_db: np.ndarray, *, frame_seconds: float, floor_db: float, margin_db: float, below_speech_db: float) -> np.ndarray:
    """Per frame, the level under which the frame counts as part of a pause.

    Quiet means within ``margin_db`` of the noise floor, or at least ``below_speech_db``
    under the local speech level (``local_speech_db``), whichever threshold is higher. The
    second one finds the gaps that music or babble fill (far under the speech around them,
    far over the floor of the clip's quietest stretches).
    """
    threshold = local_speech_db(levels_db, frame_seconds=frame_seconds)
    threshold -= below_speech_db
    return np.maximum(threshold, floor_db + margin_db, out=threshold)


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


def quiet_frames(levels_db: np.ndarray, *, frame_seconds: float, floor_db: float, margin_db: float, below_speech_db: float,
                 block: int = 60_000) -> np.ndarray:
    """Bool per frame: below its ``pause_threshold_db``; what ``split_at_quiet`` and
    ``join_unheard_pauses`` look at.

    Computed ``block`` frames at a time, each with enough neighbours on both sides for the
    local speech level's filters, so the only frame-length array is the result (a
    six-hour clip's threshold alone would be 17 MB, and the filters need three more).
    """
    # The local speech level looks 1.5 s (plus its smoothing) either side; twice that is ample.
    context = 2 * int(round(3.0 / frame_seconds)) + 10
    quiet = np.empty(levels_db.size, dtype=bool)
    for first in range(0, levels_db.size, block):
        last = min(first + block, levels_db.size)
        low, high = max(first - context, 0), min(last + context, levels_db.size)
        part = levels_db[low:high]
        threshold = pause_threshold_db(part, frame_seconds=frame_seconds, floor_db=floor_db, margin_db=margin_db,
                                       below_speech_db=below_speech_db)
        quiet[first:last] = part[first - low : last - low] < threshold[first - low : last - low]
    return quiet


def split_at_quiet(intervals: np.ndarray, levels_db: np.ndarray, *, frame_seconds: float, threshold_db: float | np.ndarray, min_pause: float) -> np.ndarray:
    """Split intervals inside stretches quieter than ``threshold_db`` lasting ``min_pause``.

    webrtcvad hangs on after a sentence's last syllable, so the gap it reports between two
    sentences is up to a tenth of a second shorter than the silence; a pause inside a
    sentence (a comma) is not shortened that way. Measuring the quiet on the level
    itself recovers the sentence gaps that the VAD shrank below ``min_pause``. Cuts fall
    in the middle of the quiet stretch.

    Parameters
    ----------
    intervals : (m, 2) seconds
    levels_db : per-frame level from ``frame_levels_db``
    threshold_db : a frame below this is quiet: one level for the clip, or one per frame
        (``pause_threshold_db``).

    Returns
    -------
    np.ndarray, shape (k, 2), seconds, k >= m
    """
    quiet = levels_db < np.broadcast_to(threshold_db, levels_db.shape)
    return split_at_quiet_frames(intervals, quiet, frame_seconds=frame_seconds, min_pause=min_pause)


def split_at_quiet_frames(intervals: np.ndarray, quiet: np.ndarray, *, frame_seconds: float, min_pause: float) -> np.ndarray:
    """``split_at_quiet`` given the quiet frames (one bool per frame, e.g. from ``quiet_frames``)."""
    min_frames = int(round(min_pause / frame_seconds))
    out: list[tuple[float, float]] = []
    for start, end in intervals:
        first, last = int(round(start / frame_seconds)), int(round(end / frame_seconds))
        cuts = [
            (first + (a + b) / 2) * frame_seconds
            for a, b in runs(quiet[first:last])
            if a > 0 and b < last - first and b - a >= min_frames
        ]
        points = [start, *cuts, end]
        out += list(zip(points[:-1], points[1:]))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def drop_background(intervals: np.ndarray, levels_db: np.ndarray, *, frame_seconds: float, below_speech_db: float) -> tuple[np.ndarray, np.ndarray]:
    """Separate speech from background: intervals whose loud frames (their 90th percentile
    level) lie more than ``below_speech_db`` under the clip's speech level (the 90th
    percentile level of all frames inside the intervals) are music or distant talk, not the
    speakers being recorded, who sit within a few dB of each other.

    Returns
    -------
    (kept, dropped) : arrays of shape (k, 2) and (m - k, 2), seconds
    """
    if not len(intervals):
        return intervals.reshape(-1, 2), intervals.reshape(-1, 2)
    inside = frame_mask(intervals, levels_db.size, frame_seconds=frame_seconds)
    if not inside.any():
        return intervals.reshape(-1, 2), np.zeros((0, 2))
    speech_db = selected_percentile(levels_db, inside, 90)
    loud = np.array([
        np.percentile(levels_db[int(round(a / frame_seconds)) : max(int(round(b / frame_seconds)), int(round(a / frame_seconds)) + 1)], 90)
        for a, b in intervals
    ])
    keep = loud >= speech_db - below_speech_db
    return intervals[keep].reshape(-1, 2), intervals[~keep].reshape(-1, 2)


def voiced_seconds(audio: np.ndarray, sample_rate: int, *, threshold: float = 0.5, max_peak_share: float = 0.7) -> float:
    """Seconds of voiced sound: frames periodic at a pitch of 70–400 Hz and not a pure tone.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,)
    threshold : normalised autocorrelation a frame needs at its pitch lag.
    max_peak_share : frames whose strongest spectral peak (±2 bins) holds more than this
        share of the frame's power are tones (beeps, hum, a knock's ring), not voice.

    Returns
    -------
    float, seconds (frames of 512 samples, back to back)
    """
    hop = VOICING_FRAME
    if audio.size < VOICING_FRAME:
        return 0.0
    emphasised = np.append(audio[0], audio[1:] - 0.95 * audio[:-1])
    window = np.hanning(VOICING_FRAME)
    frames = np.lib.stride_tricks.sliding_window_view(emphasised, VOICING_FRAME)[::hop] * window
    spectrum = np.fft.rfft(frames, n=2 * VOICING_FRAME, axis=1)
    power = np.abs(spectrum) ** 2
    low, high = int(sample_rate / PITCH_RANGE_HZ[1]), min(int(sample_rate / PITCH_RANGE_HZ[0]), VOICING_FRAME // 2)
    autocorr = np.fft.irfft(power, axis=1)[:, :high]
    # Dividing by the window's own autocorrelation undoes its taper at long lags (low pitch).
    window_autocorr = np.correlate(window, window, mode="full")[VOICING_FRAME - 1 : VOICING_FRAME - 1 + high]
    normalised = autocorr / (autocorr[:, :1] + 1e-12) / (window_autocorr / window_autocorr[0])
    periodicity = normalised[:, low:high].max(axis=1)
    peak = power.argmax(axis=1)
    cumulative = np.concatenate([np.zeros((len(power), 1)), np.cumsum(power, axis=1)], axis=1)
    rows = np.arange(len(power))
    lo, hi = np.clip(peak - 2, 0, None), np.clip(peak + 3, None, power.shape[1])
    peak_share = (cumulative[rows, hi] - cumulative[rows, lo]) / (cumulative[:, -1] + 1e-12)
    voiced = (periodicity >= threshold) & (peak_share <= max_peak_share)
    return float(voiced.sum() * hop / sample_rate)


def drop_bursts(intervals: np.ndarray, audio: np.ndarray, sample_rate: int, *, min_voiced: float) -> tuple[np.ndarray, np.ndarray]:
    """Separate intervals with at least ``min_voiced`` seconds of voice from bursts without.

    Knocks, clicks, beeps and coughs trip webrtcvad but carry little periodic, non-tonal
    sound, so alone they do not make a segment.

    Returns
    -------
    (kept, dropped) : two arrays of shape (k, 2) and (m - k, 2), seconds
    """
    keep = np.array([_has_voice(audio, sample_rate, start, end, min_voiced) for start, end in intervals], dtype=bool)
    return intervals[keep].reshape(-1, 2), intervals[~keep].reshape(-1, 2)


def _has_voice(audio: np.ndarray, sample_rate: int, start: float, end: float, min_voiced: float) -> bool:
    """Whether ``[start, end)`` holds ``min_voiced`` seconds of voice.

    Looked at 16 voicing frames (about half a second) at a time, stopping once enough is
    found: a sentence usually shows it within its first half second, and a long interval
    never needs a frame matrix of its whole length. Pieces are whole frames, so the frames
    are those of one pass over the interval.
    """
    first, last = int(start * sample_rate), int(end * sample_rate)
    found, step = 0.0, 16 * VOICING_FRAME
    for piece in range(first, last, step):
        found += voiced_seconds(audio[piece : min(piece + step, last)], sample_rate)
        if found >= min_voiced:
            return True
    return False


def split_long(intervals: np.ndarray, audio: np.ndarray, sample_rate: int, *, max_seconds: float, min_piece: float = 1.0) -> np.ndarray:
    """Split intervals longer than ``max_seconds`` at their quietest point, repeatedly.

    The quietest point is the minimum of the 100 ms moving RMS within the first
    ``max_seconds``, at least ``min_piece`` seconds from either end; the rest is split
    again. Only ``max_seconds`` of audio is examined at a time, however long the interval.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds, every interval at most ``max_seconds`` long
    """
    if max_seconds <= 2 * min_piece:
        raise ValueError("max_seconds must exceed twice min_piece")
    out: list[tuple[float, float]] = []
    pending = [tuple(row) for row in intervals[::-1]]
    smooth = int(0.1 * sample_rate)
    while pending:
        start, end = pending.pop()
        if end - start <= max_seconds:
            out.append((start, end))
            continue
        first, last = int((start + min_piece) * sample_rate), int((min(end - min_piece, start + max_seconds)) * sample_rate)
        piece = audio[first:last].astype(np.float64)
        local_power = uniform_filter1d(piece**2, size=smooth, mode="nearest")
        at = start + min_piece + int(np.argmin(local_power)) / sample_rate
        pending += [(at, end), (start, at)]
    return np.array(out, dtype=np.float64).reshape(-1, 2)


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


def frame_mask(intervals: np.ndarray, n_frames: int, *, frame_seconds: float) -> np.ndarray:
    """Bool per frame: inside any of the ``intervals`` (seconds), shape (n_frames,)."""
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in np.asarray(intervals).reshape(-1, 2):
        mask[int(round(start / frame_seconds)) : int(round(end / frame_seconds))] = True
    return mask


def noise_intervals(decisions: np.ndarray, *, frame_seconds: float, exclude: np.ndarray, guard: float = 0.1) -> np.ndarray:
    """Stretches with no speech at all: the frames webrtcvad called non-speech, minus
    ``guard`` seconds around any speech frame and minus the ``exclude`` intervals (segments
    and dropped bursts), so the noise profile holds neither voice nor knocks.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds
    """
    guard_frames = int(round(guard / frame_seconds))
    # Every speech run widened by the guard (clipped to the clip), marked off run by run:
    # no frame-length temporaries beyond the one mask.
    quiet = np.ones(decisions.size, dtype=bool)
    for start, end in runs(decisions):
        quiet[max(start - guard_frames, 0) : end + guard_frames] = False
    for start, end in np.asarray(exclude).reshape(-1, 2):
        quiet[int(start / frame_seconds) : int(np.ceil(end / frame_seconds))] = False
    return runs(quiet).astype(np.float64) * frame_seconds


def split_long_at_local_pauses(intervals: np.ndarray, levels_db: np.ndarray, *, frame_seconds: float, longer_than: float,
                               floor_db: float, margin_db: float, below_speech_db: float, min_pause: float) -> np.ndarray:
    """Split intervals longer than ``longer_than`` seconds where the level stays
    ``below_speech_db`` under the local speech level (``local_speech_db``) for ``min_pause``.

    A segment that long most often holds two sentences whose gap music or babble filled:
    the gap is far above the clip's noise floor but well under the speakers around it. The
    stricter pause test applies only there, so the commas of a sentence of ordinary length
    are not cut. Only the long intervals' levels (with context for the local speech level)
    are looked at.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds, k >= m
    """
    context = int(round(3.0 / frame_seconds)) + 10
    out: list[np.ndarray] = []
    for start, end in np.asarray(intervals, dtype=np.float64).reshape(-1, 2):
        if end - start <= longer_than:
            out.append(np.array([[start, end]]))
            continue
        first, last = int(round(start / frame_seconds)), int(round(end / frame_seconds))
        low, high = max(first - context, 0), min(last + context, levels_db.size)
        quiet = quiet_frames(levels_db[low:high], frame_seconds=frame_seconds, floor_db=floor_db, margin_db=margin_db,
                             below_speech_db=below_speech_db)
        # On the slice's own timeline, then back: the frame indices are the same either way.
        offset = low * frame_seconds
        pieces = split_at_quiet_frames(np.array([[start - offset, end - offset]]), quiet, frame_seconds=frame_seconds, min_pause=min_pause)
        pieces += offset
        pieces[0, 0], pieces[-1, 1] = start, end
        out.append(pieces)
    return np.concatenate(out) if out else np.zeros((0, 2))


def drop_flat(intervals: np.ndarray, levels_db: np.ndarray, *, frame_seconds: float, min_range_db: float,
              smooth: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Separate intervals whose level moves like one talker's from flat background.

    One speaker's syllables make the level rise and fall by 10 dB and more (between the
    10th and 90th percentile of the level smoothed over ``smooth`` frames), even with
    noise under it; five talkers of babble, or music, fill each other's gaps and move far
    less. Intervals whose level range is under ``min_range_db`` are dropped.

    Returns
    -------
    (kept, dropped) : arrays of shape (k, 2) and (m - k, 2), seconds
    """
    keep = np.ones(len(intervals), dtype=bool)
    for index, (start, end) in enumerate(np.asarray(intervals).reshape(-1, 2)):
        part = levels_db[int(round(start / frame_seconds)) : int(round(end / frame_seconds))]
        if part.size > smooth:
            part = uniform_filter1d(part, size=smooth, mode="nearest")
            low, high = np.percentile(part, [10, 90])
            keep[index] = high - low >= min_range_db
    return intervals[keep].reshape(-1, 2), intervals[~keep].reshape(-1, 2)
