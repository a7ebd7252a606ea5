"""Queries of the clip lifecycle (workflow/clip_lifecycle.py): duplicates by content hash,
the listed (not dismissed) clips, whether people worked on a task, and throughput figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import Session

from workbench.domain.states import SegmentStatus
from workbench.store.models import Clip, Revision, Segment, Task
from workbench.store.pay_models import TaskTime
from workbench.store.repo._common import is_postgres


def lock_content_hash(session: Session, digest: str) -> None:
    """Serialise uploads of the same bytes until the transaction ends, so two at once cannot
    both find no duplicate. SQLite writers already run one at a time (``BEGIN IMMEDIATE``);
    PostgreSQL takes a transaction advisory lock keyed by the hash."""
    if is_postgres(session):
        key = int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def clip_with_content(session: Session, digest: str) -> Clip | None:
    """The first clip uploaded with these bytes, neither withdrawn nor dismissed."""
    return session.scalars(select(Clip).where(Clip.content_hash == digest, Clip.withdrawn_at.is_(None),
                                              Clip.dismissed_at.is_(None)).order_by(Clip.id).limit(1)).first()


def listed_clips(session: Session) -> Sequence[Clip]:
    """Every clip but those dismissed, newest first."""
    return session.scalars(select(Clip).where(Clip.dismissed_at.is_(None)).order_by(Clip.id.desc())).all()


def people_worked_on(session: Session, task_id: int) -> bool:
    """Whether any segment of the task was touched by a person: a status other than "todo"
    (typed, no speech, merged, decided) or a revision with an author (a machine draft has none)."""
    touched = exists().where(Segment.task_id == task_id, Segment.status != SegmentStatus.TODO)
    authored = (exists().where(Revision.segment_id == Segment.id, Revision.author_id.is_not(None),
                               Segment.task_id == task_id))
    return bool(session.scalar(select(touched | authored)))


def transcribed_since(session: Session, since: datetime) -> Sequence[Task]:
    """Tasks with a transcriber submitted or completed at ``since`` or later."""
    return session.scalars(select(Task).where(Task.transcriber_id.is_not(None),
                                              or_(Task.submitted_at >= since, Task.completed_at >= since))).all()


def transcribing_seconds_since(session: Session, since: datetime) -> dict[int, float]:
    """``{user_id: active seconds}`` as transcriber on tasks last worked on at ``since`` or later."""
    return dict(session.execute(
        select(TaskTime.user_id, func.sum(TaskTime.active_seconds))
        .where(TaskTime.role == "transcriber", TaskTime.last_at >= since).group_by(TaskTime.user_id)).all())
