"""The busy-background denoisers against the gate alone, clip by clip (issue 12's SI-SDR target).

    python3 bench/enhance.py                 # held-out music and babble clips, 5-20 dB
    python3 bench/enhance.py --split tune    # the tuning clips its settings were chosen on
    python3 bench/enhance.py --split tune --extra-tuning   # ... and those at 20 dB too
    python3 bench/enhance.py --noise pink    # another noise kind

Each clip of ``grid.py`` goes through the whole pipeline three times: the gate alone
(``enhance=False, denoise_busy_method="gate"``), the Wiener filter where babble or music
filled the pauses (``enhance=False``), and the defaults (the Wiener filter, and the
enhancer offered where ``enhance.offer`` says). The SI-SDR gain of ``clean.flac`` against
the reverberant speech is printed side by side with what the pipeline decided and why.

The column "ceiling" is the Wiener filter given what no pipeline has: the true background
(the clip less its reference speech), whose mean spectrum it removes from the whole clip
with the pipeline's gain floor. It is a reference for what happens inside the speech, not
a bound: the pipeline also lowers the background between the segments, which this column
does not, and so passes it where most of a clip is background (held-out Korean babble at
20 dB: +4.4 dB against +1.0). Where the pipeline's figure stands near it, a better profile
would not help: a larger gain needs a model that tells the speaker from the background
(under babble, from other talkers).
Needs the ``enhance`` and ``silero`` extras; without them the last two columns agree.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402

from workbench.audio import denoise, pipeline  # noqa: E402

OUT = HERE / "out" / "grid"


def gain(folder: Path, language: str, settings: pipeline.PipelineSettings, base: float, reference) -> tuple[float, float, dict]:
    with tempfile.TemporaryDirectory() as scratch:
        started = time.process_time()
        result = pipeline.process_file(folder / "clip.wav", Path(scratch) / "out", language=language, settings=settings)
        cpu = time.process_time() - started
        clean = sf.read(str(Path(scratch) / "out" / "clean.flac"), dtype="float32")[0]
    return metrics.si_sdr(clean, reference) - base, cpu, result.report["denoise"]


def ceiling(clip, reference, base: float) -> float:
    """SI-SDR gain of the Wiener filter against the true background's mean spectrum."""
    noise = clip - reference
    floor = 1 - pipeline.PipelineSettings().denoise_strength
    return metrics.si_sdr(denoise.DecisionDirectedWiener(noise, floor=floor)(clip), reference) - base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("held_out", "tune"), default="held_out")
    parser.add_argument("--noise", nargs="+", default=["music", "babble"], choices=grid.NOISE_KINDS)
    parser.add_argument("--extra-tuning", action="store_true", help="with --split tune, the clips at grid.EXTRA_TUNE_SNRS too")
    options = parser.parse_args()
    print("| clip | SI-SDR gain: gate alone | SI-SDR gain: Wiener where busy | SI-SDR gain: defaults (with the enhancer) "
          "| ceiling: Wiener given the true background | kept | why | CPU s: gate / Wiener / defaults |")
    print("|---|---|---|---|---|---|---|---|")
    for spec in grid.specs(options.split, extra=options.extra_tuning):
        if spec.noise not in options.noise:
            continue
        grid.build(spec, OUT)
        folder = OUT / spec.name
        reference = sf.read(str(folder / "reference.wav"), dtype="float32")[0]
        clip = sf.read(str(folder / "clip.wav"), dtype="float32")[0]
        base = metrics.si_sdr(clip, reference)
        settings = functools.partial(pipeline.PipelineSettings.for_language, spec.language)
        gate, gate_cpu, _ = gain(folder, spec.language, settings(enhance=False, denoise_busy_method="gate"), base, reference)
        wiener, wiener_cpu, _ = gain(folder, spec.language, settings(enhance=False), base, reference)
        defaults, cpu, report = gain(folder, spec.language, settings(), base, reference)
        print(f"| {spec.name} | {gate:+.2f} | {wiener:+.2f} | {defaults:+.2f} | {ceiling(clip, reference, base):+.2f} "
              f"| {report.get('method')} | {report['enhancer']['reason']} "
              f"| {gate_cpu:.1f} / {wiener_cpu:.1f} / {cpu:.1f} |", flush=True)


if __name__ == "__main__":
    main()
