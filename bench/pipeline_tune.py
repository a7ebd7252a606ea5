"""A setting of the whole pipeline, scored on the tuning clips: what ``bench/tune.py`` does
for the segmenter alone, with denoising and the split stage after it.

    python3 bench/pipeline_tune.py KEY=VALUE[,KEY=VALUE] ...      # each argument one variant
    python3 bench/pipeline_tune.py --extra-tuning ...             # the 20 dB tuning clips too
    python3 bench/pipeline_tune.py --validate ...                 # then the validation clips
                                                                  # (held-out unread)
    python3 bench/pipeline_tune.py --confirm ...                  # then validation, held-out
                                                                  # (>= 8 dB) and recorded clips

Every clip goes through ``process_file`` with its language's defaults
(``PipelineSettings.for_language``) and the variant over them; the defaults are always
scored first. Printed per variant and per language, each cell sentences whole / one sentence
each / segments with no speech, pooled, and under each variant its change against the
defaults over all clips with a paired 95 % interval (``metrics.difference``; recorded clips
resampled a source at a time). The rule for choosing is ``bench/tune.py``'s: on
the tuning clips, the most "one each" that keeps "whole" at 0.98 or more; ``--validate``
scores the choice on the validation clips (new draws of the tuning material) and
``--confirm`` reads the other clips too, to see whether the verdict carries over; neither
picks a value.
About 1.5 minutes a variant for the 36 tuning clips with ``--extra-tuning``.
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
import tune  # noqa: E402

from workbench.audio.pipeline import PipelineSettings  # noqa: E402


def clip_sets(extra: bool, confirm: bool, validate: bool = False) -> dict[str, list[tuple[str, Path, list, str | None]]]:
    """{set name: [(language, clip folder, sentences' (start, end), recorded source or None)]}:
    a recorded source's clips are resampled together for the change's interval."""
    out = HERE / "out" / "grid"

    def listed(specs) -> list[tuple[str, Path, list, None]]:
        return [(spec.language, out / spec.name, [(s["start"], s["end"]) for s in grid.build(spec, out)["sentences"]], None)
                for spec in specs]

    sets = {"tuning": listed(grid.specs("tune", extra=extra))}
    if validate or confirm:
        sets["validation"] = listed(grid.specs("validation"))
    if confirm:
        import real

        sets["held-out >= 8 dB"] = listed(spec for spec in grid.specs("held_out") if spec.snr_db >= 8)
        sets["recorded"] = [(truth["spec"]["source"].split("-")[0], folder,
                             [(s["start"], s["end"]) for s in truth["sentences"]], truth["spec"]["source"])
                            for folder, truth in real.clips(HERE / "out" / "real")]
    return sets


def scored(clips: list[tuple[str, Path, list, str | None]], changes: list[str]) -> list[dict]:
    """Each clip's scores with the ``KEY=VALUE`` changes over its language's defaults."""
    out = []
    for language, folder, truth, _ in clips:
        settings = tune.variant(PipelineSettings.for_language(language), changes)
        with tempfile.TemporaryDirectory() as scratch:
            result = quality.run_ours(folder / "clip.wav", language, Path(scratch), settings)
        out.append(metrics.segment_scores(truth, result["segments"]))
    return out


def cells(clips: list[tuple[str, Path, list, str | None]], scores: list[dict]) -> str:
    """All clips pooled, then each language's."""
    per_language: dict[str, list[dict]] = {}
    for (language, *_), clip_scores in zip(clips, scores):
        per_language.setdefault(language, []).append(clip_scores)
    return " | ".join([f"all {cell(scores)}", *(f"{language} {cell(found)}" for language, found in per_language.items())])


def cell(scores: list[dict]) -> str:
    return metrics.score_cell(metrics.pooled(scores))


def main() -> None:
    arguments = sys.argv[1:]
    extra, confirm, validate = "--extra-tuning" in arguments, "--confirm" in arguments, "--validate" in arguments
    variants = [arg for arg in arguments if not arg.startswith("--")]
    for name, clips in clip_sets(extra, confirm, validate).items():
        print(f"\n{name} ({len(clips)} clips): whole / one each / no speech")
        defaults = scored(clips, [])
        print(f"  {'defaults':45s} {cells(clips, defaults)}", flush=True)
        sources = [source for *_, source in clips]
        for variant in variants:
            changed = scored(clips, variant.split(","))
            print(f"  {variant:45s} {cells(clips, changed)}", flush=True)
            print(f"  {'  change, 95 % interval':45s} "
                  f"{metrics.change_cell(defaults, changed, clusters=sources if all(sources) else None)}", flush=True)


if __name__ == "__main__":
    main()
