"""Quality rules' tables (workflow/quality.py, workflow/reviewer_checks.py): each worker's
daily defect check, the warnings and suspensions it gives, the senior reviewers an admin
named, and the seniors' second looks at sampled verdicts.

Kept apart from ``models.py`` like ``gold_models``; ``models`` imports this module so
``Base.metadata`` sees these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store.models import Base
from workbench.store.types import UTCDateTime


class QualityCheck(Base):
    """One worker's figures for one Seoul day in one project and role (``transcriber``: their
    segments the reviewers decided; ``reviewer``: their verdicts a senior or gold checked).
    Unique per (user, project, role, day): a day is judged once."""

    __tablename__ = "quality_checks"
    __table_args__ = (UniqueConstraint("user_id", "project", "role", "day", name="uq_quality_checks_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    project: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    day: Mapped[str] = mapped_column(String(10), index=True)  # YYYY-MM-DD in Asia/Seoul
    checked: Mapped[int] = mapped_column(Integer)
    defects: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))  # none, warning, suspension, too_few
    # The segments counted as defects (JSON list; null on days judged before 0016_settle): a
    # return a later round reverses is taken out of the day again.
    defect_ids: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QualityAction(Base):
    """A step a rule took against a worker in a project and role: ``warning``, ``suspension``,
    or ``unfixed`` (returned work not resubmitted by the rework deadline). ``segment_ids``
    (JSON list) are the segments involved. An open suspension (``lifted_at`` null) keeps the
    worker off the project; an admin lifts it with a reason, which also closes the warnings
    and unfixed marks that counted towards it."""

    __tablename__ = "quality_actions"
    __table_args__ = (Index("ix_quality_actions_open", "user_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    project: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    day: Mapped[str | None] = mapped_column(String(10))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    segment_ids: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)


class SeniorReviewer(Base):
    """A reviewer an admin made senior: they re-review samples of other reviewers' verdicts."""

    __tablename__ = "senior_reviewers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SeniorCheck(Base):
    """An accepted verdict drawn for a senior's second look (``confirmed`` null until one
    decides). Unique per verdict: a verdict is sampled once."""

    __tablename__ = "senior_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verdict_id: Mapped[int] = mapped_column(ForeignKey("verdicts.id"), unique=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    project: Mapped[str] = mapped_column(String(200))
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    senior_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
