"""Recorded speech for the denoisers' tests: the five LibriVox sentences Debian's
pocketsphinx-testdata ships, music that never pauses, five-talker babble made from the same
narrator, and a clip run through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.audio import pipeline
from workbench.audio.segment import frame_levels_db

RATE = 16000
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio, dB."""
    n = min(estimate.size, reference.size)
    estimate, reference = estimate[:n].astype(np.float64), reference[:n].astype(np.float64)
    target = reference * (estimate @ reference) / (reference @ reference)
    return float(10 * np.log10(np.sum(target**2) / np.sum((estimate - target) ** 2)))


def recorded_sentences() -> np.ndarray:
    """The five LibriVox sentences (one narrator), 1.2 s apart and 5 s between the second and
    the third (a turn), with a second before and after."""
    if not LIBRIVOX.is_dir():
        pytest.skip("Debian's pocketsphinx-testdata is not installed (scripts/test installs it)")
    files = sorted(LIBRIVOX.glob("*.wav"))
    assert len(files) == 5
    pieces = [np.zeros(RATE, np.float32)]
    for index, path in enumerate(files):
        audio, rate = sf.read(path, dtype="float32")
        assert rate == RATE
        pieces += [audio / np.sqrt(np.mean(audio**2)) * 0.05, np.zeros(int((5.0 if index == 1 else 1.2) * RATE), np.float32)]
    pieces.append(np.zeros(RATE, np.float32))
    return np.concatenate(pieces)


def sentence_spans() -> list[tuple[float, float]]:
    """Where ``recorded_sentences()`` holds speech: each sentence from its first to its last
    10 ms frame 15 dB or more over its file's floor (the 10th percentile of its frames), in
    seconds. Between them lie the gaps a segmenter should cut at."""
    spans, position = [], 1.0
    for index, path in enumerate(sorted(LIBRIVOX.glob("*.wav"))):
        audio = sf.read(path, dtype="float32")[0]
        level = frame_levels_db(audio, RATE)
        loud = np.flatnonzero(level > np.percentile(level, 10) + 15)
        spans.append((position + loud[0] / 100, position + (loud[-1] + 1) / 100))
        position += audio.size / RATE + (5.0 if index == 1 else 1.2)
    return spans


def plucked_chords(n: int, seed: int) -> np.ndarray:
    """Music that never pauses: a plucked three-note chord every 0.3-0.9 s over a held bass,
    so no noise-only stretch is left for a gate to learn from."""
    rng = np.random.default_rng(seed)
    out = np.zeros(n, np.float32)
    position = 0
    while position < n:
        t = np.arange(int(rng.uniform(0.3, 0.9) * RATE)) / RATE
        root = float(rng.choice([130.8, 146.8, 164.8, 174.6, 196.0, 220.0]))
        chord = sum(np.sin(2 * np.pi * root * ratio * k * t) / k**2 for ratio in (1.0, 1.26, 1.5) for k in range(1, 7))
        piece = chord * np.minimum(1.0, t / 0.01) * np.exp(-3.0 * t) + 0.5 * np.sin(2 * np.pi * root / 2 * t)
        out[position : position + t.size] = piece[: n - position]
        position += t.size
    return out


def mixed(speech: np.ndarray, background: np.ndarray, snr_db: float) -> np.ndarray:
    loud = np.abs(speech) > 1e-4
    level = np.sqrt(np.mean(speech[loud] ** 2)) * 10 ** (-snr_db / 20)
    return (speech + background * (level / np.sqrt(np.mean(background**2)))).astype(np.float32)


def processed(tmp_path: Path, audio: np.ndarray, name: str, **settings) -> tuple[np.ndarray, dict]:
    source = tmp_path / f"{name}.wav"
    sf.write(source, audio, RATE, subtype="FLOAT")
    result = pipeline.process_file(source, tmp_path / f"{name}-out", language="en",
                                   settings=pipeline.PipelineSettings(**settings))
    return sf.read(tmp_path / f"{name}-out" / "clean.flac", dtype="float32")[0], result.report


def babble(n: int) -> np.ndarray:
    """Five talkers at once, each the narrator's sentences end to end from another point."""
    talk = np.concatenate([sf.read(path, dtype="float32")[0] for path in sorted(LIBRIVOX.glob("*.wav"))])
    talk = np.tile(talk, -(-n // talk.size) + 1)
    return np.sum([talk[shift : shift + n] for shift in (7919, 35331, 66003, 98011, 131001)], axis=0)
