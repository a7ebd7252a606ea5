"""Spectrogram pictures for the UI and for reviewers.

Drawn with scipy's ``ShortTimeFFT`` rather than ``librosa.stft``: the web process renders
one on a reviewer's click, and librosa's first STFT in a process compiles its numba kernels
(34 s of CPU on a fresh install, 3 s with numba's cache) and keeps numba and llvmlite in the
web process's memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.signal import ShortTimeFFT
from scipy.signal.windows import hann

TOP_DB = 80.0  # the quietest shade sits this far below the loudest bin


def render_spectrogram(
    audio: np.ndarray,
    sample_rate: int,
    *,
    path: Path,
    n_fft: int = 512,
    hop_length: int = 128,
    width_px: int = 900,
    height_px: int = 300,
) -> Path:
    """Write a log-power spectrogram of ``audio`` as a PNG at ``path``.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,), float
    sample_rate : Hz; the frequency axis runs to ``sample_rate / 2``.
    path : where the PNG goes; its directory must exist.

    Returns
    -------
    Path
        ``path``. Uses matplotlib's Agg canvas directly (no pyplot, no global state), so
        it is safe in a server thread.
    """
    if audio.ndim != 1 or audio.size == 0:
        raise ValueError("audio must be a non-empty 1-D array")
    # A segment shorter than one FFT frame is drawn zero-padded rather than refused.
    padded = np.pad(np.asarray(audio, np.float32), (0, max(0, n_fft - audio.size)))
    power = ShortTimeFFT(hann(n_fft, sym=False), hop=hop_length, fs=sample_rate).spectrogram(padded)
    decibels = 10.0 * np.log10(np.maximum(power, 1e-10))
    decibels = np.maximum(decibels - decibels.max(), -TOP_DB)  # 0 dB is the loudest bin
    figure = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.07, 0.15, 0.91, 0.8))
    seconds = audio.size / sample_rate
    axes.imshow(decibels, origin="lower", aspect="auto", cmap="magma", extent=(0, seconds, 0, sample_rate / 2000))
    axes.set_xlabel("seconds")
    axes.set_ylabel("kHz")
    figure.savefig(path, format="png")
    return Path(path)
