"""Chunked array processing, so a 2-hour clip is transformed with bounded extra memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

DEFAULT_CHUNK = 16000 * 60


def map_chunks(
    audio: np.ndarray,
    transform: Callable[[np.ndarray], np.ndarray],
    *,
    context: int,
    chunk: int = DEFAULT_CHUNK,
    out: np.ndarray | None = None,
    workers: int = 1,
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
    workers : chunks transformed at once, on that many threads; worth it only for a
        ``transform`` that releases the GIL (scipy's ``sosfilt``). Each chunk's input is
        copied before any output is written, so in-place use stays safe.

    Returns
    -------
    np.ndarray, shape (n_samples,)
        ``out``. In-place use is safe: the left context is kept from before it is overwritten.
    """
    if audio.ndim != 1:
        raise ValueError("audio must be 1-D")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if out is None:
        out = np.empty_like(audio)
    if workers == 1:
        for start, end, left, window in _windows(audio, context, chunk):
            out[start:end] = transform(window)[left : left + end - start]
        return out
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for start, end, left, window in _windows(audio, context, chunk):
            pending.append((start, end, left, pool.submit(transform, window)))
            if len(pending) == workers:
                _write_first(pending, out)
        while pending:
            _write_first(pending, out)
    return out


def _windows(audio: np.ndarray, context: int, chunk: int) -> Iterator[tuple[int, int, int, np.ndarray]]:
    """Each chunk's (start, end, samples of left context, window with its context), the window
    a copy. A window reads ``audio`` only from its own chunk's start on; its left context was
    copied when the window before it was made, so writing a chunk's output over ``audio``
    once its window exists never changes a later window."""
    left = np.zeros(0, dtype=audio.dtype)
    for start in range(0, audio.size, chunk):
        end = min(start + chunk, audio.size)
        right_end = min(end + context, audio.size)
        window = np.concatenate([left, audio[start:right_end]])
        next_left = audio[max(end - context, 0) : end].copy()
        yield start, end, left.size, window
        left = next_left


def _write_first(pending: deque, out: np.ndarray) -> None:
    start, end, left, result = pending.popleft()
    out[start:end] = result.result()[left : left + end - start]
