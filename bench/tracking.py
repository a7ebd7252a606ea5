"""A noise spectrum that follows the babble over time: what it could give, and what two ways
of estimating one give. Measured, not used.

    python3 bench/tracking.py               # the grid's tuning clips under babble (about 2 min)
    python3 bench/tracking.py --held-out    # the held-out ones, read afterwards

The pipeline's Wiener filter (``denoise.DecisionDirectedWiener``) removes one mean noise
spectrum; README calls the filter given the true background's mean spectrum the
one-spectrum ceiling (``bench/enhance.py``). Five talkers' babble rises and falls, so a
spectrum that follows it might do better. Per clip this prints the SI-SDR gain (against the
reverberant speech alone) of the pipeline as it is, then of the same filter (its frames,
alpha and gain floor) over the whole high-passed clip given, frame by frame:

- ``ceiling``: the true background's mean spectrum (what no estimate can beat with one spectrum);
- ``oracle Ts``: the true background's spectrum averaged over T seconds around each frame,
  an upper bound no pipeline has, since it knows the babble under the speech;
- ``between Ts``: the clip's own spectrum averaged over T seconds around each frame, but only
  over the frames outside the pipeline's segments (what a pipeline can see; the clip's mean
  there where a window holds none);
- ``min-stat Ds xB``: minimum statistics (Martin 2001, plainly): the clip's power smoothed
  over about 50 ms, its minimum over D seconds around each frame, times a bias B.

The columns filter the whole clip; the pipeline also lowers the background between its
segments, which is why it stands above them all where most of a clip is background (20 dB).
Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import lfilter, stft

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402

from workbench.audio import denoise  # noqa: E402
from workbench.audio.pipeline import process_file  # noqa: E402
from workbench.audio.settings import PipelineSettings  # noqa: E402

OUT = HERE / "out" / "grid"
HOP_S = denoise.WIENER_HOP / grid.RATE
ORACLE_S = (0.5, 1.0, 2.0)
BETWEEN_S = (2.5, 5.0, 10.0)
MIN_STAT = ((1.5, 2.5), (3.0, 1.5), (3.0, 4.0))


def powers(audio: np.ndarray) -> np.ndarray:
    """STFT power of ``audio`` on the Wiener filter's grid, frames as rows."""
    spectrum = stft(audio, nperseg=denoise.WIENER_N_FFT, noverlap=denoise.WIENER_N_FFT - denoise.WIENER_HOP)[2]
    return (np.abs(spectrum.T) ** 2).astype(np.float32)


def filtered(audio: np.ndarray, noise_power: np.ndarray) -> np.ndarray:
    """The pipeline's Wiener filter over the whole of ``audio``, its noise spectrum swapped
    for ``noise_power`` (as ``steady.py`` does): one spectrum, or one per frame of
    ``powers(audio)``, which the filter's division broadcasts alike."""
    wiener = denoise.DecisionDirectedWiener(np.zeros(denoise.WIENER_N_FFT, np.float32),
                                            floor=1 - PipelineSettings().denoise_strength)
    wiener.noise_power = (noise_power + 1e-12).astype(np.float32)
    return wiener(audio)


def frames(seconds: float) -> int:
    return max(1, round(seconds / HOP_S)) | 1


def estimates(heard: np.ndarray, background: np.ndarray, outside: np.ndarray) -> dict[str, np.ndarray]:
    """Each column's noise power, per frame (or one spectrum), from the clip's ``powers``."""
    truth = powers(background)
    out = {"ceiling": truth.mean(axis=0)}
    for seconds in ORACLE_S:
        out[f"oracle {seconds:g}s"] = uniform_filter1d(truth, frames(seconds), axis=0)
    seen = outside[:, None].astype(np.float32)
    mean_seen = (heard * seen).sum(axis=0) / max(float(seen.sum()), 1.0)
    for seconds in BETWEEN_S:
        total = uniform_filter1d(heard * seen, frames(seconds), axis=0)
        share = uniform_filter1d(seen, frames(seconds), axis=0)
        out[f"between {seconds:g}s"] = np.where(share > 0.02, total / np.maximum(share, 1e-9), mean_seen)
    smoothed = lfilter([0.15], [1.0, -0.85], heard, axis=0).astype(np.float32)
    for seconds, bias in MIN_STAT:
        out[f"min-stat {seconds:g}s x{bias:g}"] = minimum_filter1d(smoothed, frames(seconds), axis=0) * bias
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="the held-out clips (read only to report)")
    options = parser.parse_args()
    specs = [spec for spec in grid.specs("held_out" if options.held_out else "tune", extra=not options.held_out)
             if spec.noise == "babble"]
    header = None
    for spec in specs:
        grid.build(spec, OUT)
        folder = OUT / spec.name
        reference = sf.read(str(folder / "reference.wav"), dtype="float32")[0]
        clip = sf.read(str(folder / "clip.wav"), dtype="float32")[0]
        base = metrics.si_sdr(clip, reference)
        with tempfile.TemporaryDirectory() as scratch:
            result = process_file(folder / "clip.wav", Path(scratch) / "out", language=spec.language)
            cleaned = sf.read(str(Path(scratch) / "out" / "clean.flac"), dtype="float32")[0]
        highpassed = denoise.highpass(clip, grid.RATE, cutoff_hz=PipelineSettings().highpass_hz)
        heard = powers(highpassed)
        times = np.arange(heard.shape[0]) * HOP_S
        outside = np.ones(times.size, bool)
        for entry in result.segments:
            outside &= (times < entry.start) | (times >= entry.end)
        gains = {"pipeline": metrics.si_sdr(cleaned, reference) - base}
        for name, noise_power in estimates(heard, clip - reference, outside).items():
            gains[name] = metrics.si_sdr(filtered(highpassed, noise_power), reference) - base
        if header is None:
            header = list(gains)
            print("| clip | " + " | ".join(header) + " |")
            print("|---" * (len(header) + 1) + "|")
        print(f"| {spec.name} | " + " | ".join(f"{gains[name]:+.2f}" for name in header) + " |", flush=True)


if __name__ == "__main__":
    main()
