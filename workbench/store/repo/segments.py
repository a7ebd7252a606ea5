"""Queries about segments, their revisions and a reviewer's listening."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workbench.store.models import AudioSent, Clip, ListeningClock, Play, Revision, Segment, Task, User, Verdict
from workbench.store.repo._common import is_postgres


# The task view's statements, built once (building a select costs about as much as running it).
_LIVE_SEGMENTS = (select(Segment).where(Segment.task_id == bindparam("task_id"), Segment.merged_into_id.is_(None))
                  .order_by(Segment.position))


def live_segments(session: Session, task_id: int) -> list[Segment]:
    return list(session.scalars(_LIVE_SEGMENTS, {"task_id": task_id}))


def get_segment(session: Session, segment_id: int) -> Segment | None:
    return session.get(Segment, segment_id)


def media_row(session: Session, segment_id: int):
    """What serving a segment's audio needs, in one Core statement (no ORM rows): the
    segment's span and cut, its task's people, language and state (``id`` is the task's, so
    the row answers the access checks a ``Task`` does), its clip's audio folder and
    withdrawal; None when there is no such segment."""
    return session.connection().execute(
        select(Segment.id.label("segment_id"), Segment.start_s, Segment.end_s, Segment.audio_file,
               Segment.merged_into_id, Task.id, Task.transcriber_id, Task.reviewer_id, Task.language, Task.state,
               Task.clip_id, Clip.output_dir, Clip.withdrawn_at)
        .join(Task, Task.id == Segment.task_id).join(Clip, Clip.id == Task.clip_id)
        .where(Segment.id == segment_id)
    ).one_or_none()


def segment_for_change(session: Session, segment_id: int) -> tuple[Segment | None, Task | None]:
    """A segment about to change and its task: the task row locked (PostgreSQL) until the
    transaction ends, then the segment read (as it is now that nobody else can change the
    task). Two statements; ``(None, None)`` when there is no such segment."""
    query = (select(Task).join(Segment, Segment.task_id == Task.id).where(Segment.id == segment_id)
             .execution_options(populate_existing=True))
    if is_postgres(session):
        query = query.with_for_update(of=Task)
    task = session.scalars(query).one_or_none()
    if task is None:
        return None, None
    segment = session.scalars(select(Segment).where(Segment.id == segment_id)
                              .execution_options(populate_existing=True)).one()
    return segment, task


def bump_version(session: Session, segment: Segment, base_version: int, **values) -> bool:
    """Set ``values`` and version ``base_version + 1`` only if the stored version is still
    ``base_version``. True: ``segment`` holds what was written (no read back); False means
    another save won, and ``segment`` is reloaded as it is now."""
    values = {"version": base_version + 1, **values}
    result = session.execute(
        update(Segment)
        .where(Segment.id == segment.id, Segment.version == base_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(segment)
        return False
    for key, value in values.items():
        set_committed_value(segment, key, value.value if isinstance(value, Enum) else value)
    return True


def revisions_of(session: Session, segment_id: int) -> Sequence[Revision]:
    return session.scalars(
        select(Revision).where(Revision.segment_id == segment_id).order_by(Revision.version)
    ).all()


def latest_revision(session: Session, segment_id: int) -> Revision | None:
    return session.scalars(
        select(Revision).where(Revision.segment_id == segment_id).order_by(Revision.version.desc()).limit(1)
    ).first()


_HEARD_SPANS = (select(Play.segment_id, Play.start_s, Play.end_s, Play.version, Play.from_s, Play.to_s)
                .where(Play.user_id == bindparam("user_id"),
                       Play.segment_id.in_(bindparam("segment_ids", expanding=True))))


def heard_spans(session: Session, user_id: int, segments: Sequence[Segment]) -> dict[int, list[tuple[float, float]]]:
    """The spans (seconds into the segment) ``user_id`` was credited with hearing, per
    segment, counting only plays of the segment's current bounds and text version."""
    if not segments:
        return {}
    rows = session.execute(_HEARD_SPANS, {"user_id": user_id, "segment_ids": [s.id for s in segments]})
    current = {s.id: (s.start_s, s.end_s, s.version) for s in segments}
    heard: dict[int, list[tuple[float, float]]] = {s.id: [] for s in segments}
    for segment_id, start, end, version, from_s, to_s in rows:
        if current[segment_id] == (start, end, version):
            heard[segment_id].append((from_s, to_s))
    return heard


def sent_spans(session: Session, user_id: int, segment: Segment, *, until: datetime) -> list[tuple[float, float]]:
    """The spans of the segment's current audio (its bounds) the media route sent to
    ``user_id`` up to ``until``."""
    return [(a, b) for a, b in session.execute(
        select(AudioSent.from_s, AudioSent.to_s)
        .where(AudioSent.user_id == user_id, AudioSent.segment_id == segment.id,
               AudioSent.start_s == segment.start_s, AudioSent.end_s == segment.end_s,
               AudioSent.sent_at <= until)
    )]


def listening_clock(session: Session, user_id: int) -> ListeningClock | None:
    """The reviewer's listening clock. Callers lock the user row first (``lock_user``),
    so two reports of one reviewer never spend the same allowance."""
    return session.get(ListeningClock, user_id, populate_existing=True)


def lock_user(session: Session, user_id: int) -> None:
    """Serialise one person's concurrent requests until the transaction ends (PostgreSQL;
    SQLite's writers already run one at a time)."""
    if is_postgres(session):
        session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _reviewed_texts():
    latest = (
        select(Verdict.segment_id, func.max(Verdict.id).label("verdict_id"))
        .where(Verdict.segment_id.in_(bindparam("segment_ids", expanding=True)))
        .group_by(Verdict.segment_id)
        .subquery()
    )
    return (
        select(Verdict.segment_id, Revision.text)
        .join(latest, latest.c.verdict_id == Verdict.id)
        .outerjoin(Revision, and_(Revision.segment_id == Verdict.segment_id,
                                  Revision.version == Verdict.segment_version))
    )


# Built once: the subquery costs more to build than to run (about 2 ms a call).
_REVIEWED_TEXTS = _reviewed_texts()


def reviewed_texts(session: Session, segment_ids: Sequence[int]) -> dict[int, str]:
    """The text each segment had when its latest verdict was given (segments never
    reviewed are absent)."""
    if not segment_ids:
        return {}
    rows = session.execute(_REVIEWED_TEXTS, {"segment_ids": list(segment_ids)})
    return {segment_id: text or "" for segment_id, text in rows}
