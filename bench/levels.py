"""Recording level: the held-out clips played quieter and louder, every system scored alike.

    python3 bench/levels.py [--gains -20,-10,0,6]   # also a section of bench/run.py's output

A client's recording may sit anywhere from a hot, peak-normalised podcast to a far
microphone 20 or 30 dB down. The grid's clips all sit near one level (their loud level, the
the frame level whose louder frames hold half the energy, between -29 and -15 dBFS), so the main tables cannot
show what the level does. Here each held-out clip down to 8 dB SNR is scaled by each gain
(and clipped to full scale, as a file would be) and segmented by:

- this project, with its defaults (webrtcvad and Silero's model hear the clip moved to
  ``detector_level_db``);
- this project as it was before that setting (``detector_level_db=0``: the detectors hear
  the clip as recorded);
- Silero VAD alone.

The figures are pooled over the clips: sentences whole, one sentence each, segments with no
speech. No setting was chosen on these clips; ``detector_level_db`` was chosen on the tuning
clips at their own level (README, "Recording level").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import grid  # noqa: E402
import metrics  # noqa: E402
import quality  # noqa: E402

from workbench.audio import segment  # noqa: E402
from workbench.audio.settings import PipelineSettings  # noqa: E402

GRID_OUT = HERE / "out" / "grid"
GAINS_DB = (-20.0, -10.0, 0.0, 6.0)
MIN_SNR_DB = 8
SYSTEMS = ("ours", "before", "silero")
LABELS = {"ours": "this project", "before": "this project, detectors hearing the clip as recorded",
          "silero": "Silero VAD"}


def held_out_clips() -> list[tuple]:
    """(spec, clip path, truth) for each held-out clip down to ``MIN_SNR_DB``."""
    clips = []
    for spec in grid.specs("held_out"):
        if spec.snr_db >= MIN_SNR_DB:
            truth = grid.build(spec, GRID_OUT)
            clips.append((spec, GRID_OUT / spec.name / "clip.wav",
                          [(s["start"], s["end"]) for s in truth["sentences"]]))
    return clips


def loud_level_db(audio: np.ndarray) -> float:
    """The clip's loud level as the pipeline measures it (``segment.detector_gain``)."""
    return segment.frames.loud_level_db(segment.frame_levels_db(audio, grid.RATE, frame_seconds=0.01))


def segments_of(system: str, clip: Path, language: str, scratch: Path) -> list:
    if system == "silero":
        return quality.run_silero(clip)["segments"]
    settings = PipelineSettings.for_language(language, **({"detector_level_db": 0.0} if system == "before" else {}))
    return quality.run_ours(clip, language, scratch, settings)["segments"]


def measure(gains_db=GAINS_DB) -> dict:
    """Per gain: each system's pooled scores, and the range of the clips' loud levels."""
    clips = held_out_clips()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for gain in gains_db:
            scores = {system: [] for system in SYSTEMS}
            levels = []
            for spec, path, truth in clips:
                audio = np.clip(sf.read(str(path), dtype="float32")[0] * np.float32(10 ** (gain / 20)), -1, 1)
                levels.append(loud_level_db(audio))
                scaled = scratch / "clip.wav"
                sf.write(scaled, audio, grid.RATE, subtype="FLOAT")
                for system in SYSTEMS:
                    scores[system].append(metrics.segment_scores(truth, segments_of(system, scaled, spec.language, scratch)))
            results[gain] = {"levels": (min(levels), max(levels)),
                             **{system: metrics.pooled(rows) for system, rows in scores.items()}}
            print(f"levels: gain {gain:+.0f} dB done", file=sys.stderr, flush=True)
    return results


def table(first: list[str], labels: dict, rows: list[tuple[list[str], dict]]) -> list[str]:
    """A markdown table: the ``first`` columns' headings, then whole / one each / no speech
    for each system of ``labels`` (name: heading); each row its first cells and its pooled
    scores by system."""
    head = ["| " + " | ".join(first) + " | " + " | ".join(f"{label}: whole / one each / no speech" for label in labels.values()) + " |",
            "|" + "---|" * (len(first) + len(labels))]
    body = []
    for cells, row in rows:
        scores = [f"{row[s]['sentences_whole']:.3f} / {row[s]['one_sentence_each']:.3f} / {row[s]['no_speech_share']:.3f}"
                  for s in labels]
        body.append("| " + " | ".join([*cells, *scores]) + " |")
    return head + body


def lines(results: dict) -> list[str]:
    rows = [([f"{gain:+.0f} dB", f"{row['levels'][0]:.1f} to {row['levels'][1]:.1f}"], row) for gain, row in results.items()]
    return [f"Recording level: the {MIN_SNR_DB} dB and louder held-out clips scaled (bench/levels.py)", "",
            *table(["recording level", "clips' loud level, dBFS"], LABELS, rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gains", default=",".join(f"{g:g}" for g in GAINS_DB), help="comma-separated gains in dB")
    args = parser.parse_args()
    print("\n".join(lines(measure([float(g) for g in args.gains.split(",")]))))


if __name__ == "__main__":
    main()
