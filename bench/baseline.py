"""The straightforward pipeline the issue compares against, written the obvious way:
librosa.load → webrtcvad frames with a padding collector → noisereduce defaults →
pyloudnorm.normalize.loudness, cut and written like the project's output."""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path

import librosa
import noisereduce
import numpy as np
import pyloudnorm
import soundfile as sf
import webrtcvad

RATE = 16000
FRAME_MS = 30
PADDING_MS = 300
TRIGGER_SHARE = 0.9


def padding_collector(audio: np.ndarray, *, aggressiveness: int = 3) -> list[tuple[float, float]]:
    """Segments from 30 ms webrtcvad frames: start when 90 % of the last 300 ms is voiced
    (from the oldest of those frames), stop when 90 % of the last 300 ms is unvoiced."""
    vad = webrtcvad.Vad(aggressiveness)
    frame = RATE * FRAME_MS // 1000
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()
    window = deque(maxlen=PADDING_MS // FRAME_MS)
    segments, start, triggered = [], 0.0, False
    n_frames = len(pcm) // (2 * frame)
    for index in range(n_frames):
        voiced = vad.is_speech(pcm[2 * frame * index : 2 * frame * (index + 1)], RATE)
        window.append((index, voiced))
        share = sum(v for _, v in window) / window.maxlen
        if not triggered and share > TRIGGER_SHARE:
            triggered, start = True, window[0][0] * FRAME_MS / 1000
            window.clear()
        elif triggered and 1 - share > TRIGGER_SHARE:
            triggered = False
            segments.append((start, (index + 1) * FRAME_MS / 1000))
            window.clear()
    if triggered:
        segments.append((start, n_frames * FRAME_MS / 1000))
    return segments


def run(input_path: Path, out_dir: Path) -> dict:
    timings = {}
    started = time.perf_counter()
    audio, _ = librosa.load(str(input_path), sr=RATE, mono=True)
    timings["decode"] = time.perf_counter() - started
    mark = time.perf_counter()
    segments = padding_collector(audio)
    timings["segment"] = time.perf_counter() - mark
    mark = time.perf_counter()
    denoised = noisereduce.reduce_noise(y=audio, sr=RATE)
    timings["denoise"] = time.perf_counter() - mark
    mark = time.perf_counter()
    measured = pyloudnorm.Meter(RATE).integrated_loudness(denoised)
    clean = pyloudnorm.normalize.loudness(denoised, measured, -23.0)
    timings["loudness"] = time.perf_counter() - mark
    mark = time.perf_counter()
    (out_dir / "segments").mkdir(parents=True)
    for index, (start, end) in enumerate(segments, start=1):
        sf.write(out_dir / "segments" / f"{index:05d}.flac", clean[int(start * RATE) : int(end * RATE)], RATE, subtype="PCM_16")
    sf.write(out_dir / "clean.flac", clean, RATE, subtype="PCM_16")
    timings["write"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return {"timings": {k: round(v, 3) for k, v in timings.items()}, "segments": segments}


if __name__ == "__main__":
    import sys

    print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2]))))
