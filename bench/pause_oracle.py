"""How far pause length alone can go: a segmenter with perfect hearing, on the grid's clips.

    python3 bench/pause_oracle.py                    # tuning, validation, held-out, recorded
    python3 bench/pause_oracle.py --split held_out   # one split (real: the recorded speech)

It hears the clean (reverberant) speech each clip was mixed from, with no noise at all:
speech is every 10 ms frame within ``SPEECH_WITHIN_DB`` of the clip's loud level (its 95th
percentile), and it cuts at every pause of at least T seconds, padding each segment by the
pipeline's 0.2 s (at most half the pause either side). Whatever it scores at a T is the best
any segmenter can do by cutting at pauses of that length: noise only shortens and hides
pauses. If no T keeps sentences whole at 0.98 with one sentence each at 0.95, no pause
threshold, however well heard, meets both, and the rest must come from another cue. The
last row picks for each clip the threshold that serves it best, with hindsight: the ceiling
of any rule that adapts the pause to the clip.
Held-out and validation clips are read down to 8 dB SNR, the issue's range (the pauses are
the same at every SNR; the clips differ in their draws); the recorded clips (``real.py``) per
source. Reads the clips ``grid.py`` and ``real.py`` built (``bench/out``), building any that
are missing. About 10 seconds with the clips built.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402

from workbench.audio.pipeline import PipelineSettings  # noqa: E402
from workbench.audio.segment import frame_levels_db  # noqa: E402

OUT = HERE / "out" / "grid"
FRAME_S = 0.01
# Speech within 35 dB of the loud level: the floor ``quality.diagnose`` measures a cut's
# silence against.
SPEECH_WITHIN_DB = 35.0
THRESHOLDS_S = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
# For the row "best T for each clip": every 25 ms from 0.1 to 0.6 s (THRESHOLDS_S among them).
HINDSIGHT_THRESHOLDS_S = tuple(round(0.1 + 0.025 * step, 3) for step in range(21))


def heard_speech(reference: np.ndarray, sample_rate: int = grid.RATE) -> np.ndarray:
    """Runs of speech in clean audio, (start, end) seconds, shape (n, 2): frames of 10 ms
    within ``SPEECH_WITHIN_DB`` of the 95th percentile of the frames' levels."""
    levels = frame_levels_db(reference, sample_rate, frame_seconds=FRAME_S)
    sounding = levels[levels > -100]
    if not sounding.size:
        return np.zeros((0, 2))
    loud = levels > np.percentile(sounding, 95) - SPEECH_WITHIN_DB
    edges = np.flatnonzero(np.diff(np.concatenate([[0], loud.astype(np.int8), [0]])))
    return edges.reshape(-1, 2) * FRAME_S


def cut_at_pauses(runs: np.ndarray, threshold_s: float, *, padding_s: float, duration: float) -> list[tuple[float, float]]:
    """Runs of speech joined across every pause shorter than ``threshold_s``, each padded by
    ``padding_s`` (at most half the pause to a neighbour, and within the clip)."""
    joined: list[list[float]] = []
    for start, end in runs:
        if joined and start - joined[-1][1] < threshold_s:
            joined[-1][1] = end
        else:
            joined.append([float(start), float(end)])
    padded = []
    for index, (start, end) in enumerate(joined):
        before = (start - joined[index - 1][1]) / 2 if index else start
        after = (joined[index + 1][0] - end) / 2 if index + 1 < len(joined) else duration - end
        padded.append((start - min(padding_s, before), end + min(padding_s, after)))
    return padded


def grid_clips(split: str) -> list[tuple[Path, list, str]]:
    """(clip folder, sentences' (start, end), language) of a grid split, built if missing;
    validation and held-out clips down to 8 dB SNR."""
    found = []
    for spec in grid.specs(split):
        if split == "tune" or spec.snr_db >= 8:
            truth = grid.build(spec, OUT)
            found.append((OUT / spec.name, [(s["start"], s["end"]) for s in truth["sentences"]], spec.language))
    return found


def recorded_clips() -> list[tuple[Path, list, str]]:
    """(clip folder, sentences' (start, end), source) of every recorded-speech clip (``real.py``)."""
    import real

    return [(folder, [(s["start"], s["end"]) for s in truth["sentences"]], truth["spec"]["source"])
            for folder, truth in real.clips(HERE / "out" / "real")]


def scores_by_threshold(clips: list[tuple[Path, list, str]], thresholds=THRESHOLDS_S) -> dict[float, tuple[list[dict], list[str]]]:
    """{T: (each clip's ``metrics.segment_scores``, each clip's group)}, from each clip's
    ``reference.wav`` (``clips`` as ``grid_clips`` gives them)."""
    padding = PipelineSettings().padding_s
    out: dict[float, tuple[list[dict], list[str]]] = {t: ([], []) for t in thresholds}
    for folder, sentences, group in clips:
        reference = sf.read(str(folder / "reference.wav"), dtype="float32")[0]
        runs = heard_speech(reference)
        for threshold in thresholds:
            segments = cut_at_pauses(runs, threshold, padding_s=padding, duration=reference.size / grid.RATE)
            out[threshold][0].append(metrics.segment_scores(sentences, segments))
            out[threshold][1].append(group)
    return out


def best_for_each_clip(by_threshold: dict[float, tuple[list[dict], list[str]]]) -> tuple[list[dict], list[str]]:
    """Each clip's scores at the threshold that serves it best, chosen with hindsight: the
    most sentences whole plus segments with one sentence (as shares of the clip's), the
    larger "whole" breaking ties. What a rule adapting the pause to each clip (its SNR, its
    speakers' rate) could at best reach."""
    thresholds = list(by_threshold)
    names = by_threshold[thresholds[0]][1]

    def merit(scores: dict) -> tuple[float, float]:
        return scores["sentences_whole"] + scores["one_sentence_each"], scores["sentences_whole"]

    return [max((by_threshold[t][0][index] for t in thresholds), key=merit) for index in range(len(names))], names


def table(by_threshold: dict[float, tuple[list[dict], list[str]]], shown=THRESHOLDS_S) -> list[str]:
    """One row per threshold in ``shown``, then the best threshold for each clip over all of
    ``by_threshold``'s: all clips pooled, then each group (language, or recorded source),
    whole / one each."""
    named = dict.fromkeys(name for _, names in by_threshold.values() for name in names)
    languages = [lang for lang in grid.LANGUAGES if lang in named] + [name for name in named if name not in grid.LANGUAGES]
    rows = ["| cut at pauses of at least | all: whole / one each | " + " | ".join(languages) + " |",
            "|---|---|" + "---|" * len(languages)]
    shown_rows = [(f"{threshold:g} s", by_threshold[threshold]) for threshold in shown if threshold in by_threshold]
    for label, (scores, names) in [*shown_rows, ("the best T for each clip, with hindsight", best_for_each_clip(by_threshold))]:
        pooled = metrics.by_language(scores, names)
        cells = [f"{pooled[key]['sentences_whole']:.3f} / {pooled[key]['one_sentence_each']:.3f}" for key in ("all", *languages)]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("tune", "validation", "held_out", "real"), action="append",
                        help="the clips to read (repeatable; default: all four; real: the recorded speech, per source)")
    options = parser.parse_args()
    for split in options.split or ("tune", "validation", "held_out", "real"):
        clips = recorded_clips() if split == "real" else grid_clips(split)
        print(f"\n{split} ({len(clips)} clips{'' if split in ('tune', 'real') else ', 8 dB SNR and up'}), perfect hearing:\n")
        print("\n".join(table(scores_by_threshold(clips, HINDSIGHT_THRESHOLDS_S))), flush=True)


if __name__ == "__main__":
    main()
