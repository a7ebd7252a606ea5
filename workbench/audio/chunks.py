"""Chunked array processing, so a 2-hour clip is transformed with bounded extra memory."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

DEFAULT_CHUNK = 16000 * 60


def map_chunks(
    audio: np.ndarray,
    transform: Callable[[np.ndarray], np.ndarray],
    *,
    context: int,
    chunk: int = DEFAULT_CHUNK,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Apply a length-preserving ``transform`` chunk by chunk with ``context`` samples each side.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,)
    transform : callable taking and returning a 1-D array of the same length.
    context : samples of input added on each side of a chunk and dropped from its output,
        so effects that look around (filters, STFT frames) see the neighbours.
    chunk : samples written per call.
    out : where to write; may be ``audio`` itself (in place). A new array when ``None``.

    Returns
    -------
    np.ndarray, shape (n_samples,)
        ``out``. In-place use is safe: the left context is kept from before it is overwritten.
    """
    if audio.ndim != 1:
        raise ValueError("audio must be 1-D")
    if out is None:
        out = np.empty_like(audio)
    left = np.zeros(0, dtype=audio.dtype)
    for start in range(0, audio.size, chunk):
        end = min(start + chunk, audio.size)
        right_end = min(end + context, audio.size)
        window = np.concatenate([left, audio[start:right_end]])
        result = transform(window)
        next_left = audio[max(end - context, 0) : end].copy()
        out[start:end] = result[left.size : left.size + end - start]
        left = next_left
    return out
