"""What the quality services answer: flat records a table, a plot or the JSON API reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from workbench.workflow.domain import JsonView


@dataclass(frozen=True)
class QualityActionView(JsonView):
    """A warning, suspension or unfixed mark: who, where, why, and the segments involved."""

    id: int
    username: str
    project: str
    role: str
    kind: str
    rule: str
    reason: str
    day: str | None
    task_id: int | None
    segment_ids: tuple[int, ...]
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("id", "project", "role", "kind", "reason", "day", "segment_ids")

    @property
    def open(self) -> bool:
        return self.lifted_at is None


@dataclass(frozen=True)
class DefectRateView:
    """One judged day of one worker in one project and role: ``checked`` segments decided (for
    a reviewer: verdicts a senior or gold checked), ``defects`` of them, their ``rate``, and
    what the rules made of it (``outcome``). ``accuracy`` is ``1 - rate``."""

    day: str
    username: str
    project: str
    role: str
    checked: int
    defects: int
    rate: float
    outcome: str

    @property
    def accuracy(self) -> float:
        return 1.0 - self.rate


@dataclass(frozen=True)
class ReviewerStanding:
    """A reviewer's accuracy over their checked verdicts in one project so far, and whether it
    limits them there (``project`` None: no verdict of theirs checked yet)."""

    username: str
    language: str | None
    project: str | None
    senior: bool
    checked: int
    confirmed: int
    accuracy: float | None
    limited: bool


@dataclass(frozen=True)
class SeniorCheckView(JsonView):
    """A sampled acceptance waiting for (or given) a senior's second look: the accepted
    ``text`` (``corrected_from``: the transcriber's text when the reviewer corrected it), the
    texts of the segments ``before`` and ``after`` it, its ``audio`` (the check's own route:
    only the senior it waits for may hear it) and how much of it the senior has heard
    (``heard``: enough to decide). The reviewer's name stays out of the JSON: the look is blind."""

    id: int
    segment_id: int
    task_id: int
    project: str
    language: str
    text: str
    reviewer: str
    sampled_at: datetime
    confirmed: bool | None
    bounds: tuple[float, float] = (0.0, 0.0)  # the segment's span on the clip
    corrected_from: str | None = None
    before: str | None = None
    after: str | None = None
    heard: bool = False
    heard_share: float = 0.0

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("id", "segment_id", "task_id", "project", "language", "text",
                                              "confirmed", "duration", "corrected_from", "before", "after",
                                              "heard", "heard_share", "audio")

    @property
    def duration(self) -> float:
        return self.bounds[1] - self.bounds[0]

    @property
    def audio(self) -> str:
        return f"/media/senior-check/{self.id}.wav"
