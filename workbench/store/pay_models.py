"""The pay tables: rate histories and committed settlements (migration ``0002_pay``), and
reviewer pay: reviewer rates, finished review rounds and their settlement (``0007_reviewer_pay``).

A committed settlement is a snapshot: its lines and items keep the amounts, rates and
durations used, so later rate changes never rewrite what was paid. ``settlement_items``
holds each settled task and each deducted penalty under a UNIQUE constraint, so no task is
paid twice and no penalty deducted twice, whatever the application does, even two
concurrent commits.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store.models import Base
from workbench.store.types import UTCDateTime


class _LanguageRate:
    """A dated rate of one language: won per minute from ``effective_at`` on, and who set it
    (None for the defaults a migration seeds)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    won_per_minute: Mapped[int] = mapped_column(Integer)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PayRate(_LanguageRate, Base):
    """Won per source-audio minute for one language, from ``effective_at`` on."""

    __tablename__ = "pay_rates"
    __table_args__ = (UniqueConstraint("language", "effective_at", name="uq_pay_rates_language_effective_at"),)


class ProjectRate(Base):
    """A per-project bonus in won per minute of its basis (``source`` or ``speech`` audio)."""

    __tablename__ = "project_rates"
    __table_args__ = (
        UniqueConstraint("project", "effective_at", name="uq_project_rates_project_effective_at"),
        CheckConstraint("basis IN ('source', 'speech')", name="ck_project_rates_basis"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project: Mapped[str] = mapped_column(String(200))
    won_per_minute: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(8))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewerRate(_LanguageRate, Base):
    """Won per minute of audio reviewed for one language, from ``effective_at`` on."""

    __tablename__ = "reviewer_rates"
    __table_args__ = (UniqueConstraint("language", "effective_at", name="uq_reviewer_rates_language_effective_at"),)


class ReviewRound(Base):
    """A finished review round, the reviewer's pay item: the audio of the segments the
    reviewer decided in that round, recorded when they finished it."""

    __tablename__ = "review_rounds"
    __table_args__ = (UniqueConstraint("task_id", "review_round", name="uq_review_rounds_task_round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    review_round: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    segments: Mapped[int] = mapped_column(Integer)
    # The summed durations of the segments decided in the round.
    reviewed_seconds: Mapped[float] = mapped_column(Float)
    # completed | returned
    outcome: Mapped[str] = mapped_column(String(16))
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Settlement(Base):
    """One committed payday; a payday is committed at most once."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payday: Mapped[date] = mapped_column(Date, unique=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime)
    minimum_payout: Mapped[int] = mapped_column(Integer)
    committed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SettlementLine(Base):
    """One worker's totals in one settlement (see ``workbench.pay.engine.settle_period``)."""

    __tablename__ = "settlement_lines"
    __table_args__ = (UniqueConstraint("settlement_id", "user_id", name="uq_settlement_lines_settlement_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    items: Mapped[int] = mapped_column(Integer)
    source_seconds: Mapped[float] = mapped_column(Float)
    gross: Mapped[int] = mapped_column(Integer)
    penalties: Mapped[int] = mapped_column(Integer)
    carried_in: Mapped[int] = mapped_column(Integer)
    balance: Mapped[int] = mapped_column(Integer)
    income_tax: Mapped[int] = mapped_column(Integer)
    local_tax: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)
    carried_out: Mapped[int] = mapped_column(Integer)
    # paid | carried
    status: Mapped[str] = mapped_column(String(8))


class SettlementItem(Base):
    """A task paid or a penalty deducted by a settlement: exactly one of the two ids is set."""

    __tablename__ = "settlement_items"
    __table_args__ = (
        UniqueConstraint("task_id", name="uq_settlement_items_task"),
        UniqueConstraint("penalty_id", name="uq_settlement_items_penalty"),
        CheckConstraint("(task_id IS NULL) <> (penalty_id IS NULL)", name="ck_settlement_items_one_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    penalty_id: Mapped[int | None] = mapped_column(ForeignKey("penalties.id"))
    # Earned (work) or deducted (penalty), int won, never negative.
    amount: Mapped[int] = mapped_column(Integer)
    # When the review completed (work) or the penalty was recorded.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The work item's pricing, kept so statements never change after payment.
    source_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    rate: Mapped[int] = mapped_column(Integer, default=0)
    bonus_rate: Mapped[int] = mapped_column(Integer, default=0)
    bonus_basis: Mapped[str] = mapped_column(String(8), default="")
    bonus_ms: Mapped[int] = mapped_column(BigInteger, default=0)


class SettlementReview(Base):
    """A review round paid by a settlement; UNIQUE, so no round is ever paid twice."""

    __tablename__ = "settlement_reviews"
    __table_args__ = (UniqueConstraint("review_round_id", name="uq_settlement_reviews_round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    review_round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"))
    amount: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_ms: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[int] = mapped_column(Integer)


class TaskTime(Base):
    """A worker's active time on one task in one role, summed from the task page's activity
    reports (``workflow/time_on_task``): one row per worker, task and role, so it stays
    bounded however often the page reports (migration ``0008_time_on_task``)."""

    __tablename__ = "task_time"
    __table_args__ = (UniqueConstraint("user_id", "task_id", "role", name="uq_task_time_user_task_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    # transcriber | reviewer
    role: Mapped[str] = mapped_column(String(16))
    active_seconds: Mapped[float] = mapped_column(Float)
    reports: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
