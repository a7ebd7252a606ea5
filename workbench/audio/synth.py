"""Synthetic test material: espeak-ng speech, noises and containers with a video stream.

Used by ``sample_data/make_clips.py``, the benchmark and the tests, so all three build
their clips the same way. Nothing here is used when processing real clips.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import av
import numpy as np
import soundfile as sf

from workbench.audio.io import add_audio_stream
from workbench.audio.segment import frame_levels_db

ESPEAK_RATE = 22050


def speak(text: str, *, voice: str, speed: int = 160, pitch: int = 50) -> np.ndarray:
    """Synthesize ``text`` with espeak-ng, trimmed to its audible extent.

    Returns float32 of shape ``(n_samples,)`` at ``ESPEAK_RATE`` (22.05 kHz).
    ``speed`` is words per minute, ``pitch`` 0..99.
    """
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
        audio, _ = sf.read(str(wav), dtype="float32")
    loud = np.flatnonzero(np.abs(audio) > 0.01 * np.abs(audio).max())
    return audio[loud[0] : loud[-1] + 1]


def pink_noise(n_samples: int, *, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f power) noise of unit RMS, float32 of shape ``(n_samples,)``."""
    spectrum = np.fft.rfft(rng.standard_normal(n_samples))
    scale = 1.0 / np.sqrt(np.maximum(np.arange(spectrum.size), 1))
    noise = np.fft.irfft(spectrum * scale, n_samples)
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def knock(sample_rate: int, *, rng: np.random.Generator) -> np.ndarray:
    """A door knock: three decaying low-frequency thuds over about 0.5 s, peak 1."""
    out = np.zeros(int(0.5 * sample_rate), np.float32)
    t = np.arange(int(0.08 * sample_rate)) / sample_rate
    for k in range(3):
        hit = np.sin(2 * np.pi * rng.uniform(120, 250) * t) * np.exp(-t * 60) + 0.3 * rng.standard_normal(t.size) * np.exp(-t * 200)
        start = int(k * rng.uniform(0.13, 0.17) * sample_rate)
        out[start : start + t.size] += hit[: out.size - start]
    return out / np.abs(out).max()


def beep(sample_rate: int, *, frequency: float = 1000.0, seconds: float = 0.3) -> np.ndarray:
    """A sine beep with 5 ms ramps, peak 1."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.005)
    return (np.sin(2 * np.pi * frequency * t) * ramp).astype(np.float32)


def cough(sample_rate: int, *, rng: np.random.Generator) -> np.ndarray:
    """A cough-like burst: two band-limited noise bursts with sharp onsets, about 0.45 s, peak 1."""
    from scipy.signal import butter, sosfilt

    sos = butter(2, (300, 3000), btype="bandpass", fs=sample_rate, output="sos")
    out = np.zeros(int(0.45 * sample_rate), np.float32)
    for start_s, length_s in ((0.0, 0.2), (0.25, 0.15)):
        t = np.arange(int(length_s * sample_rate)) / sample_rate
        burst = sosfilt(sos, rng.standard_normal(t.size)) * np.exp(-t * 18) * np.minimum(1, t / 0.01)
        start = int(start_s * sample_rate)
        out[start : start + t.size] += burst
    return out / np.abs(out).max()


# A telephone line: G.712's 300-3400 Hz band at G.711's 8 kHz.
TELEPHONE_BAND_HZ = (300.0, 3400.0)
TELEPHONE_RATE = 8000


def write_telephone_line(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """``audio`` as a telephone line delivers it: band-passed to ``TELEPHONE_BAND_HZ``
    (4th-order Butterworth, under 2 ms of group delay in the voice band), resampled to 8 kHz
    and written as a G.711 mu-law WAV at ``path``."""
    import soxr
    from scipy.signal import butter, sosfilt

    band = sosfilt(butter(4, TELEPHONE_BAND_HZ, btype="bandpass", fs=sample_rate, output="sos"), audio)
    narrow = soxr.resample(band, sample_rate, TELEPHONE_RATE)
    sf.write(path, np.clip(narrow, -1, 1), TELEPHONE_RATE, subtype="ULAW")
    return Path(path)


def in_a_room(audio: np.ndarray, sample_rate: int, *, rt60: float, direct_to_reverb_db: float, seed: int = 0) -> np.ndarray:
    """``audio`` as a far microphone in a reverberant room hears it: convolved with an
    impulse response of the direct sound and an exponentially decaying noise tail (its
    energy ``direct_to_reverb_db`` under the direct sound's, 60 dB down after ``rt60``
    seconds), scaled back to the input's peak. float32, the input's length."""
    from scipy.signal import fftconvolve

    length = int(rt60 * sample_rate)
    decay = np.exp(np.arange(length) * (-np.log(1000.0) / length))  # -60 dB at the end
    response = np.random.default_rng(seed).standard_normal(length) * decay
    response[: int(0.003 * sample_rate)] = 0.0  # the first reflection after 3 ms
    response *= 10 ** (-direct_to_reverb_db / 20) / np.linalg.norm(response)
    response[0] = 1.0
    wet = fftconvolve(np.asarray(audio, np.float64), response)[: len(audio)]
    return (wet * (np.abs(audio).max() / max(np.abs(wet).max(), 1e-12))).astype(np.float32)


def with_automatic_gain(audio: np.ndarray, sample_rate: int, *, target_dbfs: float = -20.0, max_gain_db: float = 24.0,
                        attack_s: float = 0.01, release_s: float = 1.0) -> np.ndarray:
    """``audio`` as a phone's or a meeting app's automatic gain control delivers it: each 10 ms
    frame's gain moves toward what brings the frame to ``target_dbfs`` (at most
    ``max_gain_db`` up, 30 dB down), falling within ``attack_s`` when the level rises and
    rising over ``release_s`` when it falls, so the background swells in every pause, most in
    the long ones. float32, the input's length, clipped at full scale."""
    hop = sample_rate // 100
    wanted = np.clip(target_dbfs - frame_levels_db(audio, sample_rate, frame_seconds=0.01), -30.0, max_gain_db)
    falling, rising = np.exp(-1 / (100 * attack_s)), np.exp(-1 / (100 * release_s))
    gain_db = np.empty(wanted.size)
    current = wanted[0] if wanted.size else 0.0
    for index, want in enumerate(wanted):
        keep = falling if want < current else rising
        current = keep * current + (1 - keep) * want
        gain_db[index] = current
    gains = np.full(audio.size, 10 ** (gain_db[-1] / 20) if gain_db.size else 1.0)
    gains[: gain_db.size * hop] = np.repeat(10 ** (gain_db / 20), hop)
    return np.clip(np.asarray(audio, np.float64) * gains, -1.0, 1.0).astype(np.float32)


def hum(n_samples: int, sample_rate: int, *, frequency: float = 50.0) -> np.ndarray:
    """Mains hum with its odd harmonics, unit peak, float32 of shape ``(n_samples,)``."""
    t = np.arange(n_samples) / sample_rate
    wave = sum(np.sin(2 * np.pi * frequency * k * t) / k for k in (1, 3, 5))
    return (wave / np.abs(wave).max()).astype(np.float32)


def write_video(path: Path, audio: np.ndarray, sample_rate: int, *, fps: int = 2, size: int = 64, bitrate: int = 48000,
                video_seconds: float | None = None) -> Path:
    """Write a video file (``.mp4``: H.264 + AAC, ``.webm``: VP9 + Opus) with a plain grey picture.

    ``audio`` is float32 ``(n,)`` or ``(n, channels)``. The picture is tiny so clips stay small,
    and lasts as long as the audio unless ``video_seconds`` says otherwise.
    """
    path = Path(path)
    video_codec, audio_codec = {".mp4": ("libx264", "aac"), ".webm": ("libvpx-vp9", "libopus")}[path.suffix.lower()]
    with av.open(str(path), "w") as container:
        mux_audio = add_audio_stream(container, audio_codec, audio, sample_rate, bitrate=bitrate)
        video = container.add_stream(video_codec, rate=fps)
        video.width = video.height = size
        video.pix_fmt = "yuv420p"
        picture = np.full((size, size, 3), 96, np.uint8)
        seconds = len(audio) / sample_rate if video_seconds is None else video_seconds
        for index in range(int(np.ceil(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        mux_audio()
    return path
