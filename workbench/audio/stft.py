"""``scipy.signal.istft``'s arithmetic without its loop over frames.

The denoisers invert a spectrogram for every chunk of speech they clean (a hundred and more
per 10-minute clip). scipy's ``istft`` overlap-adds the frames in a Python loop, two array
updates per frame, which was two thirds of the gate's time per chunk. ``istft`` here does the
same float32 operations in the same order, a hop-sized block at a time: each output sample is
the sum of the frames covering it, the earliest first, divided by the summed squared window.
The result is scipy's, sample for sample (``tests/test_audio_stft.py``), for the case the
denoisers use: a one-sided spectrogram of a periodic Hann window whose hop divides its length,
``boundary=True``, scaling ``"spectrum"``.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from scipy.signal import get_window


def istft(spectrum: np.ndarray, *, nperseg: int, hop: int) -> np.ndarray:
    """The signal of ``spectrum`` (frequencies × frames, as ``scipy.signal.stft`` returns it
    with ``nperseg``, ``noverlap=nperseg - hop`` and its defaults); what
    ``scipy.signal.istft(spectrum, nperseg=nperseg, noverlap=nperseg - hop)[1]`` returns.
    """
    if nperseg % hop:
        raise ValueError(f"the hop ({hop}) must divide the frame length ({nperseg})")
    if spectrum.ndim != 2 or spectrum.shape[0] != nperseg // 2 + 1:
        raise ValueError(f"expected a one-sided spectrogram of {nperseg // 2 + 1} frequencies × frames, not {spectrum.shape}")
    frames = scipy.fft.irfft(spectrum, axis=0, n=nperseg).T  # (frames, nperseg)
    window = get_window("hann", nperseg).astype(frames.dtype)
    frames *= window.sum()
    frames *= window
    overlap = nperseg // hop
    count = frames.shape[0]
    signal = _overlap_add(frames.reshape(count, overlap, hop), count, overlap)
    norm = _overlap_add(np.broadcast_to((window**2).reshape(1, overlap, hop), (count, overlap, hop)), count, overlap)
    edge = nperseg // 2
    signal, norm = signal[edge:-edge], norm[edge:-edge]
    signal /= np.where(norm > 1e-10, norm, 1.0)
    return signal


def _overlap_add(parts: np.ndarray, count: int, overlap: int) -> np.ndarray:
    """Frame ``i``'s ``r``-th hop-sized part lands on block ``i + r``; each block sums its
    parts from the earliest frame on, the order in which scipy's loop adds them."""
    blocks = np.zeros((count + overlap - 1, parts.shape[2]), parts.dtype)
    for part in range(overlap - 1, -1, -1):
        blocks[part : part + count] += parts[:, part]
    return blocks.reshape(-1)
