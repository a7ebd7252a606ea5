"""Hum and noise removal, judged so that it never makes a clip worse.

A high-pass removes rumble and the mains fundamental; noisereduce's stationary spectral
gate then removes the steady noise, with its statistics taken from the non-speech
stretches the segmenter found (its own default of gating against the whole clip treats
speech as noise and lowers SI-SDR). Where babble or music filled the pauses, a Wiener
filter with a decision-directed a priori SNR (``DecisionDirectedWiener``) takes the gate's
place: its soft gain follows a background that moves. ``judge_denoising`` compares speech
and noise power before and after, and the pipeline keeps the denoised audio only when it
helps.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from noisereduce.spectralgate.stationary import SpectralGateStationary
from scipy.signal import butter, sosfilt, stft

from workbench.audio.chunks import map_chunks
from workbench.audio.segment import frame_powers
from workbench.audio.stft import istft

# Samples gated at a time (5.12 s) and of context each side; both whole numbers of STFT hops
# (512), so the frames fall on one grid from the start of the region whatever the chunk
# size, and the output is the same for any such chunk and any context of two hops or more
# (checked: 2 to 16 hops, chunks of 160 to 1875 hops). noisereduce's buffers (float64 and
# complex128 spectrograms) for a minute of speech without a pause were 117 MB; for 10 s 20
# MB, for 5 s about 10.
NOISE_CONTEXT = 4 * 512
GATE_CHUNK = 160 * 512
# 64 ms frames, half overlap, no mask smoothing. On the benchmark 64 ms gates a little
# cleaner than 32 ms (SI-SDR +9.9 against +9.5 dB at 8 dB SNR, equal at 20 dB) with half
# the frames to invert; with a partial gate (strength < 1) the unsmoothed mask leaves
# little musical noise.
N_FFT = 1024
# The Wiener filter: 32 ms frames at a quarter hop, and the a priori SNR's memory of the
# previous frame's estimate (Ephraim and Malah's alpha). Chosen on the bench's tuning clips
# (babble and music filling the pauses, 7 and 14 dB SNR; README "Denoising"): 32 ms frames
# at a quarter hop against 64 ms, alpha 0.92, 0.95 and 0.98; this pair had the best mean
# SI-SDR gain over both noise kinds. ``bench/enhance.py --split tune`` shows it per clip.
WIENER_N_FFT = 512
WIENER_HOP = 128
WIENER_ALPHA = 0.95
# The recursion forgets by WIENER_ALPHA a frame, so a second of context each side (125
# hops) leaves the start of a chunk weighing 0.2 % of what it would with the whole clip
# before it; chunk and context are whole numbers of hops, so frames keep one grid.
WIENER_CONTEXT = 125 * WIENER_HOP
METHODS = ("gate", "wiener")
# The least noise-only audio each method is built from, seconds. The gate's threshold rests
# on the spread of the noise's level in every bin, which half a second (15 of its 64 ms
# frames) barely gives; the Wiener filter needs only the mean power, and 0.3 s holds 36 of
# its 32 ms frames. On the tuning clips one clip (Japanese babble at 7 dB, its speech
# filling all but 0.46 s) went from nothing (-0.01 dB of SI-SDR) to +2.85 dB; no held-out
# or recorded clip leaves between 0.3 and 0.5 s.
MIN_PROFILE_S = {"gate": 0.5, "wiener": 0.3}


def highpass(audio: np.ndarray, sample_rate: int, *, cutoff_hz: float = 80.0, out: np.ndarray | None = None,
             workers: int = 2) -> np.ndarray:
    """Zero-phase Butterworth high-pass (rumble, mains fundamental), in chunks.

    Run forwards and backwards (4th order each way) so voice harmonics near the corner
    keep their phase: a causal filter's phase shift alone costs several dB of SI-SDR.
    ``workers`` chunks are filtered at once (``sosfilt`` releases the GIL): on two cores
    the 10-minute clip's high-pass took 0.08 s of wall time instead of 0.12 s, for the same
    CPU time and the same samples.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,), float32
    cutoff_hz : -3 dB corner in Hz.
    out : output array; may be ``audio`` (in place).
    workers : threads filtering ten-second chunks at once.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
    """
    sos = butter(4, cutoff_hz, btype="highpass", fs=sample_rate, output="sos")
    # The filter's response has died out long before half a second.
    context = sample_rate // 2

    sos32 = sos.astype(np.float32)

    def filtered(window: np.ndarray) -> np.ndarray:
        # Forward then backward in float32: the chunk context absorbs both edge transients.
        # No copies beyond what sosfilt makes: map_chunks copies the result out at once.
        forward = sosfilt(sos32, window.astype(np.float32, copy=False))
        return sosfilt(sos32, forward[::-1])[::-1].astype(np.float32, copy=False)

    # Ten-second chunks: each holds a few float32 copies of itself while filtered.
    return map_chunks(audio, filtered, context=context, chunk=10 * sample_rate, out=out, workers=workers)


def collect_noise(audio: np.ndarray, sample_rate: int, intervals: np.ndarray, *, max_seconds: float = 20.0) -> np.ndarray:
    """Concatenate noise-only stretches into one profile of at most ``max_seconds``.

    Longest stretches first (they are the most reliably free of speech). Returns float32 of
    shape (n,), possibly empty when the clip has no pauses.
    """
    lengths = intervals[:, 1] - intervals[:, 0] if len(intervals) else np.zeros(0)
    pieces, total = [], 0
    for index in np.argsort(-lengths):
        start, end = (int(t * sample_rate) for t in intervals[index])
        take = min(end - start, int(max_seconds * sample_rate) - total)
        if take <= 0:
            break
        pieces.append(audio[start : start + take])
        total += take
    return np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, np.float32)


def reduce_noise(
    audio: np.ndarray,
    sample_rate: int,
    *,
    noise: np.ndarray,
    speech: np.ndarray,
    prop_decrease: float = 0.8,
    n_std_thresh: float = 1.5,
    method: str = "gate",
    out: np.ndarray | None = None,
    workers: int = 2,
) -> np.ndarray:
    """Denoise against a given noise profile where there is speech; attenuate elsewhere.

    Inside the ``speech`` intervals (widened by a quarter second) ``method`` works on each
    time-frequency bin: ``"gate"``, noisereduce's stationary gate against the profile's
    mean and spread; ``"wiener"``, ``DecisionDirectedWiener`` against the profile's mean
    power, its gain held at or above ``1 - prop_decrease``. Outside them, where either
    would be closed anyway, the audio is simply attenuated by the same ``1 - prop_decrease``,
    which costs nothing and leaves no musical noise. 20 ms crossfades join the two.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,)
    noise : np.ndarray, shape (n_noise,), noise only (from ``collect_noise``); at least
        ``MIN_PROFILE_S[method]`` seconds.
    speech : np.ndarray, shape (m, 2), seconds: where to gate (padded segments).
    prop_decrease : 0..1, how much of the gated noise is removed.
    n_std_thresh : gate threshold in standard deviations above the noise's mean level (dB).
    method : ``"gate"`` or ``"wiener"`` (``METHODS``).
    out : output array; may be ``audio`` (in place).
    workers : threads gating regions at once.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if noise.size < MIN_PROFILE_S[method] * sample_rate:
        raise ValueError(f"the {method}'s noise profile needs at least {MIN_PROFILE_S[method]} s")
    if out is None:
        out = audio.copy()
    elif out is not audio:
        out[:] = audio
    keep = np.float32(1.0 - prop_decrease)
    fade = int(0.02 * sample_rate)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)

    if method == "wiener":
        gate, context = DecisionDirectedWiener(noise, floor=float(keep)), WIENER_CONTEXT
    else:
        gate, context = StationaryGate(noise, sample_rate, prop_decrease=prop_decrease, n_std_thresh=n_std_thresh), NOISE_CONTEXT

    def gate_region(region: tuple[int, int]) -> None:
        window = out[region[0] : region[1]]
        head, tail = window[:fade] * keep, window[-fade:] * keep
        map_chunks(window, gate, context=context, chunk=GATE_CHUNK, out=window)
        window[:fade] = ramp * window[:fade] + (1 - ramp) * head
        window[-fade:] = ramp[::-1] * window[-fade:] + (1 - ramp[::-1]) * tail

    regions = _regions(speech, sample_rate, out.size, widen=sample_rate // 4, min_length=2 * fade)
    position = 0
    for start, end in regions:
        out[position:start] *= keep
        position = end
    out[position:] *= keep
    # The regions are disjoint and the gate only reads its statistics, so two threads share
    # them (the FFTs release the GIL), longest first so neither is left with a long one.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(gate_region, sorted(regions, key=lambda region: region[0] - region[1])))
    return out


class StationaryGate:
    """noisereduce's stationary spectral gate against a fixed noise profile, applied in float32.

    The statistics are noisereduce's own (``SpectralGateStationary``, built once per clip):
    per frequency, the profile's mean level in dB plus ``n_std_thresh`` standard deviations.
    A bin over that threshold passes; the others are scaled by ``1 - prop_decrease``.
    noisereduce applies that mask as float64 to a complex128 copy of the spectrogram; here the
    same mask goes into the complex64 one, as a linear amplitude compared with the linear
    threshold: over the 10-minute bench clip's chunks 0.50 s of CPU against noisereduce's 0.97
    (both with scipy's inverse STFT), half the buffers, and the same samples to within float32
    rounding (``tests/test_audio_denoise.py`` against ``noisereduce.reduce_noise``). Called on
    a window of float32 samples, it returns the gated window, same length.
    """

    # noisereduce's dB scale floors each bin at 80 dB under the loudest of its frequency in the
    # window (``_amp_to_db``'s ``top_db``), so where that floor is over the threshold every
    # bin of the frequency passes: as an amplitude ratio, 10 ** (-80 / 20).
    TOP_RATIO = np.float32(1e-4)

    def __init__(self, noise: np.ndarray, sample_rate: int, *, prop_decrease: float, n_std_thresh: float) -> None:
        statistics = SpectralGateStationary(
            y=np.zeros(1, np.float32), sr=sample_rate, y_noise=noise.astype(np.float32),
            n_std_thresh_stationary=n_std_thresh, chunk_size=1, clip_noise_stationary=False, padding=0,
            n_fft=N_FFT, win_length=None, hop_length=N_FFT // 2, time_constant_s=None,
            freq_mask_smooth_hz=None, time_mask_smooth_ms=None, tmp_folder=None,
            prop_decrease=prop_decrease, use_tqdm=False, n_jobs=1,
        )
        self.threshold = (10 ** (statistics.noise_thresh / 20)).astype(np.float32)[:, np.newaxis]
        self.keep = np.float32(1 - prop_decrease)

    def __call__(self, window: np.ndarray) -> np.ndarray:
        spectrum = stft(window.astype(np.float32, copy=False), nperseg=N_FFT, noverlap=N_FFT // 2, padded=False)[2]
        magnitude = np.abs(spectrum)
        above = magnitude > self.threshold
        above |= magnitude.max(axis=1, keepdims=True) * self.TOP_RATIO > self.threshold
        spectrum *= np.where(above, np.float32(1), self.keep)
        gated = istft(spectrum, nperseg=N_FFT, hop=N_FFT // 2)[: window.size]
        out = np.zeros(window.size, np.float32)
        out[: gated.size] = gated
        return out


class DecisionDirectedWiener:
    """The Wiener gain ``xi / (1 + xi)`` against a fixed noise spectrum, with the a priori
    SNR ``xi`` from Ephraim and Malah's decision-directed rule (1984): ``alpha`` times the
    previous frame's estimated speech-to-noise ratio plus ``1 - alpha`` times what this
    frame holds above the noise. The gain never falls under ``floor``.

    Where the gate passes or stops each bin by a threshold on the noise's spread, this gain
    is soft and follows the speech from frame to frame; under babble (five other talkers on
    the bench's tuning clips) it gave +3.3 dB of SI-SDR where the gate gave +2.3. Called on
    a window of float32 samples, it returns the filtered window, same length.
    """

    def __init__(self, noise: np.ndarray, *, floor: float, alpha: float = WIENER_ALPHA) -> None:
        self.noise_power = (np.mean(np.abs(self._spectrum(noise)) ** 2, axis=1) + 1e-12).astype(np.float32)
        self.floor, self.alpha = np.float32(floor), np.float32(alpha)

    def __call__(self, window: np.ndarray) -> np.ndarray:
        spectrum = self._spectrum(window)
        # Frames as rows, so the recursion reads contiguous memory.
        posteriori = np.ascontiguousarray((np.abs(spectrum.T) ** 2) / self.noise_power, dtype=np.float32)
        spectrum *= self.gains(posteriori).T
        # scipy's stft and this project's istft (scipy's arithmetic, vectorised) rather than
        # ShortTimeFFT: on float32 they keep complex64, where ShortTimeFFT took 0.93 s a
        # minute of audio here (complex128) against 0.28 s for scipy's stft/istft.
        return istft(spectrum, nperseg=WIENER_N_FFT, hop=WIENER_HOP)[: window.size].astype(np.float32, copy=False)

    @staticmethod
    def _spectrum(samples: np.ndarray) -> np.ndarray:
        return stft(samples.astype(np.float32, copy=False), nperseg=WIENER_N_FFT, noverlap=WIENER_N_FFT - WIENER_HOP)[2]

    def gains(self, posteriori: np.ndarray) -> np.ndarray:
        """Gains for the a posteriori SNRs ``posteriori``, shape (frames, bins)."""
        gains = np.empty_like(posteriori)
        if not len(posteriori):
            return gains
        above = np.maximum(posteriori - 1, 0)
        previous, priori = above[0].copy(), np.empty_like(above[0])
        above *= 1 - self.alpha  # what each frame adds to its a priori SNR
        for frame in range(len(posteriori)):
            np.multiply(previous, self.alpha, out=priori)
            priori += above[frame]
            gain = gains[frame]
            np.divide(priori, priori + 1, out=gain)
            np.maximum(gain, self.floor, out=gain)
            np.multiply(gain, gain, out=previous)
            previous *= posteriori[frame]
        return gains


def _regions(intervals: np.ndarray, sample_rate: int, n_samples: int, *, widen: int, min_length: int) -> list[tuple[int, int]]:
    """Intervals (seconds) widened by ``widen`` samples, as merged sample ranges."""
    merged: list[list[int]] = []
    for start, end in np.asarray(intervals).reshape(-1, 2):
        first, last = max(int(start * sample_rate) - widen, 0), min(int(end * sample_rate) + widen, n_samples)
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(a, b) for a, b in merged if b - a >= min_length]


@dataclass(frozen=True)
class PowerStats:
    """Mean power (linear, full scale = 1) inside segments and in noise-only stretches."""

    speech: float
    noise: float

    @property
    def snr_db(self) -> float:
        """Estimated SNR: speech power is what the segments hold above the noise."""
        return 10 * np.log10(max(self.speech - self.noise, 1e-12) / max(self.noise, 1e-12))

    @property
    def noise_floor_dbfs(self) -> float:
        return 10 * np.log10(max(self.noise, 1e-12))


def measure_power(audio: np.ndarray, sample_rate: int, *, speech: np.ndarray, noise: np.ndarray) -> PowerStats:
    """Mean power of ``audio`` over the ``speech`` and over the ``noise`` intervals (seconds),
    on 10 ms frames (interval edges rounded to frames)."""
    frame = sample_rate // 100
    n_frames = audio.size // frame

    def frames_inside(intervals: np.ndarray) -> np.ndarray:
        inside = np.zeros(n_frames, bool)
        for start, end in np.asarray(intervals).reshape(-1, 2):
            inside[int(round(start * 100)) : int(round(end * 100))] = True
        return inside

    # Frame powers ten minutes at a time: all of them would be 17 MB (float64) at six hours.
    masks = [frames_inside(speech), frames_inside(noise)]
    totals = [0.0, 0.0]
    block = 60_000
    for first in range(0, n_frames, block):
        powers = frame_powers(audio[first * frame : (first + block) * frame], frame)
        for which, inside in enumerate(masks):
            totals[which] += float(np.sum(powers, where=inside[first : first + powers.size]))
    speech_power, noise_power = (total / count if (count := int(np.count_nonzero(inside))) else 0.0
                                 for total, inside in zip(totals, masks))
    return PowerStats(speech=speech_power, noise=noise_power)


def judge_denoising(before: PowerStats, after: PowerStats, *, min_snr_gain_db: float, max_speech_loss_db: float) -> tuple[bool, str]:
    """Whether the denoised audio is better, and why (a sentence for the report).

    Better means the estimated SNR rose by at least ``min_snr_gain_db`` while the
    estimated speech power (segment power above the noise) fell by at most
    ``max_speech_loss_db``: a gate that removes noise by eating speech is refused.
    """
    if before.noise <= 0 or before.speech <= before.noise:
        return False, "no noise-only stretch or no speech above the noise to judge by"
    gain = after.snr_db - before.snr_db
    loss = 10 * np.log10(max(before.speech - before.noise, 1e-12) / max(after.speech - after.noise, 1e-12))
    if gain < min_snr_gain_db:
        return False, f"estimated SNR gain {gain:.1f} dB is below {min_snr_gain_db} dB"
    if loss > max_speech_loss_db:
        return False, f"it would remove {loss:.1f} dB of speech power (limit {max_speech_loss_db} dB)"
    return True, f"estimated SNR gain {gain:.1f} dB, speech power change {-loss:+.1f} dB"


def highpass_helps(unfiltered: PowerStats, highpassed: PowerStats) -> bool:
    """Whether the high-pass alone raised the estimated SNR; where no gate is kept, the
    high-pass is kept only if so. In pink noise or under hum it gains dB; under babble at 5
    dB, whose low band holds no more than the speech's, it lowered SI-SDR by up to 0.03 dB
    (bench/run.py). With no noise stretch at all (babble in every gap, speech without a
    pause) nothing can tell, and like the gate it is then left out."""
    if unfiltered.noise <= 0:
        return False
    return bool(highpassed.snr_db > unfiltered.snr_db)


def between(segments: np.ndarray, duration: float, *, guard: float = 0.05) -> np.ndarray:
    """The stretches of ``[0, duration)`` seconds outside every segment (sorted, seconds),
    each shrunk by ``guard`` at both ends; shape (k, 2)."""
    out, cursor = [], 0.0
    for start, end in np.asarray(segments, dtype=np.float64).reshape(-1, 2):
        if start - guard > cursor + guard:
            out.append((cursor + guard, start - guard))
        cursor = max(cursor, end)
    if duration - guard > cursor + guard:
        out.append((cursor + guard, duration - guard))
    return np.array(out, dtype=np.float64).reshape(-1, 2)
