"""Choosing the segmentation settings on the tuning clips only, then checking the choice.

    python3 bench/tune.py                      # this project's settings, and Silero's min_silence
    python3 bench/tune.py min_pause_s=0.25 ... # score one variant of PipelineSettings
    python3 bench/tune.py --validate min_pause_s=0.25 ...  # the chosen variant against the
                                               # defaults on the validation clips (new draws
                                               # of the tuning material), held-out unread
    python3 bench/tune.py --confirm min_pause_s=0.25 ...   # ... and on the held-out and
                                               # recorded clips
    python3 bench/tune.py --language ja ...    # one language's clips only (a setting
                                               # for that language: settings.LANGUAGE_DEFAULTS)
    python3 bench/tune.py --extra-tuning ...   # the tuning clips at 20 dB SNR too
                                               # (grid.EXTRA_TUNE_SNRS, built for the denoiser)

Scores segmentation alone (decode, high-pass and segmenter of the pipeline, no denoising),
pooled over the ``tune`` clips of ``grid.py``. Values are chosen there only; ``--validate``
then scores the choice on the ``validation`` clips (the tuning sentences and voices in 36
new draws, two minutes each: on the defaults they score well under the tuning clips
themselves, README "Validation clips"), and ``--confirm`` also reads the held-out grid
clips and the recorded-speech clips (``real.py``) once, to see whether the tuning clips'
verdict carries over before a setting is kept. It never picks a
value: a variant that gains on the tuning clips and loses on the others is not taken.
Each clip is scored with its language's defaults (``PipelineSettings.for_language``), and
a variant changes them the same way in every language.
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


def load_tuning_clips(language: str | None = None, *, extra: bool = False) -> list[dict]:
    """The tuning clips (with ``extra``, those at ``grid.EXTRA_TUNE_SNRS`` too)."""
    return [built_clip(OUT / spec.name, grid.build(spec, OUT), spec=spec) for spec in grid.specs("tune", extra=extra)
            if language in (None, spec.language)]


def built_clip(folder: Path, truth: dict, **extra) -> dict:
    """A built clip as the scorers read it: the high-passed audio, the raw audio (Silero's
    input) and the sentences' (start, end), with ``extra`` keys."""
    audio = sf.read(str(folder / "clip.wav"), dtype="float32")[0]
    raw = audio.copy()
    denoise.highpass(audio, grid.RATE, out=audio)
    return {**extra, "language": truth["spec"]["language"], "audio": audio, "raw": raw,
            "truth": [(s["start"], s["end"]) for s in truth["sentences"]]}


def score(clips: list[dict], arguments: list[str]) -> dict:
    per_clip, heard = [], 0.0
    for clip in clips:
        found = speech.find_speech(clip["audio"], settings_for(clip["language"], arguments))
        heard += found.opinion.seconds_heard
        per_clip.append(metrics.segment_scores(clip["truth"], [tuple(s) for s in found.padded]))
    # The share of the audio Silero's second opinion heard (0 without the extra).
    return {**metrics.by_language(per_clip, [clip["language"] for clip in clips]),
            "heard": heard / sum(clip["audio"].size / grid.RATE for clip in clips)}


def line(name: str, result: dict) -> str:
    a = result["all"]
    langs = " ".join(f"{k}:{result[k]['sentences_whole']:.3f}/{result[k]['one_sentence_each']:.3f}" for k in grid.LANGUAGES
                     if k in result)
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
    return metrics.by_language(per_clip, [clip["language"] for clip in clips])


def load_clips(split: str, language: str | None = None) -> list[dict]:
    """The ``validation`` or ``held_out`` grid clips, or the recorded-speech clips (``real``,
    each with its ``source``), of ``language`` only if given."""
    if split in ("validation", "held_out"):
        clips = [built_clip(OUT / spec.name, grid.build(spec, OUT), spec=spec) for spec in grid.specs(split)]
    else:
        import real

        clips = [built_clip(folder, truth, source=truth["spec"]["source"]) for folder, truth in real.clips(HERE / "out" / "real")]
    return [one for one in clips if language in (None, one["language"])]


def confirm(arguments: list[str], language: str | None, *, extra: bool = False, held_out: bool = True) -> None:
    """Defaults against the variant on the tuning and validation clips and the recorded
    tuning sources (``real.TUNING_SOURCES``), then, with ``held_out``, on the held-out grid
    clips and the held-out recorded sources."""
    import real

    recorded = load_clips("real", language)
    tuning = [one for one in recorded if one["source"] in real.TUNING_SOURCES]
    sets = [("tune", load_tuning_clips(language, extra=extra)), ("validate", load_clips("validation", language)), ("real tune", tuning)]
    if held_out:
        sets += [("held_out", load_clips("held_out", language)),
                 ("real held", [one for one in recorded if one["source"] not in real.TUNING_SOURCES])]
    for split, clips in sets:
        if not clips:
            continue
        scored = {}
        for name, changes in (("defaults", []), *([(" ".join(arguments), arguments)] if arguments else [])):
            scored[name] = clip_scores(clips, changes)
            result = metrics.pooled(scored[name])
            print(f"{split:9s} {name:40s} whole {result['sentences_whole']:.3f} one {result['one_sentence_each']:.3f} "
                  f"nospeech {result['no_speech_share']:.3f}")
        if arguments:
            clusters = [one["source"] for one in clips] if all("source" in one for one in clips) else None
            print(f"{split:9s} {'change, 95 % interval':40s} {metrics.change_cell(*scored.values(), clusters=clusters)}")


def clip_scores(clips: list[dict], arguments: list[str]) -> list[dict]:
    """Each clip's scores with the ``key=value`` arguments applied to its language's defaults."""
    return [metrics.segment_scores(one["truth"], [tuple(s) for s in speech.find_speech(
        one["audio"], settings_for(one["language"], arguments)).padded]) for one in clips]


def main() -> None:
    arguments = sys.argv[1:]
    language = None
    if "--language" in arguments:
        at = arguments.index("--language")
        language = arguments[at + 1]
        del arguments[at : at + 2]
    extra = "--extra-tuning" in arguments
    arguments = [arg for arg in arguments if arg != "--extra-tuning"]
    if "--confirm" in arguments or "--validate" in arguments:
        confirm([arg for arg in arguments if arg not in ("--confirm", "--validate")], language, extra=extra,
                held_out="--confirm" in arguments)
        return
    clips = load_tuning_clips(language, extra=extra)
    if arguments:
        print(line(" ".join(arguments), score(clips, arguments)))
        return
    print(line("this project (defaults)", score(clips, [])))
    for min_silence in (0.1, 0.2, 0.3, 0.4, 0.5):
        print(line(f"silero min_silence={min_silence}", silero_scores(clips, min_silence)))


def settings_for(language: str, arguments: list[str]) -> pipeline.PipelineSettings:
    """``language``'s defaults with ``key=value`` arguments applied."""
    return variant(pipeline.PipelineSettings.for_language(language), arguments)


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
