"""What double transcription shows: a measured span to the admin, a dispute to its settler."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from workbench.workflow.domain import JsonView


@dataclass(frozen=True)
class AgreementView(JsonView):
    """One measured span of a double transcription, as the admin sees it."""

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("id", "project", "language", "first", "second", "cer", "disputed",
                                              "resolution", "written", "note", "measured_at")

    id: int
    project: str
    language: str
    first: str  # usernames
    second: str
    first_text: str
    second_text: str
    cer: float
    disputed: bool
    resolution: str | None
    measured_at: datetime
    written: bool = False  # a settled text written on the original task's segment
    note: str | None = None  # why a settled text could not be written

    @classmethod
    def of(cls, row, first: str, second: str, project: str) -> "AgreementView":
        return cls(id=row.id, project=project, language=row.language, first=first, second=second,
                   first_text=row.first_text, second_text=row.second_text, cer=row.cer, disputed=row.disputed,
                   resolution=row.resolution, measured_at=row.measured_at, written=row.applied_at is not None,
                   note=row.apply_note)


@dataclass(frozen=True)
class DisputeView(JsonView):
    """A disputed span as its settler sees it: the two texts, not who wrote them; its
    ``audio`` (the dispute's own route: the original clip over the span, for its settlers
    only, while it is open) and how much of it this settler has heard (``heard``: enough to
    settle)."""

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("id", "language", "start", "end", "first_text", "second_text",
                                              "cer", "resolution", "resolved_text", "written", "note",
                                              "duration", "audio", "heard", "heard_share")

    id: int
    language: str
    start: float
    end: float
    first_text: str
    second_text: str
    cer: float
    resolution: str | None
    resolved_text: str | None
    written: bool = False  # the settled text is on the original task's segment
    # Why it cannot be settled (the original's transcriber split or merged the span:
    # ``note_template`` and ``note_params`` say it in the reader's language), or why the
    # settled text could not be written; None when nothing stands in the way.
    note: str | None = None
    note_template: str | None = None
    note_params: dict[str, str] = field(default_factory=dict)
    heard: bool = False
    heard_share: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def audio(self) -> str | None:
        """None while it cannot be settled (nothing to hear for) or once it is settled."""
        return None if self.note is not None or self.resolution is not None else f"/media/dispute/{self.id}.wav"

    @classmethod
    def of(cls, row, note=None, heard_share: float = 0.0, heard: bool = False) -> "DisputeView":
        """``note``: a ``double_rules.SpanNote``, why it cannot be settled."""
        return cls(id=row.id, language=row.language, start=row.start_s, end=row.end_s, first_text=row.first_text,
                   second_text=row.second_text, cer=round(row.cer, 4), resolution=row.resolution,
                   resolved_text=row.resolved_text, written=row.applied_at is not None,
                   note=note.text if note is not None else row.apply_note,
                   note_template=note.template if note is not None else None,
                   note_params=dict(note.params) if note is not None else {},
                   heard=heard, heard_share=heard_share)
