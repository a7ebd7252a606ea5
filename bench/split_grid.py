"""How the pipeline's split stage was set for one language: the grid of its two settings.

    python3 bench/split_grid.py ja                 # the default grid for Japanese
    python3 bench/split_grid.py ko 0.4:2.0 0.5     # given pairs, pause[:sides] (sides 1.5)

Every clip of the language goes through ``process_file`` with ``long_pause_split_s`` and
``long_pause_side_s`` set to each pair ("0" turns the split off), the rest of the language's
defaults kept. Printed per pair, each cell sentences whole / one sentence each / segments
with no speech, pooled: the ``tune`` clips of ``grid.py``, the held-out clips down to 8 dB
and the recorded clips of ``real.py``. The stage comes after denoising, so ``bench/tune.py``
(segmentation alone) cannot score it. How the defaults were read off this grid is in
``workbench/audio/settings.py`` (``LANGUAGE_DEFAULTS``) and README ("A long pause splits
too"). About 40 s a pair on this machine.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402
import quality  # noqa: E402
import real  # noqa: E402

from workbench.audio.pipeline import PipelineSettings  # noqa: E402

PAUSES = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
SIDES = (1.0, 1.5, 2.0)


def clip_sets(language: str) -> dict[str, list[tuple[Path, list[tuple[float, float]]]]]:
    """{set name: [(clip folder, sentences' (start, end))]} of ``language``."""
    out = HERE / "out" / "grid"

    def sentences(truth: dict) -> list[tuple[float, float]]:
        return [(s["start"], s["end"]) for s in truth["sentences"]]

    return {
        "tuning": [(out / spec.name, sentences(grid.build(spec, out))) for spec in grid.specs("tune")
                   if spec.language == language],
        "held-out >= 8 dB": [(out / spec.name, sentences(grid.build(spec, out))) for spec in grid.specs("held_out")
                             if spec.language == language and spec.snr_db >= 8],
        "recorded": [(folder, sentences(truth)) for folder, truth in real.clips(HERE / "out" / "real")
                     if truth["spec"]["source"].split("-")[0] == language],
    }


def scored(language: str, clips: list, pause: float, side: float) -> str:
    settings = PipelineSettings.for_language(language, long_pause_split_s=pause, long_pause_side_s=side)
    scores = []
    for folder, truth in clips:
        with tempfile.TemporaryDirectory() as scratch:
            result = quality.run_ours(folder / "clip.wav", language, Path(scratch), settings)
        scores.append(metrics.segment_scores(truth, result["segments"]))
    if not scores:
        return "—"
    return metrics.score_cell(metrics.pooled(scores))


def pairs(arguments: list[str]) -> list[tuple[float, float]]:
    if not arguments:
        return [(0.0, SIDES[1])] + [(pause, side) for pause in PAUSES for side in SIDES]
    return [(float(pause), float(side or SIDES[1])) for pause, _, side in (one.partition(":") for one in arguments)]


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in grid.LANGUAGES:
        sys.exit(f"usage: python3 bench/split_grid.py {{{','.join(grid.LANGUAGES)}}} [pause[:sides] ...]")
    language = sys.argv[1]
    sets = clip_sets(language)
    print(f"| {language}: shortest pause / audio each side | " + " | ".join(sets) + " |")
    print("|---" * (len(sets) + 1) + "|")
    for pause, side in pairs(sys.argv[2:]):
        name = "no split" if pause == 0 else f"{pause:g} s / {side:g} s"
        print(f"| {name} | " + " | ".join(scored(language, clips, pause, side) for clips in sets.values()) + " |",
              flush=True)


if __name__ == "__main__":
    main()
