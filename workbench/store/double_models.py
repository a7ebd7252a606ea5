"""Double transcription's tables (workflow/double.py): the pairs of tasks over the same audio,
and the agreement measured between their two first submitted texts.

Kept apart from ``models.py`` like gold's; ``models`` imports this module so
``Base.metadata`` sees these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store.models import Base
from workbench.store.types import UTCDateTime


class DoublePair(Base):
    """A second task (``task_id``, over a copy of the clip) transcribing the same audio as
    ``original_task_id``. ``spans`` is the JSON list of ``[start, end]`` the original had when
    the copy was made: agreement is measured span by span. Only the admin's pages look here."""

    __tablename__ = "double_pairs"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    original_task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), unique=True)
    spans: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Each side's first submitted texts, span by span (JSON ``[[text, no_speech], ...]``), and who
    # wrote them: "first" is the original task, "second" the copy.
    first_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    first_texts: Mapped[str | None] = mapped_column(Text)
    second_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_texts: Mapped[str | None] = mapped_column(Text)


class DoubleAgreement(Base):
    """How far the two first submitted texts of one span are apart (``cer``: edit distance
    over the longer normalised text). ``disputed`` above the project's threshold: a reviewer
    then picks the first or second text or writes a third (``resolution``)."""

    __tablename__ = "double_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_task_id: Mapped[int] = mapped_column(ForeignKey("double_pairs.task_id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8), index=True)
    first_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    first_text: Mapped[str] = mapped_column(Text)
    second_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    second_text: Mapped[str] = mapped_column(Text)
    cer: Mapped[float] = mapped_column(Float)
    disputed: Mapped[bool] = mapped_column(Boolean, index=True)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolution: Mapped[str | None] = mapped_column(String(8))  # first, second or third
    resolved_text: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the settled text was written on the original task's segment (at the settlement when
    # the task is complete, else when its review completes it), or why it could not be.
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    apply_note: Mapped[str | None] = mapped_column(Text)
