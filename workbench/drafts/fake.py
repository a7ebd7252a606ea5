"""A deterministic backend for workflow and UI tests: no model, no network.

>>> import numpy as np
>>> from workbench.drafts.model import DraftSegment
>>> fake = FakeBackend(texts={"s1": "hello there world"}, probabilities={"there": 0.2})
>>> draft, = fake.draft([DraftSegment("s1", np.zeros(16000, dtype=np.float32))], "en")
>>> draft.text, [w.text for w in draft.low_confidence()]
('hello there world', ['there'])
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from workbench.drafts.backend import check_request
from workbench.drafts.errors import DraftEngineError
from workbench.drafts.model import Draft, DraftSegment, DraftWord


class FakeBackend:
    """Text from ``texts`` (segment id → text), else ``"draft of <segment id>"``; words are
    the text's whitespace-separated pieces spread evenly over the segment, each with the
    probability ``probabilities`` gives its text, else ``probability``.

    ``calls`` records every request as ``(segment ids, language)``.
    """

    def __init__(self, *, texts: Mapping[str, str] | None = None,
                 probabilities: Mapping[str, float] | None = None, probability: float = 0.95) -> None:
        self.texts = dict(texts or {})
        self.probabilities = dict(probabilities or {})
        self.probability = float(probability)
        self.calls: list[tuple[tuple[str, ...], str]] = []
        settings = json.dumps([self.texts, self.probabilities, self.probability], sort_keys=True,
                              ensure_ascii=False)
        self._engine_id = f"asr:fake@{hashlib.sha256(settings.encode()).hexdigest()[:12]}"

    @classmethod
    def from_options(cls, options: Mapping[str, object], data_dir) -> "FakeBackend":
        unknown = set(options) - {"texts", "probabilities", "probability"}
        if unknown:
            raise DraftEngineError(f"unknown fake option(s) {', '.join(sorted(unknown))}")
        return cls(**options)

    @property
    def engine_id(self) -> str:
        return self._engine_id

    def draft(self, segments: Sequence[DraftSegment], language: str) -> list[Draft]:
        check_request(segments, language)
        self.calls.append((tuple(segment.id for segment in segments), language))
        return [self._draft(segment, language) for segment in segments]

    def _draft(self, segment: DraftSegment, language: str) -> Draft:
        text = self.texts.get(segment.id, f"draft of {segment.id}")
        pieces = text.split()
        step = segment.seconds / len(pieces) if pieces else 0.0
        words = tuple(
            DraftWord(piece, round(index * step, 3), round((index + 1) * step, 3),
                      self.probabilities.get(piece, self.probability))
            for index, piece in enumerate(pieces)
        )
        return Draft(segment_id=segment.id, language=language, text=text, words=words, engine=self.engine_id)
