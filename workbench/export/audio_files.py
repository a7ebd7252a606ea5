"""Cutting segment audio out of processed clips for the export.

Each clip is decoded once at the export's rate and its segments are sliced from that array,
so every segment of a clip shares one resampling and sample-exact boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.audio.errors import AudioError
from workbench.audio.io import probe, read_audio
from workbench.export.errors import ExportError


@dataclass(frozen=True)
class Recording:
    """A whole clip decoded for the export: ``audio`` has shape ``(n_samples,)``, float32."""

    audio: np.ndarray
    sample_rate: int

    @property
    def seconds(self) -> float:
        return self.audio.size / self.sample_rate

    def span(self, start: float, end: float) -> tuple[int, int]:
        """Sample indices ``[first, stop)`` of ``start``..``end`` seconds, clamped to the clip."""
        first = min(round(start * self.sample_rate), self.audio.size)
        stop = min(round(end * self.sample_rate), self.audio.size)
        return first, stop


def load_recording(path: Path, *, sample_rate: int | None) -> Recording:
    """Decode ``path`` to mono at ``sample_rate`` Hz, or at its own rate when it is None."""
    try:
        rate = sample_rate or probe(path).sample_rate
        audio, _ = read_audio(path, sample_rate=rate)
    except AudioError as exc:
        raise ExportError(f"cannot read processed audio {path}: {exc}") from exc
    return Recording(audio, rate)


def source_rate(path: Path) -> int:
    """The sample rate ``path`` is stored at, without decoding it."""
    try:
        return probe(path).sample_rate
    except AudioError as exc:
        raise ExportError(f"cannot read processed audio {path}: {exc}") from exc
