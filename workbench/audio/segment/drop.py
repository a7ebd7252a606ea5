"""Which segments are not speech: background far under the clip's speech, bursts without
voiced sound, and flat babble or music. Each ``drop_*`` returns ``(kept, dropped)``."""

from __future__ import annotations

import numpy as np
import scipy.fft
from scipy.ndimage import uniform_filter1d

from workbench.audio.segment.frames import frame_mask, runs, selected_percentile


VOICING_FRAME = 512
_WINDOW = np.hanning(VOICING_FRAME).astype(np.float32)


PITCH_RANGE_HZ = (70.0, 400.0)


def drop_background(intervals: np.ndarray, levels_db: np.ndarray, *, frame_seconds: float, below_speech_db: float,
                    tones: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Separate speech from background: intervals whose loud frames (their 90th percentile
    level) lie more than ``below_speech_db`` under the clip's speech level (the 90th
    percentile level of all frames inside the intervals) are music or distant talk, not the
    speakers being recorded, who sit within a few dB of each other.

    ``tones`` (bool per frame, ``tone_frames``): frames left out of an interval's loud
    level, so that a beep over background does not lift it to the speakers' level; an
    interval that is all tone has none and is dropped.

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
    loud = np.array([_loud_db(levels_db, tones, int(round(a / frame_seconds)), int(round(b / frame_seconds))) for a, b in intervals])
    keep = loud >= speech_db - below_speech_db
    return intervals[keep].reshape(-1, 2), intervals[~keep].reshape(-1, 2)


def _loud_db(levels_db: np.ndarray, tones: np.ndarray | None, first: int, last: int) -> float:
    """The 90th percentile level of frames ``[first, last)`` (at least one frame), tones left out."""
    part = levels_db[first : max(last, first + 1)]
    if tones is not None:
        part = part[~tones[first : first + part.size]]
    return float(np.percentile(part, 90)) if part.size else -np.inf


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
    return voicing(audio, sample_rate, threshold=threshold, max_peak_share=max_peak_share)[0]


def voicing(audio: np.ndarray, sample_rate: int, *, threshold: float = 0.5, max_peak_share: float = 0.7) -> tuple[float, float]:
    """Seconds of voiced sound (as ``voiced_seconds``) and seconds of pure tone: frames whose
    strongest spectral peak (±2 bins) holds more than ``max_peak_share`` of their power."""
    if audio.size < VOICING_FRAME:
        return 0.0, 0.0
    power = _frame_powers(audio)
    low, high = int(sample_rate / PITCH_RANGE_HZ[1]), min(int(sample_rate / PITCH_RANGE_HZ[0]), VOICING_FRAME // 2)
    autocorr = scipy.fft.irfft(power, axis=1)[:, :high]
    # Dividing by the window's own autocorrelation undoes its taper at long lags (low pitch).
    window_autocorr = np.correlate(_WINDOW, _WINDOW, mode="full")[VOICING_FRAME - 1 : VOICING_FRAME - 1 + high]
    normalised = autocorr / (autocorr[:, :1] + 1e-12) / (window_autocorr / window_autocorr[0])
    periodicity = normalised[:, low:high].max(axis=1)
    tone = _peak_share(power) > max_peak_share
    voiced = (periodicity >= threshold) & ~tone
    seconds = VOICING_FRAME / sample_rate
    return float(voiced.sum() * seconds), float(tone.sum() * seconds)


def tone_frames(audio: np.ndarray, sample_rate: int, intervals: np.ndarray, *, n_frames: int, frame_seconds: float,
                max_peak_share: float = 0.7) -> np.ndarray:
    """Which of ``n_frames`` frames of ``frame_seconds`` lie in a pure tone (a beep, a
    whistle) inside ``intervals``: bool, True where a voicing frame covering it is tonal as
    ``voicing`` counts it. Outside the intervals, False."""
    mask = np.zeros(n_frames, dtype=bool)
    chunk = 512 * VOICING_FRAME  # 16 s at 16 kHz: the spectra of a long interval piece by piece
    for start, end in np.asarray(intervals, dtype=np.float64).reshape(-1, 2):
        first, last = int(start * sample_rate), min(int(end * sample_rate), audio.size)
        for piece in range(first, last - VOICING_FRAME + 1, chunk):
            tonal = _peak_share(_frame_powers(audio[piece : min(piece + chunk, last)])) > max_peak_share
            # One slice per run of tonal voicing frames, over the 10 ms frames it overlaps.
            for a, b in runs(tonal):
                onset, offset = (piece + a * VOICING_FRAME) / sample_rate, (piece + b * VOICING_FRAME) / sample_rate
                mask[int(onset / frame_seconds) : int(np.ceil(offset / frame_seconds))] = True
    return mask


def _frame_powers(audio: np.ndarray) -> np.ndarray:
    """Power spectra (zero-padded to twice the frame; float32) of the pre-emphasised,
    Hann-windowed frames of ``VOICING_FRAME`` samples, back to back."""
    audio = np.asarray(audio, dtype=np.float32)
    emphasised = np.empty_like(audio)
    emphasised[0] = audio[0]
    np.subtract(audio[1:], np.float32(0.95) * audio[:-1], out=emphasised[1:])
    count = audio.size // VOICING_FRAME
    frames = emphasised[: count * VOICING_FRAME].reshape(count, VOICING_FRAME) * _WINDOW
    spectrum = scipy.fft.rfft(frames, n=2 * VOICING_FRAME, axis=1)
    return spectrum.real**2 + spectrum.imag**2


def _peak_share(power: np.ndarray) -> np.ndarray:
    """Per frame, the share of its power within ±2 bins of its strongest bin."""
    around = power.argmax(axis=1)[:, None] + np.arange(-2, 3)
    inside = (around >= 0) & (around < power.shape[1])
    near = np.take_along_axis(power, np.clip(around, 0, power.shape[1] - 1), axis=1)
    return np.where(inside, near, 0).sum(axis=1) / (power.sum(axis=1) + 1e-12)


def drop_bursts(intervals: np.ndarray, audio: np.ndarray, sample_rate: int, *, min_voiced: float) -> tuple[np.ndarray, np.ndarray]:
    """Separate intervals with at least ``min_voiced`` seconds of voice from bursts without.

    Knocks, clicks, beeps and coughs trip webrtcvad but carry little periodic, non-tonal
    sound, so alone they do not make a segment. ``min_voiced`` 0 keeps every interval
    without measuring its voice (another judge, Silero's model, decides).

    Returns
    -------
    (kept, dropped) : two arrays of shape (k, 2) and (m - k, 2), seconds
    """
    if min_voiced <= 0:
        return np.asarray(intervals).reshape(-1, 2), np.zeros((0, 2))
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


def drop_flat(intervals: np.ndarray, levels_db: np.ndarray, *, frame_seconds: float, min_range_db: float,
              smooth: int = 3, clip_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Separate intervals whose level moves like one talker's from flat background.

    One speaker's syllables make the level rise and fall by 10 dB and more (between the
    10th and 90th percentile of the level smoothed over ``smooth`` frames), even with
    noise under it; five talkers of babble, or music, fill each other's gaps and move far
    less. Intervals whose level range is under ``min_range_db`` are dropped - or under
    ``clip_share`` times the median range of the clip's intervals, when that is lower: a
    room's reverberation fills every syllable's dip, so one talker's level moves less in
    every segment of the clip alike, and is measured against the clip's own talkers.

    Returns
    -------
    (kept, dropped) : arrays of shape (k, 2) and (m - k, 2), seconds
    """
    intervals = np.asarray(intervals).reshape(-1, 2)
    ranges = np.full(len(intervals), np.inf)  # too short to measure: kept
    for index, (start, end) in enumerate(intervals):
        part = levels_db[int(round(start / frame_seconds)) : int(round(end / frame_seconds))]
        if part.size > smooth:
            part = uniform_filter1d(part, size=smooth, mode="nearest")
            low, high = np.percentile(part, [10, 90])
            ranges[index] = high - low
    bound = min_range_db
    measured = ranges[np.isfinite(ranges)]
    if clip_share > 0 and measured.size:
        bound = min(bound, clip_share * float(np.median(measured)))
    keep = ranges >= bound
    return intervals[keep], intervals[~keep]
