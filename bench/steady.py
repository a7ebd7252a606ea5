"""A noise spectrum for a clip with no pause, learnt from the clip itself: measured, not used.

    python3 bench/steady.py                 # tuning clips of their own and the recorded tuning source (about 3 min)
    python3 bench/steady.py --held-out      # the grid's held-out clips at 5 dB babble, read afterwards

Under babble at 5 dB SNR webrtcvad hears speech in every frame, so neither the pauses nor
the stretches between the segments leave noise to learn a profile from, and the pipeline
sends such a clip out as it came (SI-SDR +0.000). README named the next thing to try: an
estimate of the background that needs no pause. This tries the plainest one: per
frequency, a percentile of the clip's own STFT power (over at most 120 s of it, in
ten-second pieces spread evenly) times a scale, as the noise spectrum of the pipeline's
Wiener filter (``denoise.DecisionDirectedWiener``, its gain floor and frames), over the
whole high-passed clip; and, as a second estimate, the clip's quietest share of 20 ms
frames taken as the filter's noise samples (the babble's troughs between and under the
quieter words). Per clip it prints the SI-SDR gain (against the reverberant speech
alone) of the pipeline as it is, of that filter for each share and for a grid of
percentiles and scales, and of
the same filter given the true background's mean spectrum (the "ceiling": the best any one
spectrum can do), with the clip's level spread (the 10 ms levels' median over their 10th
percentile: speech alone dips 12-27 dB between its syllables, speech under a background
that never lets up 5-8 dB), the test that would have let the filter run.

The first table is eight synthetic tuning clips of their own (two per language, seeds
5000-5031, other draws of the tuning sentences and voices); the second the recorded tuning
source (``real.TUNING_SOURCES``): the LibriVox narrator's sentences end to end with no
pause, under babble of his own voice five times over, at SNRs whose level spread such a
test lets through. A setting that loses SI-SDR on the second is no candidate, however well
it does on the first. The held-out clips are read only to report. Not a test: nothing here
asserts.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402
import real  # noqa: E402

from workbench.audio import denoise  # noqa: E402
from workbench.audio.chunks import map_chunks  # noqa: E402
from workbench.audio.pipeline import process_file  # noqa: E402
from workbench.audio.segment import frame_powers, runs  # noqa: E402
from workbench.audio.settings import PipelineSettings  # noqa: E402

OUT = HERE / "out" / "grid"
PERCENTILES = (10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0)
SCALES = (0.5, 1.0, 1.5, 2.0)
# The recorded tuning source: LibriVox sentences end to end with no pause, under babble of
# the same narrator five times over, at SNRs whose level spread stays under the 8 dB such a
# test would have let through (4.8-7.6 dB).
RECORDED_SNRS = (3.0, 5.0, 8.0, 10.0, 11.0)
# Shares of the clip's quietest 20 ms frames taken as the noise profile (samples, not a
# spectrum estimate): the babble's troughs between and under the quieter words.
QUIETEST_SHARES = (0.1, 0.3, 0.5, 0.7)


def tuning_specs() -> list[grid.ClipSpec]:
    return [grid.ClipSpec("tune", language, "babble", 5.0, 5000 + 10 * li + k, 90.0)
            for li, language in enumerate(grid.LANGUAGES) for k in range(2)]


def held_out_specs() -> list[grid.ClipSpec]:
    return [spec for spec in grid.specs("held_out") if spec.noise == "babble" and spec.snr_db == 5.0]


def level_spread_db(audio: np.ndarray) -> float:
    """The median of the clip's 10 ms levels over their 10th percentile, dB."""
    powers = frame_powers(audio, grid.RATE // 100)
    median, low = np.percentile(powers[powers > 1e-10], [50, 10])
    return float(10 * np.log10(median / low))


def quietest_frames(audio: np.ndarray, share: float) -> np.ndarray:
    """The samples of ``audio``'s quietest ``share`` of 20 ms frames (digital silence left
    out), adjacent frames kept together, in the clip's order."""
    frame = grid.RATE // 50
    powers = frame_powers(audio, frame)
    sounding = np.flatnonzero(powers > 0)
    count = min(int(share * powers.size), sounding.size)
    chosen = np.zeros(powers.size, dtype=bool)
    chosen[sounding[np.argpartition(powers[sounding], count - 1)[:count]]] = True
    return np.concatenate([audio[start * frame : end * frame] for start, end in runs(chosen)])


def own_background(audio: np.ndarray, percentile: float) -> np.ndarray:
    """Per Wiener-filter frequency bin, the ``percentile`` of the STFT power over at most
    120 s of ``audio``, ten-second pieces spread evenly over it."""
    piece = 10 * grid.RATE
    count = max(1, min(12, audio.size // piece))
    starts = np.linspace(0, max(audio.size - piece, 0), count).astype(int)
    powers = np.concatenate([np.abs(denoise.DecisionDirectedWiener._spectrum(audio[start : start + piece])) ** 2
                             for start in starts], axis=1)
    return np.percentile(powers, percentile, axis=1)


@functools.cache
def narrator() -> tuple[np.ndarray, np.ndarray]:
    """The LibriVox narrator's sentences with no pause between them (speech from start to
    end, so no noise-only stretch), and his own voice five times over, as long."""
    talk = np.concatenate([u["audio"] for u in real.utterances() if u["speaker"] == 0])
    talk = (talk / np.sqrt(np.mean(talk**2)) * 0.05).astype(np.float32)
    crowd = np.tile(talk, 7)
    return talk, np.sum([crowd[shift : shift + talk.size] for shift in (7919, 35331, 66003, 98011, 131001)], axis=0)


def recorded(snr_db: float) -> tuple[np.ndarray, np.ndarray]:
    """``narrator``'s speech under his babble at ``snr_db``: the clip and its reference."""
    talk, babble = narrator()
    background = babble * (np.sqrt(np.mean(talk**2)) * 10 ** (-snr_db / 20) / np.sqrt(np.mean(babble**2)))
    return (talk + background).astype(np.float32), talk


def grid_clip(spec: grid.ClipSpec) -> tuple[np.ndarray, np.ndarray]:
    grid.build(spec, OUT)
    folder = OUT / spec.name
    return (sf.read(str(folder / "clip.wav"), dtype="float32")[0], sf.read(str(folder / "reference.wav"), dtype="float32")[0])


def gains(noisy: np.ndarray, reference: np.ndarray, language: str) -> dict[str, float]:
    before = metrics.si_sdr(noisy, reference)
    settings = PipelineSettings()
    with tempfile.TemporaryDirectory() as scratch:
        sf.write(Path(scratch) / "clip.wav", noisy, grid.RATE, subtype="FLOAT")
        process_file(Path(scratch) / "clip.wav", Path(scratch) / "out", language=language)
        pipeline = sf.read(str(Path(scratch) / "out" / "clean.flac"), dtype="float32")[0]
    row = {"spread dB": level_spread_db(noisy), "pipeline": metrics.si_sdr(pipeline, reference) - before}
    highpassed = denoise.highpass(noisy.copy(), grid.RATE, cutoff_hz=settings.highpass_hz)
    background = highpassed - denoise.highpass(reference.copy(), grid.RATE, cutoff_hz=settings.highpass_hz)
    keep = 1.0 - settings.denoise_strength

    def filtered(wiener: denoise.DecisionDirectedWiener) -> float:
        out = map_chunks(highpassed, wiener, context=denoise.WIENER_CONTEXT, chunk=denoise.GATE_CHUNK)
        return metrics.si_sdr(out, reference) - before

    wiener = denoise.DecisionDirectedWiener(background, floor=keep)
    row["ceiling"] = filtered(wiener)
    for share in QUIETEST_SHARES:
        row[f"quietest {share:g}"] = filtered(denoise.DecisionDirectedWiener(quietest_frames(highpassed, share), floor=keep))
    for percentile in PERCENTILES:
        power = own_background(highpassed, percentile)
        for scale in SCALES:
            # The filter takes noise samples; its spectrum is swapped for the estimate.
            wiener.noise_power = (power * scale + 1e-12).astype(np.float32)
            row[f"p{percentile:g} x{scale:g}"] = filtered(wiener)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="the grid's held-out clips at 5 dB babble instead")
    args = parser.parse_args()
    specs = held_out_specs() if args.held_out else tuning_specs()
    table(f"SI-SDR gain (dB) on {'held-out' if args.held_out else 'tuning'} clips, babble at 5 dB",
          {f"{spec.language} s{spec.seed}": gains(*grid_clip(spec), spec.language) for spec in specs})
    if not args.held_out:
        table("SI-SDR gain (dB) on recorded speech with no pause under its own babble (LibriVox, a tuning source)",
              {f"{snr:g} dB": gains(*recorded(snr), "en") for snr in RECORDED_SNRS})


def table(title: str, rows: dict[str, dict[str, float]]) -> None:
    columns = list(next(iter(rows.values())))
    print(title)
    print(f"{'column':14s} " + " ".join(f"{name:>8s}" for name in rows) + f" {'mean':>7s} {'lowest':>7s}")
    for column in columns:
        values = [row[column] for row in rows.values()]
        print(f"{column:14s} " + " ".join(f"{v:8.2f}" for v in values) + f" {np.mean(values):7.2f} {np.min(values):7.2f}")
    print()


if __name__ == "__main__":
    main()
