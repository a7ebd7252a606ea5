"""Choosing the segmentation settings on the tuning clips only, then checking the choice.

    python3 bench/tune.py                      # this project's settings, and Silero's min_silence
    python3 bench/tune.py min_pause_s=0.25 ... # score one variant of PipelineSettings
    python3 bench/tune.py --confirm min_pause_s=0.25 ...   # the chosen variant against the
                                               # defaults on the held-out and recorded clips

Scores segmentation alone (decode, high-pass and segmenter of the pipeline, no denoising),
pooled over the ``tune`` clips of ``grid.py``. Values are chosen there only; ``--confirm``
then reads the held-out grid clips and the recorded-speech clips (``real.py``) once, to see
whether the tuning clips' verdict carries over before a setting is kept. It never picks a
value: a variant that gains on the tuning clips and loses on the others is not taken.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402

from workbench.audio import denoise, pipeline, speech  # noqa: E402

OUT = HERE / "out" / "grid"


def load_tuning_clips() -> list[dict]:
    return [built_clip(OUT / spec.name, grid.build(spec, OUT), spec=spec) for spec in grid.specs("tune")]


def built_clip(folder: Path, truth: dict, **extra) -> dict:
    """A built clip as the scorers read it: the high-passed audio, the raw audio (Silero's
    input) and the sentences' (start, end), with ``extra`` keys."""
    audio = sf.read(str(folder / "clip.wav"), dtype="float32")[0]
    raw = audio.copy()
    denoise.highpass(audio, grid.RATE, out=audio)
    return {**extra, "audio": audio, "raw": raw, "truth": [(s["start"], s["end"]) for s in truth["sentences"]]}


def score(clips: list[dict], settings: pipeline.PipelineSettings) -> dict:
    per_clip, heard = [], 0.0
    for clip in clips:
        found = speech.find_speech(clip["audio"], settings)
        heard += found.opinion.seconds_heard
        per_clip.append(metrics.segment_scores(clip["truth"], [tuple(s) for s in found.padded]))
    # The share of the audio Silero's second opinion heard (0 without the extra).
    out = {"all": metrics.pooled(per_clip), "heard": heard / sum(clip["audio"].size / grid.RATE for clip in clips)}
    for language in grid.LANGUAGES:
        out[language] = metrics.pooled([s for s, c in zip(per_clip, clips) if c["spec"].language == language])
    out["worst_whole"] = min(s["sentences_whole"] for s in per_clip)
    out["worst_one"] = min(s["one_sentence_each"] for s in per_clip)
    return out


def line(name: str, result: dict) -> str:
    a = result["all"]
    langs = " ".join(f"{k}:{result[k]['sentences_whole']:.3f}/{result[k]['one_sentence_each']:.3f}" for k in grid.LANGUAGES)
    return (f"{name:40s} whole {a['sentences_whole']:.3f} one {a['one_sentence_each']:.3f} nospeech {a['no_speech_share']:.3f} "
            f"worst {result['worst_whole']:.3f}/{result['worst_one']:.3f} | {langs}"
            + (f" | Silero heard {100 * result['heard']:.0f} %" if result.get("heard") else ""))


def silero_scores(clips: list[dict], min_silence: float) -> dict:
    import silero

    per_clip = []
    for clip in clips:
        if "probs" not in clip:
            clip["probs"] = silero.probabilities(clip["raw"])
        spans = silero.speech_intervals(clip["probs"], min_silence=min_silence)
        padded = silero.pad_intervals(spans, padding=pipeline.PipelineSettings().padding_s, duration=clip["raw"].size / grid.RATE)
        per_clip.append(metrics.segment_scores(clip["truth"], [tuple(s) for s in padded]))
    return {"all": metrics.pooled(per_clip), **{lang: metrics.pooled([s for s, c in zip(per_clip, clips) if c["spec"].language == lang]) for lang in grid.LANGUAGES},
            "worst_whole": min(s["sentences_whole"] for s in per_clip), "worst_one": min(s["one_sentence_each"] for s in per_clip)}


def load_clips(split: str) -> list[dict]:
    """The held-out grid clips (``held_out``) or the recorded-speech clips (``real``, each
    with its ``source``)."""
    if split == "held_out":
        return [built_clip(OUT / spec.name, grid.build(spec, OUT), spec=spec) for spec in grid.specs("held_out")]
    import real

    return [built_clip(folder, truth, source=truth["spec"]["source"]) for folder, truth in real.clips(HERE / "out" / "real")]


def confirm(base: pipeline.PipelineSettings, variant: pipeline.PipelineSettings, label: str) -> None:
    """Defaults against the variant on the tuning, held-out and recorded-speech clips (the
    recorded tuning sources, ``real.TUNING_SOURCES``, apart from the held-out ones)."""
    import real

    recorded = load_clips("real")
    tuning = [one for one in recorded if one["source"] in real.TUNING_SOURCES]
    held_out = [one for one in recorded if one["source"] not in real.TUNING_SOURCES]
    for split, clips in (("tune", load_tuning_clips()), ("real tune", tuning), ("held_out", load_clips("held_out")),
                         ("real held", held_out)):
        for name, settings in (("defaults", base), (label, variant)):
            result = pooled_scores(clips, settings)
            print(f"{split:9s} {name:40s} whole {result['sentences_whole']:.3f} one {result['one_sentence_each']:.3f} "
                  f"nospeech {result['no_speech_share']:.3f}")


def pooled_scores(clips: list[dict], settings: pipeline.PipelineSettings) -> dict:
    return metrics.pooled([metrics.segment_scores(one["truth"], [tuple(s) for s in speech.find_speech(one["audio"], settings).padded])
                           for one in clips])


def main() -> None:
    base = pipeline.PipelineSettings()
    arguments = [arg for arg in sys.argv[1:] if arg != "--confirm"]
    if "--confirm" in sys.argv[1:]:
        confirm(base, variant(base, arguments), " ".join(arguments))
        return
    clips = load_tuning_clips()
    if arguments:
        print(line(" ".join(arguments), score(clips, variant(base, arguments))))
        return
    print(line("this project (defaults)", score(clips, base)))
    for min_silence in (0.1, 0.2, 0.3, 0.4, 0.5):
        print(line(f"silero min_silence={min_silence}", silero_scores(clips, min_silence)))


def variant(base: pipeline.PipelineSettings, arguments: list[str]) -> pipeline.PipelineSettings:
    """``base`` with ``key=value`` arguments applied (typed like the field they change)."""
    changes = {}
    for arg in arguments:
        key, value = arg.split("=")
        field = next(f for f in dataclasses.fields(base) if f.name == key)
        changes[key] = type(getattr(base, key))(value) if field.type != "bool" else value == "True"
    return dataclasses.replace(base, **changes)

if __name__ == "__main__":
    main()
