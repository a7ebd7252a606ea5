"""Loudness (ITU-R BS.1770-4 via pyloudnorm's K-weighting), true peak, and a true-peak limiter.

pyloudnorm's ``Meter`` defines the K-weighting filters; the measurement here streams them
with filter state across chunks and gates 400 ms blocks the way BS.1770-4 (and
``Meter.integrated_loudness``) does, so a 2-hour clip needs no float64 copy of itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import functools

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
import soxr
from scipy.signal import sosfilt

from workbench.audio.chunks import map_chunks
from workbench.audio.segment import frame_powers

# BS.1770-4 oversamples 4× at 48 kHz; at 16 kHz speech reaches Nyquist, where 4× can
# miss a peak by 0.7 dB, so 8× (the same 128 kHz grid as 4× at 32 kHz) is used.
OVERSAMPLE = 8
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
# Samples of neighbours the oversampling filter needs to see at a chunk edge (its response
# is below 1e-7 beyond 128 input samples).
FILTER_CONTEXT = 256


def _block_powers(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal in each 100 ms step, shape (n_steps,)."""
    if sample_rate % 10:
        raise ValueError("loudness needs a sample rate divisible by 10")
    stages = list(pyloudnorm.Meter(sample_rate)._filters.values())
    # Both K-weighting biquads as one second-order-section cascade, run in float32.
    sos = np.array([np.concatenate([stage.b * stage.passband_gain, stage.a]) for stage in stages], dtype=np.float32)
    state = np.zeros((len(stages), 2), np.float32)
    step = sample_rate // 10
    n_steps = audio.size // step
    powers = np.empty(n_steps)
    # Ten seconds at a time (the filter state carries over, so the chunk size changes nothing).
    chunk = 10 * sample_rate - 10 * sample_rate % step
    for first in range(0, n_steps * step, chunk):
        piece = audio[first : min(first + chunk, n_steps * step)].astype(np.float32, copy=False)
        block, state = sosfilt(sos, piece, zi=state)
        powers[first // step : (first + block.size) // step] = frame_powers(block, step)
    return powers


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """Integrated, gated loudness of a mono signal in LUFS (``-inf`` for silence).

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,), at least 0.4 s
    """
    if audio.size < 0.4 * sample_rate:
        raise ValueError("loudness needs at least 0.4 s of audio")
    steps = _block_powers(audio, sample_rate)
    n_blocks = int(np.round((audio.size / sample_rate - 0.4) / 0.1)) + 1
    padded = np.concatenate([steps, np.zeros(max(0, n_blocks + 3 - steps.size))])
    blocks = np.lib.stride_tricks.sliding_window_view(padded, 4)[:n_blocks].mean(axis=1)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(blocks)
    gated = blocks[levels >= ABSOLUTE_GATE_LUFS]
    if not gated.size:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(gated.mean()) + RELATIVE_GATE_LU
    final = blocks[(levels > relative) & (levels > ABSOLUTE_GATE_LUFS)]
    return float(-0.691 + 10 * np.log10(final.mean())) if final.size else float("-inf")


def _oversampled_peaks(audio: np.ndarray) -> np.ndarray:
    """Per input sample, the largest magnitude among its ``OVERSAMPLE`` interpolated points."""
    upsampled = _oversample(audio)
    np.abs(upsampled, out=upsampled)
    # Strided maxima: numpy reduces a short trailing axis slowly.
    peaks = upsampled[0::OVERSAMPLE].copy()
    for phase in range(1, OVERSAMPLE):
        np.maximum(peaks, upsampled[phase::OVERSAMPLE], out=peaks)
    return peaks


def _oversample(audio: np.ndarray) -> np.ndarray:
    # soxr's HQ filter (20-bit) reads the same peaks as VHQ (28-bit) to 0.001 dB on the
    # benchmark, in two thirds of the time; the tests check against 16x VHQ.
    return soxr.resample(audio.astype(np.float32), 1, OVERSAMPLE, quality="HQ")


@functools.cache
def _overshoot_bound() -> float:
    """Largest factor by which an interpolated point can exceed the largest nearby sample:
    the L1 norm of the oversampling filter's worst phase (about 2.9, i.e. 9 dB)."""
    impulse = np.zeros(2 * FILTER_CONTEXT + 1, np.float32)
    impulse[FILTER_CONTEXT] = 1.0
    response = np.abs(_oversample(impulse))
    return float(max(response[phase::OVERSAMPLE].sum() for phase in range(OVERSAMPLE)))


def true_peak_dbtp(audio: np.ndarray, sample_rate: int, *, loudest_blocks: int | None = None) -> float:
    """True peak in dBTP by 8× oversampling (as BS.1770-4 Annex 2, finer).

    Exact but lazy: quarter-second blocks are oversampled loudest sample first, and the
    search stops once no remaining block's sample peak, times the filter's largest
    possible overshoot, could beat the true peak already found. With ``loudest_blocks``
    only that many blocks are oversampled, and the answer is a lower bound: where it is
    over a ceiling, the true peak is too (a few milliseconds where the whole search of the
    10-minute clip takes 0.14 s).
    """
    block = max(sample_rate // 4, 1)
    n_blocks = -(-audio.size // block)
    sample_peaks = np.empty(n_blocks)
    per_chunk = max(1, 10 * sample_rate // block)
    for first in range(0, n_blocks, per_chunk):
        piece = audio[first * block : (first + per_chunk) * block]
        padded = np.zeros(-(-piece.size // block) * block, np.float32)
        np.abs(piece, out=padded[: piece.size])
        sample_peaks[first : first + padded.size // block] = padded.reshape(-1, block).max(axis=1)
    bound = _overshoot_bound()
    best = 0.0
    for index in np.argsort(-sample_peaks, kind="stable")[:loudest_blocks]:
        if sample_peaks[index] * bound <= best:
            break
        start = index * block
        left = min(start, FILTER_CONTEXT)
        window = audio[start - left : start + block + FILTER_CONTEXT]
        centre = _oversample(window)[left * OVERSAMPLE : (left + min(block, audio.size - start)) * OVERSAMPLE]
        best = max(best, float(np.abs(centre).max()))
    return float(20 * np.log10(best)) if best > 0 else float("-inf")


def limit_true_peak(
    audio: np.ndarray,
    sample_rate: int,
    *,
    ceiling_dbtp: float = -1.0,
    lookahead_s: float = 0.005,
    hold_s: float = 0.02,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Look-ahead limiter on the oversampled peak: a smooth gain, never clipping.

    The gain each sample needs is spread by a minimum filter over ``hold_s`` each side and
    then averaged over ``lookahead_s`` each side; since every averaged value already
    includes the peak's need, the gain at a peak is at most what that peak needs. Further
    passes catch the little that reshaping the waveform between samples can add.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,)
    ceiling_dbtp : highest allowed true peak.
    out : output array; may be ``audio`` (in place).

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
    """
    margin_db = 0.1
    ceiling = 10 ** ((ceiling_dbtp - margin_db) / 20)
    hold, lookahead = max(1, int(hold_s * sample_rate)), max(1, int(lookahead_s * sample_rate))

    def limit(window: np.ndarray) -> np.ndarray:
        result = window.astype(np.float64)
        for _ in range(4):
            needed = np.minimum(1.0, ceiling / np.maximum(_oversampled_peaks(result), 1e-12))
            if needed.min() >= 1.0:
                break
            result *= uniform_filter1d(minimum_filter1d(needed, size=2 * hold + 1), size=2 * lookahead + 1)
        return result.astype(np.float32)

    # Ten-second chunks: each is oversampled 8x (float32), which for a minute would be 30 MB.
    return map_chunks(audio, limit, context=2 * (hold + lookahead) + FILTER_CONTEXT, chunk=10 * sample_rate, out=out)


@dataclass(frozen=True)
class LoudnessResult:
    before_lufs: float
    after_lufs: float
    true_peak_dbtp: float
    gain_db: float

    def to_dict(self) -> dict:
        return {key: (round(value, 2) if np.isfinite(value) else None) for key, value in self.__dict__.items()}


def normalize_loudness(
    audio: np.ndarray,
    sample_rate: int,
    *,
    target_lufs: float = -23.0,
    max_gain_db: float = 20.0,
    ceiling_dbtp: float = -1.0,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, LoudnessResult]:
    """Gain to ``target_lufs`` (at most ``max_gain_db`` up), then limit to ``ceiling_dbtp``.

    Near-silent input is raised by at most ``max_gain_db`` so its noise is not made loud;
    silence (``-inf`` LUFS) is left as it is. The two halves are ``apply_gain`` and
    ``limit_to_ceiling``, for a caller that does other work while the true peak is searched.

    Returns
    -------
    (audio, LoudnessResult) : float32 array of shape (n_samples,) and the measurements.
    """
    out, before, gain_db = apply_gain(audio, sample_rate, target_lufs=target_lufs, max_gain_db=max_gain_db, out=out)
    result, _ = limit_to_ceiling(out, sample_rate, before_lufs=before, gain_db=gain_db,
                                 peak_dbtp=true_peak_dbtp(out, sample_rate), ceiling_dbtp=ceiling_dbtp)
    return out, result


def apply_gain(audio: np.ndarray, sample_rate: int, *, target_lufs: float, max_gain_db: float,
               out: np.ndarray | None = None) -> tuple[np.ndarray, float, float]:
    """The gain half of ``normalize_loudness``: returns ``(out, before_lufs, gain_db)``."""
    before = integrated_loudness(audio, sample_rate)
    gain_db = min(target_lufs - before, max_gain_db) if np.isfinite(before) else 0.0
    out = np.empty_like(audio) if out is None else out
    np.multiply(audio, np.float32(10 ** (gain_db / 20)), out=out)  # in place or into ``out``: no temporary either way
    return out, before, gain_db


def limit_to_ceiling(audio: np.ndarray, sample_rate: int, *, before_lufs: float, gain_db: float, peak_dbtp: float,
                     ceiling_dbtp: float) -> tuple[LoudnessResult, bool]:
    """The limiting half of ``normalize_loudness``, given the gained ``audio``'s true peak
    ``peak_dbtp``: over ``ceiling_dbtp`` it is limited in place and measured again.
    Returns the measurements and whether ``audio`` changed."""
    if peak_dbtp <= ceiling_dbtp:
        # A pure gain moves loudness by exactly that gain; only the limiter needs a re-measure.
        return LoudnessResult(before_lufs, before_lufs + gain_db, peak_dbtp, gain_db), False
    limit_true_peak(audio, sample_rate, ceiling_dbtp=ceiling_dbtp, out=audio)
    return LoudnessResult(before_lufs, integrated_loudness(audio, sample_rate), true_peak_dbtp(audio, sample_rate), gain_db), True
