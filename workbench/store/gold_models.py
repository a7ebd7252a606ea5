"""Gold work's tables (workflow/gold.py): references, the gold copies mixed into the queue,
and the scores of the workers who transcribed them.

Kept apart from ``models.py`` so the workflow tables stay one contract and gold can grow on
its own; ``models`` imports this module so ``Base.metadata`` sees these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store.models import Base
from workbench.store.types import UTCDateTime


class GoldReference(Base):
    """An accepted segment an admin made gold: its text (or no-speech mark) is the reference
    a copy of its audio is scored against. The segment itself is untouched (and paid once,
    as the client work it was)."""

    __tablename__ = "gold_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), unique=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    text: Mapped[str] = mapped_column(Text)
    no_speech: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Un-marked by an admin (``Gold.unmark_gold``): no new copy is scored against it; the row,
    # its copies and the scores already given stay. Marking it again clears these.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class GoldCopy(Base):
    """A task that is a gold copy of a clip (``source_clip_id``), offered like any other task
    of ``Clip.project``. Only the admin's pages ever look here."""

    __tablename__ = "gold_copies"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    source_clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GoldImport(Base):
    """A clip imported with a reference transcript: reference material only, never client
    work (not offered, paid or exported)."""

    __tablename__ = "gold_imports"

    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GoldPlacement(Base):
    """A segment of a gold copy that is scored, and the reference it is scored against."""

    __tablename__ = "gold_placements"

    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("gold_references.id"), index=True)


class GoldScore(Base):
    """A transcriber's first submitted text of a gold placement, scored against its reference
    (once: ``segment_id`` is unique). ``wer`` only for languages written with spaces."""

    __tablename__ = "gold_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), unique=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("gold_references.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    cer: Mapped[float] = mapped_column(Float)
    wer: Mapped[float | None] = mapped_column(Float)
    tags_match: Mapped[bool] = mapped_column(Boolean)
    notation_match: Mapped[bool] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
