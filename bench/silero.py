"""Silero VAD as the quality peer, run from the ONNX model the ``silero-vad`` package ships.

The package's Python side imports torch (a multi-GB download for a CUDA build); its model
files do not need it. So the benchmark installs the package without its dependencies
(``pip install --no-deps 'silero-vad>=6.2,<7'``), finds ``silero_vad_16k_sequence.onnx``
through the package's metadata without importing it, and runs it with onnxruntime: one
call per 512 frames of 32 ms, the LSTM state carried between calls, the same per-frame
probabilities as the streaming model. The loading and the running are the project's own
optional second opinion's (``workbench.audio.second_opinion``), here over the whole clip.

Probabilities become segments the way Silero's ``get_speech_timestamps`` does it: speech
starts at p >= 0.5 and ends after ``min_silence`` seconds below 0.35; pieces shorter than
0.25 s are dropped. Then the same padding as this project's (``PipelineSettings.padding_s``,
neighbours meeting half-way), so both deliver segments scored the same way. ``min_silence`` is the one
setting tuned, on the tuning clips, like this project's.
"""

from __future__ import annotations

import numpy as np

from workbench.audio import second_opinion
from workbench.audio.segment import pad_intervals

RATE = second_opinion.RATE
FRAME = second_opinion.FRAME
MIN_SILENCE_S = 0.2  # chosen on the tuning clips (bench/tune.py), by the rule used for ours


def session():
    """The model the project's optional second opinion runs (``workbench.audio.second_opinion``)."""
    opinion = second_opinion.load()
    if opinion is None:
        raise SystemExit("Silero VAD is not installed: pip install --no-deps 'silero-vad>=6.2,<7' onnxruntime")
    return opinion.session


def probabilities(audio: np.ndarray) -> np.ndarray:
    """Speech probability per 32 ms frame of 16 kHz mono audio, shape (ceil(n / 512),)."""
    return second_opinion.probabilities(session(), audio)


def speech_intervals(probs: np.ndarray, *, threshold: float = 0.5, min_silence: float = MIN_SILENCE_S, min_speech: float = 0.25,
                     step: float = FRAME / RATE) -> np.ndarray:
    """Silero's hysteresis on its probabilities (one per ``step`` seconds): (m, 2) seconds, unpadded."""
    off = max(threshold - 0.15, 0.01)
    out, start, quiet_since = [], None, None
    for index, p in enumerate(probs):
        if start is None:
            if p >= threshold:
                start, quiet_since = index, None
            continue
        if p >= threshold:
            quiet_since = None
        elif p < off:
            quiet_since = index if quiet_since is None else quiet_since
            if (index - quiet_since) * step >= min_silence:
                out.append((start * step, quiet_since * step))
                start, quiet_since = None, None
    if start is not None:
        out.append((start * step, probs.size * step))
    spans = np.array([s for s in out if s[1] - s[0] >= min_speech], dtype=np.float64).reshape(-1, 2)
    return spans


def segments(audio: np.ndarray, *, min_silence: float = MIN_SILENCE_S, padding: float | None = None) -> np.ndarray:
    """Delivered segments, padded like this project's (``padding`` None: its default): (m, 2) seconds."""
    from workbench.audio.settings import PipelineSettings

    spans = speech_intervals(probabilities(audio), min_silence=min_silence)
    padding = PipelineSettings().padding_s if padding is None else padding
    return pad_intervals(spans, padding=padding, duration=audio.size / RATE)
