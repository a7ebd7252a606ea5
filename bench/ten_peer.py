"""TEN VAD as a second neural peer: measured beside this project and Silero VAD, not used.

    python3 bench/ten_peer.py       # its two settings chosen on the tuning clips, then the
                                    # held-out and recorded clips, all three side by side

TEN VAD (the ``ten-vad`` wheel on PyPI, Agora) ships its model inside a native library
(``libten_vad.so``, which needs LLVM's C++ runtime: ``apt-get install libc++1``) and gives a
speech probability per 16 ms hop of 16 kHz int16 audio. It is said to catch the short
pauses between utterances that Silero misses, which is where this project's segmentation
falls short ("one sentence each"), so it is measured here the way Silero is: Silero's
hysteresis on its probabilities (``silero.speech_intervals``, off at the threshold less
0.15, speech of at least 0.25 s), this project's padding, and the same scores.

Two settings are chosen, on the tuning clips only, by the rule this project's settings
follow (``bench/tune.py``): the most "one sentence each" that keeps "whole" at 0.98 or more,
the worst clip's "whole" breaking ties. The threshold (0.5-0.7) and ``min_silence``
(0.1-0.4 s) are searched on a grid; the held-out and recorded clips are read once, after.

It stays a benchmark peer. Its licence is Apache 2.0 with conditions (it may not be
deployed in a way that competes with Agora's offerings or lets third parties develop or
deploy applications), which an open-source workbench that others install cannot promise
for them; and it would bring a system library the app does not otherwise need.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402
import real  # noqa: E402
import silero  # noqa: E402
import tune  # noqa: E402

from workbench.audio import speech  # noqa: E402
from workbench.audio.segment import pad_intervals  # noqa: E402
from workbench.audio.settings import PipelineSettings  # noqa: E402

RATE = 16000
HOP = 256  # samples: 16 ms, the hop TEN VAD's own examples use
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7)
MIN_SILENCES = (0.1, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3, 0.4)


def probabilities(audio: np.ndarray) -> np.ndarray:
    """TEN VAD's speech probability per 16 ms hop of 16 kHz float audio, shape (n // 256,)."""
    try:
        from ten_vad import TenVad
    except ImportError as error:
        raise SystemExit(f"TEN VAD is not installed ({error}): pip install -e .[bench]; apt-get install libc++1")
    samples = np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)
    detector = TenVad(HOP, 0.5)  # its own threshold sets only the flag, which is not read
    hops = samples.size // HOP
    out = np.empty(hops, np.float32)
    for index in range(hops):
        out[index] = detector.process(samples[index * HOP : (index + 1) * HOP])[0]
    return out


def segments(probs: np.ndarray, duration: float, threshold: float, min_silence: float) -> list[tuple[float, float]]:
    """Delivered segments from TEN VAD's probabilities, padded like this project's."""
    spans = silero.speech_intervals(probs, threshold=threshold, min_silence=min_silence, step=HOP / RATE)
    padded = pad_intervals(spans, padding=PipelineSettings().padding_s, duration=duration)
    return [tuple(s) for s in padded.tolist()]


def scored(clips: list[dict], delivered) -> dict:
    """Pooled scores over ``clips`` (and per language), ``delivered(clip)`` giving each one's segments."""
    return pooled(clips, [metrics.segment_scores(clip["truth"], delivered(clip)) for clip in clips])


def pooled(clips: list[dict], per_clip: list[dict]) -> dict:
    """``per_clip`` scores (one per clip of ``clips``) pooled, over all and per language."""
    return metrics.by_language(per_clip, [clip["language"] for clip in clips])


def choose(clips: list[dict]) -> tuple[float, float, list[str]]:
    """The rule's (threshold, min_silence) on ``clips``, and the grid's lines."""
    lines, best, best_key = [], None, None
    for threshold in THRESHOLDS:
        for min_silence in MIN_SILENCES:
            result = scored(clips, lambda clip: segments(clip["ten"], clip["raw"].size / RATE, threshold, min_silence))
            pooled = result["all"]
            lines.append(f"threshold {threshold:.2f}, min_silence {min_silence:.2f} s: whole {pooled['sentences_whole']:.3f}, "
                         f"one each {pooled['one_sentence_each']:.3f}, no speech {pooled['no_speech_share']:.3f}")
            key = (pooled["one_sentence_each"], result["worst_whole"])
            if pooled["sentences_whole"] >= 0.98 and (best_key is None or key > best_key):
                best, best_key = (threshold, min_silence), key
    if best is None:
        raise SystemExit("no setting keeps whole >= 0.98 on the tuning clips")
    return (*best, lines)


def cell(result: dict, key: str) -> str:
    if key not in result:
        return "—"
    return metrics.score_cell(result[key])


def main() -> None:
    started = time.perf_counter()
    tuning = tune.load_tuning_clips()
    recorded, held_out = tune.load_clips("real"), tune.load_clips("held_out")
    sets = {
        "tuning clips": tuning,
        "held-out, >= 8 dB": [c for c in held_out if c["spec"].snr_db >= 8],
        "held-out, all": held_out,
        "recorded, held-out sources": [c for c in recorded if c["source"] not in real.TUNING_SOURCES],
        "recorded, tuning sources": [c for c in recorded if c["source"] in real.TUNING_SOURCES],
    }
    unique = list({id(c): c for group in sets.values() for c in group}.values())  # held-out >= 8 dB is in "all" too
    seconds, spent = 0.0, 0.0
    for clip in unique:
        began = time.perf_counter()
        clip["ten"] = probabilities(clip["raw"])
        spent += time.perf_counter() - began
        seconds += clip["raw"].size / RATE
        clip["silero"] = silero.probabilities(clip["raw"])
    threshold, min_silence, lines = choose(tuning)
    print("TEN VAD on the tuning clips (whole / one each / no speech):")
    print("\n".join("  " + line for line in lines))
    print(f"chosen by the rule: threshold {threshold}, min_silence {min_silence} s; "
          f"TEN VAD took {spent:.1f} s for {seconds:.0f} s of audio ({1000 * spent / seconds:.1f} ms per second)\n")
    systems = {
        "this project (segmentation)": lambda clip: [tuple(s) for s in speech.find_speech(
            clip["audio"], PipelineSettings.for_language(clip["language"])).padded.tolist()],
        "Silero VAD": lambda clip: [tuple(s) for s in pad_intervals(
            silero.speech_intervals(clip["silero"]), padding=PipelineSettings().padding_s,
            duration=clip["raw"].size / RATE).tolist()],
        f"TEN VAD ({threshold}, {min_silence} s)": lambda clip: segments(clip["ten"], clip["raw"].size / RATE,
                                                                         threshold, min_silence),
    }
    print("| clips | system | all | " + " | ".join(grid.LANGUAGES) + " | worst clip, whole |")
    print("|---|---|---|" + "---|" * len(grid.LANGUAGES) + "---|")
    # Each system cuts and scores each clip once; the sets pool those scores.
    by_clip = {system: {id(clip): metrics.segment_scores(clip["truth"], delivered(clip)) for clip in unique}
               for system, delivered in systems.items()}
    for name, clips in sets.items():
        for system in systems:
            result = pooled(clips, [by_clip[system][id(clip)] for clip in clips])
            print(f"| {name} ({len(clips)}) | {system} | {cell(result, 'all')} | "
                  + " | ".join(cell(result, language) for language in grid.LANGUAGES) + f" | {result['worst_whole']:.3f} |")
    print(f"\n(each cell: sentences whole / one sentence each / segments with no speech; {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
