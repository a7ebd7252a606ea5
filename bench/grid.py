"""The quality grid: many short clips, several seeds per language, with known sentences.

Each clip is one language, two minutes, spoken by two or three "speakers" (an espeak-ng
voice variant with its own pitch, speaking rate and level, 0 to -6 dB), with:

- pauses between sentences drawn from 0.2-2.5 s (a quarter of them 0.2-0.4 s), commas
  inside sentences (espeak-ng pauses at them) and, in a third of the sentences, an extra
  hesitation of 0.1-0.3 s at a word boundary;
- a little reverberation (exponential tail, RT60 0.15-0.4 s);
- one noise kind at one SNR: ``pink`` noise, ``babble`` (five other talkers, made from
  the other languages' sentences) or ``music`` (chords of harmonic tones); mains hum
  30 dB under the speech and a few knocks, beeps and coughs in the long gaps.

``tune`` clips (sentences, voices and draws of their own) are the only ones the settings
were chosen on; ``held_out`` clips use other sentences, other voices and other seeds and
are what the figures are reported on. ``validation`` clips are new draws of the tuning
material (its sentences and voices, other seeds, the held-out clips' SNRs and length): a
choice made on the tuning clips is checked on them before the held-out clips are read, so
that what only holds on the tuning clips' own draws shows without spending the held-out
set. ``fresh`` clips are new draws of the held-out material (its sentences and voices, other
seeds, the same SNRs and length), for ``bench/fresh.py``: the held-out clips have been read
after every change, so a figure that holds on them only by their draws shows on these.
Clips are cached under ``bench/out/grid/``.

Everything is written as 16 kHz mono WAV (``clip.wav``) plus ``reference.wav`` (the
reverberant speech alone, scaled like the clip: the SI-SDR reference) and ``truth.json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from scipy.signal import fftconvolve

import corpus
from workbench.audio.synth import ESPEAK_RATE, beep, cough, hum, knock, pink_noise, speak

RATE = 16000
LANGUAGES = ("ko", "en", "zh", "ja")
NOISE_KINDS = ("pink", "babble", "music")
HELD_OUT_SNRS = (5.0, 8.0, 12.0, 20.0)
TUNE_SNRS = (7.0, 14.0)
# Tuning clips at a further SNR, read by the denoiser's choices only (``specs(..., extra=True)``,
# ``bench/enhance.py --extra-tuning``), so the segmenter's tuning set stays what it was.
EXTRA_TUNE_SNRS = (20.0,)
VALIDATION_SNRS = (8.0, 12.0, 20.0)
SEED_BASE = {"tune": 0, "validation": 500, "held_out": 1000, "fresh": 3000}
# Whose sentences and voices a split speaks, where not its own.
MATERIAL = {"validation": "tune", "fresh": "held_out"}
VERSION = 3  # bump when the generator changes, so cached clips are rebuilt


@dataclass(frozen=True)
class ClipSpec:
    split: str  # "tune", "validation", "held_out" or "fresh"
    language: str
    noise: str
    snr_db: float
    seed: int
    seconds: float = 120.0

    @property
    def material(self) -> str:
        """Whose sentences and voices the clip speaks: a validation clip the tuning split's, a
        fresh clip the held-out split's."""
        return MATERIAL.get(self.split, self.split)

    @property
    def name(self) -> str:
        return f"{self.split}-{self.language}-{self.noise}-{self.snr_db:g}dB-s{self.seed}"


def specs(split: str, *, extra: bool = False) -> list[ClipSpec]:
    """Every clip of a split (with ``extra``, the tuning split's ``EXTRA_TUNE_SNRS`` too);
    seeds never repeat across splits."""
    out = []
    snrs = {"held_out": HELD_OUT_SNRS, "fresh": HELD_OUT_SNRS, "validation": VALIDATION_SNRS}.get(
        split, TUNE_SNRS + (EXTRA_TUNE_SNRS if extra else ()))
    for li, language in enumerate(LANGUAGES):
        for ni, noise in enumerate(NOISE_KINDS):
            for si, snr in enumerate(snrs):
                seed = SEED_BASE[split] + 100 * li + 10 * ni + si
                out.append(ClipSpec(split, language, noise, snr, seed, 90.0 if split == "tune" else 120.0))
    return out


# ---------------------------------------------------------------- sounds


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def speaker_table(spec: ClipSpec, rng: np.random.Generator) -> list[dict]:
    voices = corpus.voices(spec.language, spec.material)
    count = int(rng.integers(2, 4))
    chosen = rng.choice(len(voices), size=count, replace=False)
    levels = [0.0] + [float(rng.uniform(-6.0, 0.0)) for _ in range(count - 1)]
    rng.shuffle(levels)
    return [
        {"voice": voices[i], "pitch": int(rng.integers(25, 75)), "speed": int(rng.integers(125, 195)), "level_db": round(level, 2)}
        for i, level in zip(chosen, levels)
    ]


def say(text: str, speaker: dict, rng: np.random.Generator) -> np.ndarray:
    """One sentence at 16 kHz, RMS 0.1 before the speaker's level; maybe with a hesitation."""
    speed = int(np.clip(speaker["speed"] + rng.integers(-15, 16), 110, 220))
    words = text.split(" ")
    if len(words) > 3 and rng.random() < 1 / 3:
        cut = int(rng.integers(1, len(words) - 1))
        parts = [" ".join(words[:cut]), " ".join(words[cut:])]
    else:
        parts = [text]
    pieces = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(np.zeros(int(rng.uniform(0.1, 0.3) * ESPEAK_RATE), np.float32))
        pieces.append(speak(part, voice=speaker["voice"], speed=speed, pitch=speaker["pitch"]))
    audio = soxr.resample(np.concatenate(pieces), ESPEAK_RATE, RATE).astype(np.float32)
    audio *= 0.1 / max(rms(audio), 1e-9) * 10 ** ((speaker["level_db"] + rng.uniform(-1, 1)) / 20)
    return audio


def room(rng: np.random.Generator) -> np.ndarray:
    """A small room's impulse response: the direct sound and an exponential tail."""
    rt60 = rng.uniform(0.15, 0.4)
    n = int(rt60 * RATE)
    t = np.arange(n) / RATE
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    tail[: int(0.003 * RATE)] = 0
    direct_to_reverb_db = rng.uniform(4, 10)
    tail *= 10 ** (-direct_to_reverb_db / 20) / np.sqrt(np.sum(tail**2))
    tail[0] = 1.0
    return tail.astype(np.float32)


@dataclass
class BabbleBank:
    """Five-talker babble: other-language sentences, back to back per talker."""

    audio: np.ndarray

    @classmethod
    def build(cls, out: Path, language: str) -> "BabbleBank":
        path = out / f"babble-not-{language}-v{VERSION}.npy"
        if path.exists():
            return cls(np.load(path))
        rng = np.random.default_rng(sum(map(ord, language)))
        others = [lang for lang in LANGUAGES if lang != language]
        talkers = []
        for _ in range(5):
            lang = str(rng.choice(others))
            speaker = {"voice": str(rng.choice(corpus.voices(lang, "tune"))), "pitch": int(rng.integers(25, 75)),
                       "speed": int(rng.integers(140, 190)), "level_db": 0.0}
            track = []
            while sum(x.size for x in track) < 40 * RATE:
                text = str(rng.choice(corpus.SENTENCES["tune"][lang] + corpus.SENTENCES["held_out"][lang]))
                track += [say(text, speaker, rng), np.zeros(int(rng.uniform(0.05, 0.3) * RATE), np.float32)]
            talkers.append(np.concatenate(track)[: 40 * RATE])
        audio = np.sum(talkers, axis=0).astype(np.float32)
        out.mkdir(parents=True, exist_ok=True)
        np.save(path, audio)
        return cls(audio)

    def take(self, n: int, rng: np.random.Generator) -> np.ndarray:
        start = int(rng.integers(0, self.audio.size))
        return np.resize(np.roll(self.audio, -start), n)


def music(n: int, rng: np.random.Generator) -> np.ndarray:
    """Music-like noise: chords of harmonic tones changing every 0.25-1 s, and a bass line."""
    out = np.zeros(n, np.float32)
    position = 0
    root = rng.uniform(110, 220)
    while position < n:
        length = int(rng.uniform(0.25, 1.0) * RATE)
        t = np.arange(length) / RATE
        envelope = np.minimum(1, t / 0.02) * np.exp(-t * rng.uniform(1, 4))
        chord = root * 2 ** (rng.choice([0, 3, 4, 7, 10, 12, 15, 16, 19], size=3, replace=False) / 12)
        note = sum(np.sin(2 * np.pi * f * k * t) / k**1.5 for f in chord for k in range(1, 6))
        note += 0.8 * np.sin(2 * np.pi * chord.min() / 2 * t)
        piece = (note * envelope).astype(np.float32)
        out[position : position + length] += piece[: n - position]
        position += length
        if rng.random() < 0.2:
            root *= 2 ** (rng.choice([-5, -2, 2, 5, 7]) / 12)
            root = float(np.clip(root, 100, 260))
    return out


def noise_of(kind: str, n: int, rng: np.random.Generator, babble: BabbleBank) -> np.ndarray:
    if kind == "pink":
        noise = pink_noise(n, rng=rng)
    elif kind == "babble":
        noise = babble.take(n, rng)
    else:
        noise = music(n, rng)
    return noise / max(rms(noise), 1e-9)


# ---------------------------------------------------------------- one clip


def build(spec: ClipSpec, out: Path) -> dict:
    """Write one clip (cached): ``clip.wav``, ``reference.wav``, ``truth.json``."""
    folder = out / spec.name
    truth_path = folder / "truth.json"
    recorded = asdict(spec) | {"version": VERSION}
    if truth_path.exists():
        truth = json.loads(truth_path.read_text())
        if truth["spec"] == recorded:
            return truth
    rng = np.random.default_rng(spec.seed)
    speakers = speaker_table(spec, rng)
    pool = corpus.SENTENCES[spec.material][spec.language]
    total = int(spec.seconds * RATE)
    clean = np.zeros(total, np.float32)
    sentences, events = [], []
    cursor = int(rng.uniform(0.5, 1.5) * RATE)
    next_long_gap = rng.uniform(20, 40)
    while True:
        if cursor / RATE >= next_long_gap:
            length = rng.uniform(4.0, 7.0)
            for kind in rng.permutation(["knock", "beep", "cough"])[: rng.integers(1, 3)]:
                events.append({"kind": str(kind), "at": round(cursor / RATE + rng.uniform(1.0, length - 1.5), 3)})
            cursor += int(length * RATE)
            next_long_gap += rng.uniform(25, 45)
        text = str(rng.choice(pool))
        corpus.check_spoken(spec.language, text)
        who = int(rng.integers(len(speakers)))
        speech = say(text, speakers[who], rng)
        if cursor + speech.size > total - int(0.8 * RATE):
            break
        clean[cursor : cursor + speech.size] = speech
        sentences.append({"start": round(cursor / RATE, 4), "end": round((cursor + speech.size) / RATE, 4), "speaker": who, "text": text})
        pause = rng.uniform(0.2, 0.4) if rng.random() < 0.25 else rng.uniform(0.4, 2.5)
        cursor += speech.size + int(pause * RATE)
    reverberant = fftconvolve(clean, room(rng))[:total].astype(np.float32)
    mask = np.zeros(total, bool)
    for s in sentences:
        mask[int(s["start"] * RATE) : int(s["end"] * RATE)] = True
    speech_rms = rms(reverberant[mask])
    babble = BabbleBank.build(out, spec.language) if spec.noise == "babble" else None
    noise = noise_of(spec.noise, total, rng, babble) * speech_rms * 10 ** (-spec.snr_db / 20)
    mains = float(rng.choice([50.0, 60.0]))
    noisy = reverberant + noise + hum(total, RATE, frequency=mains) * speech_rms * 10 ** (-30 / 20)
    for event in events:
        burst = {"knock": lambda: knock(RATE, rng=rng), "beep": lambda: beep(RATE, frequency=float(rng.choice([800, 1000, 1500]))),
                 "cough": lambda: cough(RATE, rng=rng)}[event["kind"]]()
        at = int(event["at"] * RATE)
        if at < total:
            noisy[at : at + burst.size] += burst[: total - at] * speech_rms * 2.0
    gain = 10 ** (rng.uniform(-12, 2) / 20)
    gain = float(min(gain, 0.99 / np.abs(noisy).max()))
    folder.mkdir(parents=True, exist_ok=True)
    sf.write(folder / "clip.wav", (noisy * gain).astype(np.float32), RATE, subtype="PCM_16")
    sf.write(folder / "reference.wav", (reverberant * gain).astype(np.float32), RATE, subtype="FLOAT")
    truth = {"spec": recorded, "speakers": speakers, "sentences": sentences, "events": events, "hum_hz": mains,
             "level_db": round(20 * np.log10(gain), 2)}
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    return truth
