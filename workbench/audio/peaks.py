"""A waveform's outline for drawing: the loudest sample of each short bucket of a file.

The task page's whole-clip timeline draws these instead of decoding the clip, so it never
downloads the audio (what a reviewer hears still goes through the listened-to segment
route). Read in blocks: a long clip never sits in memory whole.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import soundfile as sf

# Buckets per second of audio: 20 (50 ms, the nudge step) draws a 10-minute clip from
# 12,000 numbers.
PEAKS_PER_SECOND = 20


def waveform_peaks(path: Path, *, per_second: int = PEAKS_PER_SECOND) -> tuple[float, list[float]]:
    """``(duration_s, peaks)``: the absolute peak (0..1, three decimals) of every
    ``1/per_second`` s of the file's mono mix, the last bucket possibly shorter."""
    with sf.SoundFile(str(path)) as handle:
        rate, frames = handle.samplerate, handle.frames
        bucket = max(1, rate // per_second)
        peaks: list[float] = []
        carry = np.zeros(0, np.float32)
        for block in handle.blocks(blocksize=bucket * per_second * 10, dtype="float32", always_2d=True):
            samples = np.concatenate([carry, np.abs(block).max(axis=1)])
            whole = len(samples) // bucket * bucket
            if whole:
                peaks.extend(samples[:whole].reshape(-1, bucket).max(axis=1).tolist())
            carry = samples[whole:]
        if len(carry):
            peaks.append(float(carry.max()))
    return frames / rate, [round(min(1.0, p), 3) if math.isfinite(p) else 0.0 for p in peaks]
