"""The backend protocol: segments and a language in, one draft per segment out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from workbench.drafts.errors import DraftEngineError
from workbench.drafts.model import Draft, DraftSegment
from workbench.languages import LANGUAGES  # a backend is always told which one to write



@runtime_checkable
class DraftBackend(Protocol):
    """What every engine offers.

    ``engine_id`` is ``asr:<model>@<hash prefix>``. ``draft`` returns exactly one ``Draft``
    per segment, in the given order, in the given ``language`` (never detected), and raises
    ``DraftEngineError`` when the engine cannot answer.
    """

    @property
    def engine_id(self) -> str: ...

    def draft(self, segments: Sequence[DraftSegment], language: str) -> list[Draft]: ...


def check_request(segments: Sequence[DraftSegment], language: str) -> None:
    """Refuse a request no backend should see: an unknown language or repeated segment ids."""
    if language not in LANGUAGES:
        raise DraftEngineError(f"unknown language {language!r}; drafts are written in {', '.join(LANGUAGES)}")
    ids = [segment.id for segment in segments]
    if len(set(ids)) != len(ids):
        raise DraftEngineError("two segments in one draft request share an id")
