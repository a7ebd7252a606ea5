"""Where segments start and end: speech runs joined across short gaps, pauses the level
confirms, over-long segments split at their quietest point or at local pauses, and the
stretches with no speech at all (for the noise profile)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.ndimage import uniform_filter1d

from workbench.audio.segment.frames import frame_levels_db, local_speech_db, runs

HEARD_PAUSE_S = 0.2
"""The shortest pause heard in a segment (``pauses_within``), by the split stage
(``split_at_long_pauses``) and by the drafting job (``draft_guidance.recut_pauses``) alike:
the sides of a cut are measured outside every pause this long, the same way in both."""


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
    out: list[tuple[float, float]] = []
    for start, end in intervals:
        cuts = [middle * frame_seconds for _, middle in _inner_pauses(start, end, quiet, frame_seconds=frame_seconds, min_pause=min_pause)]
        points = [start, *cuts, end]
        out += list(zip(points[:-1], points[1:]))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def _inner_pauses(start: float, end: float, quiet: np.ndarray, *, frame_seconds: float,
                  min_pause: float) -> list[tuple[int, float]]:
    """The runs of ``quiet`` frames inside ``[start, end)`` seconds (touching neither end) of
    ``min_pause`` seconds or more, in time order: (length in frames, middle in frames)."""
    first, last = int(round(start / frame_seconds)), int(round(end / frame_seconds))
    min_frames = int(round(min_pause / frame_seconds))
    return [(b - a, first + (a + b) / 2) for a, b in runs(quiet[first:last])
            if a > 0 and b < last - first and b - a >= min_frames]


def split_long(intervals: np.ndarray, audio: np.ndarray, sample_rate: int, *, max_seconds: float, min_piece: float = 1.0,
               window: float = 0.1) -> np.ndarray:
    """Split intervals longer than ``max_seconds`` in their quietest stretch, repeatedly.

    The quietest stretch is the ``window`` seconds of lowest mean power within the first
    ``max_seconds``, at least ``min_piece`` seconds from either end; the cut goes at the
    minimum of the 100 ms moving RMS inside it, and the rest is split again. Only
    ``max_seconds`` of audio is examined at a time, however long the interval.

    A segment this long is mostly two or more sentences whose gaps babble or music filled.
    Inside a sentence the quietest 100 ms is often a stop's closure, as quiet as the gap;
    a window of half a second or more spans the gap and not the closure.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds, every interval at most ``max_seconds`` long
    """
    if max_seconds <= 2 * min_piece:
        raise ValueError("max_seconds must exceed twice min_piece")
    out: list[tuple[float, float]] = []
    pending = [tuple(row) for row in intervals[::-1]]
    smooth, wide = int(0.1 * sample_rate), int(window * sample_rate)
    while pending:
        start, end = pending.pop()
        if end - start <= max_seconds:
            out.append((start, end))
            continue
        first, last = int((start + min_piece) * sample_rate), int((min(end - min_piece, start + max_seconds)) * sample_rate)
        power = audio[first:last].astype(np.float64) ** 2
        local_power = uniform_filter1d(power, size=smooth, mode="nearest")
        low, high = 0, power.size
        if wide > smooth:
            centre = int(np.argmin(uniform_filter1d(power, size=wide, mode="nearest")))
            low, high = max(centre - wide // 2, 0), min(centre + wide // 2 + 1, power.size)
        at = start + min_piece + (low + int(np.argmin(local_power[low:high]))) / sample_rate
        pending += [(at, end), (start, at)]
    return np.array(out, dtype=np.float64).reshape(-1, 2)


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
                               floor_db: float, margin_db: float, below_speech_db: float, min_pause: float,
                               keep_below: float = 0.0, min_piece: float = 0.0) -> np.ndarray:
    """Split intervals longer than ``longer_than`` seconds where the level stays
    ``below_speech_db`` under the local speech level (``local_speech_db``) for ``min_pause``:
    at every such pause, or, with ``keep_below`` > 0, at the longest one first and again in
    each piece only while it is longer than ``keep_below`` seconds, never leaving a piece
    shorter than ``min_piece`` seconds (``split_at_longest_pauses``).

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
        pieces = split_at_longest_pauses(start - offset, end - offset, quiet, frame_seconds=frame_seconds,
                                         min_pause=min_pause, keep_below=keep_below, min_piece=min_piece)
        pieces += offset
        pieces[0, 0], pieces[-1, 1] = start, end
        out.append(pieces)
    return np.concatenate(out) if out else np.zeros((0, 2))


def split_at_longest_pauses(start: float, end: float, quiet: np.ndarray, *, frame_seconds: float, min_pause: float,
                            keep_below: float, min_piece: float = 0.0) -> np.ndarray:
    """One interval cut at the middle of its longest run of ``quiet`` frames of ``min_pause``
    seconds or more, then each piece longer than ``keep_below`` seconds the same way, until
    every piece is that short or has no such run left (at 0, at every such run, as
    ``split_at_quiet_frames`` cuts). A run whose middle lies less than ``min_piece`` seconds
    from either end of the piece it would cut is passed over.

    Cutting at every run cuts a long sentence at its commas too. A segment this long holds
    more than one sentence, and the gap between two of them is most often the longest pause
    in it, so the longest pauses are taken first and only as many as the length asks for.
    A sentence's first clause ("Before you leave, ...") is short, so a cut that leaves a
    short piece is more often a comma than a gap.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds
    """
    # Longest first; among equally long pauses (a stable sort), the earliest.
    pauses = sorted(_inner_pauses(start, end, quiet, frame_seconds=frame_seconds, min_pause=min_pause),
                    key=lambda pause: -pause[0])
    cuts: list[float] = []
    pending = [(start, end)]
    while pending:
        low, high = pending.pop()
        if high - low <= keep_below:
            continue
        inside = next((middle * frame_seconds for _, middle in pauses
                       if low + min_piece < middle * frame_seconds < high - min_piece), None)
        if inside is not None:
            cuts.append(inside)
            pending += [(low, inside), (inside, high)]
    points = [start, *sorted(cuts), end]
    return np.array(list(zip(points[:-1], points[1:])), dtype=np.float64).reshape(-1, 2)


def pauses_within(audio: np.ndarray, sample_rate: int, *, min_seconds: float, below_db: float = 6.0,
                  frame_seconds: float = 0.01) -> tuple[tuple[float, float], ...]:
    """The pauses inside one segment's audio: runs of at least ``min_seconds`` whose 10 ms
    level stays ``below_db`` or more under the segment's loud level (its 75th percentile),
    as ``(start, end)`` seconds from the segment's start. What a sentence gap leaves and a
    sentence's inside seldom does: the drafting job's re-cut takes a split only at one
    (``workflow.draft_guidance``)."""
    levels = frame_levels_db(audio, sample_rate, frame_seconds=frame_seconds)
    if levels.size == 0:
        return ()
    quiet = levels < np.percentile(levels, 75) - below_db
    return tuple((float(start * frame_seconds), float(end * frame_seconds)) for start, end in runs(quiet)
                 if (end - start) * frame_seconds >= min_seconds - 1e-9)


def long_pause_cuts(pauses: Sequence[tuple[float, float]], length: float, *, long_pause: float,
                    side: float) -> list[float]:
    """Where to cut a span of ``length`` seconds holding ``pauses`` (sorted, disjoint, seconds
    from its start, e.g. from ``pauses_within``): the middle of each pause of ``long_pause``
    seconds or more whose two sides (back to the previous cut, on to the span's end) each hold
    ``side`` seconds of audio outside the pauses.

    >>> long_pause_cuts([(1.9, 2.6), (2.8, 3.0)], 5.0, long_pause=0.5, side=1.5)
    [2.25]
    """
    cuts, done = [], 0.0
    for start, end in pauses:
        cut = (start + end) / 2
        if end - start < long_pause - 1e-9:
            continue
        if min(sound_between(pauses, done, cut), sound_between(pauses, cut, length)) < side - 1e-9:
            continue
        cuts.append(cut)
        done = cut
    return cuts


def sound_between(pauses: Sequence[tuple[float, float]], start: float, end: float) -> float:
    """Seconds from ``start`` to ``end`` outside ``pauses`` (disjoint, one timeline)."""
    inside = sum(max(0.0, min(e, end) - max(s, start)) for s, e in pauses)
    return max(0.0, end - start - inside)


def split_at_long_pauses(intervals: np.ndarray, audio: np.ndarray, sample_rate: int, *, long_pause: float,
                         side: float, heard_pause: float = HEARD_PAUSE_S) -> np.ndarray:
    """Each interval cut at ``long_pause_cuts`` of the pauses heard in its own audio
    (``pauses_within``: ``heard_pause`` seconds or more, 6 dB under its loud level); the
    pieces touch at each cut.

    A gap between two sentences that babble or music filled can stay far over the clip's
    noise floor and be missed by ``split_at_quiet``, yet lie well under the loud syllables
    around it; a comma or a hesitation is seldom that long.

    Returns
    -------
    np.ndarray, shape (k, 2), seconds, k >= m, the same coverage
    """
    out: list[tuple[float, float]] = []
    for start, end in np.asarray(intervals, dtype=np.float64).reshape(-1, 2):
        piece = audio[int(round(start * sample_rate)):int(round(end * sample_rate))]
        heard = pauses_within(piece, sample_rate, min_seconds=heard_pause)
        points = [start, *(start + cut for cut in long_pause_cuts(heard, end - start, long_pause=long_pause, side=side)),
                  end]
        out += zip(points[:-1], points[1:])
    return np.array(out, dtype=np.float64).reshape(-1, 2)
