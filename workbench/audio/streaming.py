"""Decoding with the first analysis running alongside: the pipeline's opening stage.

Three threads share the work while the file is read once:

- the decoder (PyAV, which releases the GIL while it decodes) streams mono chunks at the
  source's rate through a short queue;
- the caller's thread resamples them to 16 kHz (soxr), copies them into one array,
  high-passes each finished stretch in place and asks webrtcvad about its frames, a few
  seconds behind the decoder;
- a writer encodes the untouched decoded audio to ``original.flac`` (libsndfile releases
  the GIL too).

A stretch is finished once the decoder is ``Highpass.context`` samples past it, so every
sample is filtered with the same look-around as ``denoise.highpass`` gives it, and
webrtcvad sees the frames in order, exactly as in one pass over the whole clip.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from workbench.audio import io
from workbench.audio.denoise import Highpass
from workbench.audio.vad import FrameClassifier

# Samples high-passed and classified at a time (a multiple of every VAD frame length).
STEP = 4 * io.TARGET_RATE
QUEUE_CHUNKS = 8
_END = object()


@dataclass
class Decoded:
    """The opening stage's result.

    ``audio``: float32 of shape (n_samples,) at 16 kHz, already high-passed.
    ``decisions``: bool of shape (n_samples // frame,), webrtcvad's answer per frame.
    ``busy``: seconds the caller's thread spent high-passing and classifying (they overlap
    the decoding, so they are not stages of their own).
    """

    audio: np.ndarray
    decisions: np.ndarray
    info: io.SourceInfo
    busy: dict[str, float] = field(default_factory=dict)


def decode_and_analyse(
    input_path: Path,
    original_path: Path,
    *,
    highpass: Highpass,
    classify: FrameClassifier,
    on_samples: Callable[[int, int], None] | None = None,
) -> Decoded:
    """Decode ``input_path`` to 16 kHz mono, write it to ``original_path`` (16-bit FLAC),
    and return it high-passed with its VAD decisions.

    ``on_samples(done, expected)`` reports progress in decoded samples. Raises
    ``AudioError`` for unreadable input; the decoder thread is stopped on any failure.
    """
    # The decoder thread hands over source-rate chunks and this one resamples them, which
    # shares the work between two cores about evenly.
    info, chunks = io.decode_chunks(input_path, sample_rate=None)
    resample = io.Resampler(info.sample_rate, io.TARGET_RATE)
    expected = int(info.duration * io.TARGET_RATE)
    if STEP % classify.frame:
        raise ValueError("the VAD frame must divide the analysis step")
    stop = threading.Event()
    handoff: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
    decoder = threading.Thread(target=_produce, args=(chunks, handoff, stop), name="decode", daemon=True)
    analysis = _Analysis(highpass, classify, capacity=expected)
    # At most a few chunks wait for the FLAC encoder, so a slow disk cannot pile them up.
    in_flight: deque = deque()
    decoder.start()
    try:
        with sf.SoundFile(original_path, "w", io.TARGET_RATE, 1, "PCM_16", format="FLAC") as original, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="original") as writer:
            for chunk in _resampled(_consume(handoff), resample):
                if len(in_flight) >= 4:
                    in_flight.popleft().result()
                in_flight.append(writer.submit(original.write, chunk))
                analysis.feed(chunk)
                if on_samples is not None:
                    on_samples(analysis.filled, expected)
            analysis.finish()
            while in_flight:
                in_flight.popleft().result()
    finally:
        stop.set()
        decoder.join()
    return Decoded(audio=analysis.audio, decisions=analysis.decisions, info=info, busy=analysis.busy)


def _produce(chunks: Iterator[np.ndarray], handoff: queue.Queue, stop: threading.Event) -> None:
    """The decoder thread: every chunk, then ``_END`` or the exception that ended it."""

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        for chunk in chunks:
            if not put(chunk):
                return
        put(_END)
    except BaseException as exc:  # handed to the caller's thread, which raises it
        put(exc)
    finally:
        chunks.close()


def _consume(handoff: queue.Queue) -> Iterator[np.ndarray]:
    while True:
        item = handoff.get()
        if item is _END:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def _resampled(chunks: Iterator[np.ndarray], resample: io.Resampler) -> Iterator[np.ndarray]:
    for chunk in chunks:
        yield resample(chunk)
    tail = resample.flush()
    if tail.size:
        yield tail


class _Analysis:
    """One growing array, high-passed in place and classified stretch by stretch."""

    def __init__(self, highpass: Highpass, classify: FrameClassifier, *, capacity: int) -> None:
        self.highpass, self.classify = highpass, classify
        self.samples = io.SampleBuffer(capacity)
        self.done = 0  # samples high-passed and classified
        self.left = np.zeros(0, np.float32)  # the unfiltered context before ``done``
        self.pieces: list[np.ndarray] = []
        self.busy = {"highpass": 0.0, "vad": 0.0}

    @property
    def audio(self) -> np.ndarray:
        return self.samples.array

    @property
    def filled(self) -> int:
        return self.samples.filled

    @property
    def decisions(self) -> np.ndarray:
        return np.concatenate(self.pieces) if self.pieces else np.zeros(0, bool)

    def feed(self, chunk: np.ndarray) -> None:
        self.samples.append(chunk)
        while self.filled - self.highpass.context - self.done >= STEP:
            self._advance(self.done + STEP)

    def finish(self) -> None:
        if self.filled > self.done:
            self._advance(self.filled)

    def _advance(self, end: int) -> None:
        """High-pass and classify ``[done, end)``; ``end`` is ``filled`` or ``done + STEP``."""
        context, audio = self.highpass.context, self.samples.array
        started = time.perf_counter()
        before = self.left.size
        filtered = self.highpass(np.concatenate([self.left, audio[self.done : end + context]]))
        # Keep the unfiltered tail as the next stretch's left context before overwriting it.
        self.left = audio[max(end - context, 0) : end].copy()
        audio[self.done : end] = filtered[before : before + end - self.done]
        classified = time.perf_counter()
        self.pieces.append(self.classify(audio[self.done : end]))
        self.busy["highpass"] += classified - started
        self.busy["vad"] += time.perf_counter() - classified
        self.done = end
