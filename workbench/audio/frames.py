"""Decoded frames to mono float32 blocks, and soxr's streaming resampler.

``io`` streams a whole file through these; ``halves`` streams the second half of a long
clip through the same ones in a forked process, so both halves are made alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import av
import numpy as np
import soxr

from workbench.audio.errors import AudioError

_SAMPLE_DTYPES = {"s16": np.int16, "s32": np.int32, "u8": np.uint8, "flt": np.float32, "dbl": np.float64}
_SAMPLE_SCALE = {"s16": 32768.0, "s32": 2147483648.0, "u8": 128.0, "flt": 1.0, "dbl": 1.0}


def _frame_lanes(frame) -> list[np.ndarray]:
    """One decoded frame's samples, one array per channel, read from its planes in place."""
    base = frame.format.name.rstrip("p")
    if base not in _SAMPLE_DTYPES:
        raise AudioError(f"unsupported sample format {frame.format.name!r}")
    dtype, channels, samples = _SAMPLE_DTYPES[base], frame.layout.nb_channels, frame.samples
    if frame.format.is_planar:
        return [np.frombuffer(plane, dtype=dtype, count=samples) for plane in frame.planes[:channels]]
    interleaved = np.frombuffer(frame.planes[0], dtype=dtype, count=samples * channels)
    return [interleaved[c::channels] for c in range(channels)]


def to_mono(frame) -> np.ndarray:
    """One frame's samples as float32 mono in [-1, 1]: the channels averaged."""
    lanes, base = _frame_lanes(frame), frame.format.name.rstrip("p")
    mono = lanes[0].astype(np.float32)
    for lane in lanes[1:]:
        mono += lane
    if base == "u8":
        mono -= 128.0 * len(lanes)
    mono *= np.float32(1.0 / (_SAMPLE_SCALE[base] * len(lanes)))
    return mono


def mono_blocks(frames: Iterable, name: str, source_rate: int) -> Iterator[np.ndarray]:
    """The decoder's ``frames`` as mono float32 blocks at ``source_rate``, about a second each.

    The frames hold a few milliseconds each. FFmpeg's sample FIFO joins them in C, and they
    are converted a second at a time; a frame whose sample format or channel count differs
    from the ones before it starts a new FIFO. ``AudioError`` if the sample rate changes.
    """
    fifo, kind = None, None
    for frame in frames:
        if frame.sample_rate != source_rate:
            raise AudioError(f"{name}: the sample rate changes mid-stream ({source_rate} → {frame.sample_rate} Hz)")
        frame_kind = (frame.format.name, frame.layout.nb_channels)
        if frame_kind != kind:
            if fifo is not None and fifo.samples:
                yield to_mono(fifo.read())
            fifo, kind = av.AudioFifo(), frame_kind
        # The FIFO refuses a timestamp gap; decoding keeps the samples as they come.
        frame.pts = None
        fifo.write(frame)
        if fifo.samples >= source_rate:
            yield to_mono(fifo.read())
    if fifo is not None and fifo.samples:
        yield to_mono(fifo.read())


class Resampler:
    """soxr's streaming resampler for mono float32 chunks: ``resampler(chunk)`` for each
    chunk, then ``resampler.flush()`` for the filter's tail. A no-op for equal rates.
    ``produced`` counts the samples it has given out."""

    def __init__(self, source_rate: int, target_rate: int) -> None:
        self._stream = None
        self.produced = 0
        if source_rate != target_rate:
            self._stream = soxr.ResampleStream(source_rate, target_rate, 1, dtype="float32", quality="HQ")

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        out = chunk if self._stream is None else self._stream.resample_chunk(chunk)
        self.produced += out.size
        return out

    def flush(self) -> np.ndarray:
        if self._stream is None:
            return np.zeros(0, np.float32)
        out = self._stream.resample_chunk(np.zeros(0, np.float32), last=True)
        self.produced += out.size
        return out
