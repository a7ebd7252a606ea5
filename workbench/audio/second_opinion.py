"""A second opinion from Silero VAD where webrtcvad is unsure (an optional extra).

webrtcvad is the fast first pass over the whole clip. Its weak spots are the ones a learnt
model covers: music and babble it takes for speech, and gaps between sentences that the
background fills. So after the first pass, Silero's model is asked about two kinds of
candidate segment only:

1. **short ones** (``check_below_s``): where the no-speech segments are (a stretch of
   music or babble, a chord, a laugh); a piece the model hears as speech in less than
   ``min_speech_share`` of its frames, and for less than ``min_speech_s`` in all, is
   dropped;
2. **long ones** (``split_above_s``): where sentences were merged; they are split where
   the model hears no speech (probability under 0.35) for ``min_pause_s`` or more, and
   the level agrees (at least part of that stretch is quiet).

Everything between is left as webrtcvad and the level made it, so the model runs on a
fraction of the clip (``Verdict.seconds_heard``); the pipeline reports that fraction.

The model is the ONNX file the ``silero-vad`` package ships
(``silero_vad/data/silero_vad_16k_sequence.onnx``), found through the package's metadata
without importing it (its Python side imports torch) and run with onnxruntime: install
``pip install -e .[silero]`` and ``pip install --no-deps 'silero-vad>=6.2,<7'``. Nothing is
downloaded. Without either, ``load()`` returns ``None`` and the segmenter works as before.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.audio.extras import installed_file
from workbench.audio.segment import runs

RATE = 16000
FRAME = 512  # samples per model frame: 32 ms
FRAME_S = FRAME / RATE
CONTEXT = 64  # samples of the previous frame the model sees with each frame
CALL_FRAMES = 512  # frames per ONNX call
WARM_UP_S = 0.5  # audio before a span the model hears first, so its state has settled
SPAN_WORKERS = 2  # spans heard at once, each on one onnxruntime thread
SPEECH_P = 0.5  # Silero's own thresholds: speech at or above, silence below SILENCE_P
SILENCE_P = 0.35
MODEL_FILE = "silero_vad/data/silero_vad_16k_sequence.onnx"
MISSING = "the optional Silero extra is not installed (pip install -e .[silero] and pip install --no-deps 'silero-vad>=6.2,<7')"


def model_path() -> Path | None:
    """The shipped ONNX model's path, or ``None`` when ``silero-vad`` is not installed."""
    return installed_file("silero-vad", MODEL_FILE)


@functools.cache
def load() -> Opinion | None:
    """The model, ready to run; ``None`` when the extra is missing or will not load.

    Cached for the process (``load.cache_clear()`` to look again).
    """
    path = model_path()
    if path is None:
        return None
    try:
        import onnxruntime
    except ImportError:
        return None
    options = onnxruntime.SessionOptions()
    # One thread a run: the model is too small to split, and ``refine`` runs two spans at once.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - a corrupt or incompatible model file: fall back, as without the extra
        return None
    return Opinion(session)


def probabilities(session, audio: np.ndarray) -> np.ndarray:
    """Silero's speech probability per 32 ms frame of 16 kHz mono ``audio``, shape
    (ceil(n / 512),), from a fresh state: the streaming model's own numbers."""
    audio = np.asarray(audio, np.float32)
    n_frames = -(-audio.size // FRAME)
    h = np.zeros((1, 1, 128), np.float32)
    c = np.zeros((1, 1, 128), np.float32)
    out = []
    # A call's windows are built for that call alone: a long span (an hour of music in one
    # segment) would otherwise hold about two float32 copies of itself while it is heard.
    for first in range(0, n_frames, CALL_FRAMES):
        count = min(CALL_FRAMES, n_frames - first)
        # Each frame is fed with the last 64 samples of the one before it (zeros for the
        # first), so window j is flat[j * FRAME : j * FRAME + CONTEXT + FRAME].
        begin = first * FRAME - CONTEXT
        piece = audio[max(begin, 0) : (first + count) * FRAME]
        flat = np.zeros(count * FRAME + CONTEXT, np.float32)
        flat[max(-begin, 0) : max(-begin, 0) + piece.size] = piece
        windows = np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(flat, CONTEXT + FRAME)[::FRAME])
        probs, h, c = session.run(["speech_probs", "hn", "cn"], {"input": windows, "h": h, "c": c})
        out.append(probs.reshape(-1))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


@dataclass(frozen=True)
class Opinion:
    """The loaded model (one per process, shared by threads: onnxruntime's ``run`` is safe).
    ``gain`` multiplies the audio it hears (``dataclasses.replace`` for a clip's own:
    ``segment.detector_gain``)."""

    session: object
    gain: float = 1.0

    def span(self, audio: np.ndarray, start: float, end: float) -> tuple[np.ndarray, float]:
        """Probabilities per 32 ms frame of ``[start, end)`` seconds of ``audio`` (16 kHz),
        frame ``k`` covering ``start + k * 0.032`` on, and the seconds of audio the model
        heard for them: it first hears ``WARM_UP_S`` before ``start``."""
        first = max(int(start * RATE) - int(WARM_UP_S * RATE), 0)
        begin, last = int(start * RATE), min(int(end * RATE), audio.size)
        # Whole frames from ``first``, so that frame boundaries fall on ``begin`` exactly.
        first = begin - (begin - first) // FRAME * FRAME
        piece = audio[first:last] if self.gain == 1.0 else audio[first:last] * np.float32(self.gain)
        probs = probabilities(self.session, piece)
        return probs[(begin - first) // FRAME :], (last - first) / RATE


@dataclass(frozen=True)
class Verdict:
    """What the second opinion did to a clip's segments (for ``report.json``)."""

    used: bool
    reason: str = ""
    seconds_heard: float = 0.0
    dropped: int = 0
    splits: int = 0
    # The level split of long segments that comes with the model (``speech.py``): whether it
    # ran, and how far the clip's speech stands over its floor (what decides it).
    level_split: bool = False
    speech_over_floor_db: float | None = None

    def to_dict(self, duration: float) -> dict:
        return {"used": self.used, "reason": self.reason, "seconds_heard": round(self.seconds_heard, 2),
                "share_of_clip": round(self.seconds_heard / duration, 4) if duration else 0.0,
                "dropped": self.dropped, "splits": self.splits, "level_split": self.level_split,
                "speech_over_floor_db": None if self.speech_over_floor_db is None else round(self.speech_over_floor_db, 1)}


def refine(intervals: np.ndarray, audio: np.ndarray, quiet: np.ndarray, *, opinion: Opinion, quiet_frame_s: float,
           check_below_s: float, min_speech_share: float, split_above_s: float, min_pause_s: float,
           min_quiet_share: float, min_speech_s: float = 0.0) -> tuple[np.ndarray, np.ndarray, Verdict]:
    """Split long intervals at the model's pauses and drop short ones it does not hear as speech.

    Parameters
    ----------
    intervals : (m, 2) seconds, unpadded speech from the first pass
    audio : the 16 kHz clip the intervals are on
    quiet : bool per frame of ``quiet_frame_s`` (``segment.quiet_frames``): a model pause
        is a cut only where at least ``min_quiet_share`` of it is quiet by the level too.
    min_speech_s : a short interval the model hears as speech for this long in all is kept
        whatever its share (0: the share alone decides): a short reply in a segment that
        holds a second of background (``_heard``).

    Returns
    -------
    (kept, dropped, verdict): (k, 2) and (j, 2) seconds
    """
    kept: list[tuple[float, float]] = []
    dropped: list[tuple[float, float]] = []
    splits, heard = 0, 0.0
    intervals = np.asarray(intervals, dtype=np.float64).reshape(-1, 2)
    asked = [(start, end) for start, end in intervals if end - start > split_above_s or end - start < check_below_s]
    # Each span is heard from a fresh state, so the spans are independent: two at a time, on
    # two threads (onnxruntime's ``run`` releases the GIL), in order.
    with ThreadPoolExecutor(max_workers=SPAN_WORKERS) as pool:
        spans = dict(zip(asked, pool.map(lambda span: opinion.span(audio, *span), asked)))
    for start, end in intervals:
        if end - start > split_above_s:
            probs, seconds = spans[start, end]
            heard += seconds
            pieces = _split_at_pauses(start, end, probs, quiet, quiet_frame_s=quiet_frame_s, min_pause_s=min_pause_s,
                                      min_quiet_share=min_quiet_share)
            splits += len(pieces) - 1
            for a, b in pieces:
                # A piece the split produced is judged on the probabilities already there.
                if b - a < check_below_s and not _heard(probs, a - start, b - start, min_speech_share, min_speech_s):
                    dropped.append((a, b))
                else:
                    kept.append((a, b))
        elif end - start < check_below_s:
            probs, seconds = spans[start, end]
            heard += seconds
            (kept if _heard(probs, 0.0, end - start, min_speech_share, min_speech_s) else dropped).append((start, end))
        else:
            kept.append((start, end))
    verdict = Verdict(used=True, seconds_heard=heard, dropped=len(dropped), splits=splits)
    return np.array(kept, dtype=np.float64).reshape(-1, 2), np.array(dropped, dtype=np.float64).reshape(-1, 2), verdict


def _heard(probs: np.ndarray, start: float, end: float, min_share: float, min_seconds: float) -> bool:
    """Whether the model hears ``[start, end)`` seconds (relative to ``probs``' first frame)
    as speech: in at least ``min_share`` of its frames, or, with ``min_seconds`` > 0, for at
    least that long in all."""
    part = probs[int(start / FRAME_S) : max(int(end / FRAME_S), int(start / FRAME_S) + 1)]
    if not part.size:
        return False
    speech = int(np.count_nonzero(part >= SPEECH_P))
    return speech / part.size >= min_share or (min_seconds > 0 and speech * FRAME_S >= min_seconds)


def _split_at_pauses(start: float, end: float, probs: np.ndarray, quiet: np.ndarray, *, quiet_frame_s: float,
                     min_pause_s: float, min_quiet_share: float) -> list[tuple[float, float]]:
    """``[start, end)`` cut in the middle of each model pause of ``min_pause_s`` or more
    (not touching either end) that the level agrees with."""
    min_frames = max(1, int(round(min_pause_s / FRAME_S)))
    cuts = []
    for a, b in runs(probs < SILENCE_P):
        if a == 0 or b >= probs.size or b - a < min_frames:
            continue
        t0, t1 = start + a * FRAME_S, start + b * FRAME_S
        level = quiet[int(round(t0 / quiet_frame_s)) : int(round(t1 / quiet_frame_s))]
        if min_quiet_share > 0 and (not level.size or level.mean() < min_quiet_share):
            continue
        cuts.append((t0 + t1) / 2)
    points = [start, *cuts, end]
    return list(zip(points[:-1], points[1:]))
