"""Domain objects crossing the engine boundary: segments in, drafts out.

Times are seconds relative to the segment's own start. ``to_dict``/``from_dict`` are
symmetric so drafts can be stored and sent as JSON; a ``DraftSegment`` holds audio and is
never serialised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000
"""Every engine takes 16 kHz mono float32 audio, the rate Whisper was trained at."""


@dataclass(frozen=True, eq=False)
class DraftSegment:
    """One segment to draft: ``audio`` has shape ``(n_samples,)``, float32, 16 kHz mono.

    >>> DraftSegment("s1", np.zeros(16000, dtype=np.float32)).seconds
    1.0

    It is *not* a store segment: it carries only what an engine needs.
    """

    id: str
    audio: np.ndarray

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a draft segment needs an id")
        if not isinstance(self.audio, np.ndarray) or self.audio.ndim != 1 or self.audio.dtype != np.float32:
            raise ValueError(f"segment {self.id}: audio must be a 1-D float32 array at {SAMPLE_RATE} Hz")

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE


@dataclass(frozen=True)
class DraftWord:
    """One recognised word: text as written (punctuation attached), times in seconds from the
    segment's start, and the engine's probability in [0, 1] (low means "check this word").

    ``probability`` is None when the engine does not say (OpenAI's own API gives no word
    probabilities); such a word is never marked as uncertain, so the page should say that
    the engine gives no confidence.
    """

    text: str
    start: float
    end: float
    probability: float | None

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "probability": self.probability}

    @classmethod
    def from_dict(cls, data: dict) -> "DraftWord":
        probability = data.get("probability")
        return cls(text=str(data["text"]), start=float(data["start"]), end=float(data["end"]),
                   probability=None if probability is None else float(probability))


@dataclass(frozen=True)
class Draft:
    """An engine's text for one segment, with its words.

    ``engine`` names what wrote it, ``asr:<model>@<sha256 prefix>`` (e.g.
    ``asr:whisper-base@d01c3014881c``), so a stored draft says which weights made it.
    ``text`` is the whole text (for zh/ja without spaces between words); a segment without
    speech has empty ``text`` and no ``words``.
    """

    segment_id: str
    language: str
    text: str
    words: tuple[DraftWord, ...]
    engine: str

    def low_confidence(self, threshold: float = 0.5) -> tuple[DraftWord, ...]:
        """The words whose probability is known and below ``threshold``."""
        return tuple(word for word in self.words
                     if word.probability is not None and word.probability < threshold)

    def to_dict(self) -> dict:
        return {"segment_id": self.segment_id, "language": self.language, "text": self.text,
                "words": [word.to_dict() for word in self.words], "engine": self.engine}

    @classmethod
    def from_dict(cls, data: dict) -> "Draft":
        return cls(segment_id=str(data["segment_id"]), language=str(data["language"]),
                   text=str(data["text"]), words=tuple(DraftWord.from_dict(w) for w in data.get("words", ())),
                   engine=str(data["engine"]))
