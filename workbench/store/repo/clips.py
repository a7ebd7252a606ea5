"""Queries about clips, and the per-task figures the clip and task lists show."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import identity_key

from workbench.domain.states import SegmentStatus

from workbench.store.models import Clip, Segment, Task, User
from workbench.store.repo._common import _get


def get_clip(session: Session, clip_id: int, *, lock: bool = False) -> Clip | None:
    return _get(session, Clip, clip_id, lock=lock)


def clip_project(session: Session, clip_id: int) -> str | None:
    """The project of clip ``clip_id``: the loaded row's when the session holds it, else one
    column read (a save's guideline check needs only this, not the whole clip row)."""
    loaded = session.identity_map.get(identity_key(Clip, clip_id))
    if loaded is not None:
        return loaded.project
    return session.scalar(select(Clip.project).where(Clip.id == clip_id))


def all_clips(session: Session) -> Sequence[Clip]:
    return session.scalars(select(Clip).order_by(Clip.id.desc())).all()


def clips_with_lease_expired(session: Session, now: datetime, *, lock: bool = False) -> Sequence[Clip]:
    """Clips "processing" whose worker's lease ran out before ``now`` (or that have none)."""
    query = select(Clip).where(Clip.status == "processing",
                               or_(Clip.lease_until.is_(None), Clip.lease_until < now)).order_by(Clip.id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).all()


def clips_waiting_since(session: Session, cutoff: datetime, *, queue: str, lock: bool = False) -> Sequence[Clip]:
    """Clips not withdrawn that wait for a job of ``queue`` (``clips``: status queued;
    ``drafts``: processed, drafting queued) and have not moved (``progress_at``, else
    ``created_at``) since before ``cutoff``."""
    waiting = (Clip.status == "queued" if queue == "clips"
               else and_(Clip.status == "ready", Clip.draft_state == "queued"))
    still = or_(Clip.progress_at < cutoff, and_(Clip.progress_at.is_(None), Clip.created_at < cutoff))
    query = select(Clip).where(waiting, still, Clip.withdrawn_at.is_(None)).order_by(Clip.id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).all()


def clips_drafting_still_since(session: Session, cutoff: datetime, *, lock: bool = False) -> Sequence[Clip]:
    """Clips not withdrawn whose drafting runs (``draft_state`` drafting) but has not beaten
    (``progress_at``) since before ``cutoff``."""
    query = (select(Clip).where(Clip.status == "ready", Clip.draft_state == "drafting", Clip.withdrawn_at.is_(None),
                                or_(Clip.progress_at < cutoff, Clip.progress_at.is_(None)))
             .order_by(Clip.id))
    return session.scalars(query.with_for_update() if lock else query).all()


def clips_with_live_lease(session: Session, now: datetime) -> Sequence[Clip]:
    return session.scalars(select(Clip).where(Clip.status == "processing", Clip.lease_until >= now)).all()


def tasks_by_clip(session: Session, clip_ids: Iterable[int]) -> dict[int, Task]:
    ids = list(clip_ids)
    if not ids:
        return {}
    return {t.clip_id: t for t in session.scalars(select(Task).where(Task.clip_id.in_(ids)))}


def live_segment_counts(session: Session, task_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{task_id: {status: count}}`` over live (not merged-away) segments."""
    ids = list(task_ids)
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = session.execute(
        select(Segment.task_id, Segment.status, func.count())
        .where(Segment.task_id.in_(ids), Segment.merged_into_id.is_(None))
        .group_by(Segment.task_id, Segment.status)
    )
    for task_id, status, n in rows:
        counts[task_id][status] = n
    return counts


def live_durations(session: Session, task_ids: Iterable[int]) -> dict[int, float]:
    ids = list(task_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Segment.task_id, func.sum(Segment.end_s - Segment.start_s))
        .where(Segment.task_id.in_(ids), Segment.merged_into_id.is_(None))
        .group_by(Segment.task_id)
    )
    return {task_id: float(total or 0.0) for task_id, total in rows}


def returned_comments(session: Session, task_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    ids = list(task_ids)
    found: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.execute(
        select(Segment.task_id, Segment.position, Segment.review_comment)
        .where(Segment.task_id.in_(ids), Segment.merged_into_id.is_(None), Segment.status == SegmentStatus.RETURNED)
        .order_by(Segment.task_id, Segment.position)
    )
    for task_id, position, comment in rows:
        found[task_id].append((position, comment or ""))
    return found


@functools.cache
def _summary_rows():
    # Built once: an aliased join costs more to build than to run (about 3 ms a call).
    transcriber, reviewer = aliased(User), aliased(User)
    return (
        select(Task.id, Clip.filename, Clip.project, Clip.duration, transcriber.username.label("transcriber"),
               reviewer.username.label("reviewer"))
        .join(Clip, Clip.id == Task.clip_id)
        .outerjoin(transcriber, transcriber.id == Task.transcriber_id)
        .outerjoin(reviewer, reviewer.id == Task.reviewer_id)
        .where(Task.id.in_(bindparam("task_ids", expanding=True)))
    )


def summary_rows(session: Session, task_ids: Iterable[int]) -> dict[int, Row]:
    """What a task's summary shows of its clip and people, one row per task in one read:
    ``filename``, ``project``, ``duration`` (the clip's), ``transcriber`` and ``reviewer``
    (usernames, None when nobody)."""
    ids = list(task_ids)
    if not ids:
        return {}
    return {row.id: row for row in session.execute(_summary_rows(), {"task_ids": ids})}


_LIVE_SEGMENT_TOTALS = (
    select(Segment.task_id, Segment.status, func.count(), func.sum(Segment.end_s - Segment.start_s))
    .where(Segment.task_id.in_(bindparam("task_ids", expanding=True)), Segment.merged_into_id.is_(None))
    .group_by(Segment.task_id, Segment.status)
)


def live_segment_totals(session: Session, task_ids: Iterable[int]) -> dict[int, tuple[dict[str, int], float]]:
    """``live_segment_counts`` and ``live_durations`` in one read: ``{task_id: ({status:
    count}, seconds)}`` over live segments (a task without any: ``({}, 0.0)``)."""
    ids = list(task_ids)
    totals: dict[int, tuple[dict[str, int], float]] = {i: ({}, 0.0) for i in ids}
    if not ids:
        return totals
    for task_id, status, n, seconds in session.execute(_LIVE_SEGMENT_TOTALS, {"task_ids": ids}):
        counts, total = totals[task_id]
        counts[status] = n
        totals[task_id] = (counts, total + float(seconds or 0.0))
    return totals
