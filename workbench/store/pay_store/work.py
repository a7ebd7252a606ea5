"""What pay is computed from: the people paid, the work and review items, the penalties, the
time on task."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, false, func, select
from sqlalchemy.orm import Session

from workbench.domain.states import TaskState
from workbench.store.models import Clip, Penalty, Segment, Task, User, Verdict
from workbench.store.pay_models import (
    PayRate,
    ProjectRate,
    ReviewerRate,
    ReviewRound,
    Settlement,
    SettlementItem,
    SettlementReview,
    TaskTime,
)


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


# --- work and penalties ---------------------------------------------------------------

def work_items(session: Session, *, user_id: int | None = None) -> list[Row]:
    """Unsettled completed tasks as the engine's work items (``workbench.pay.engine.WORK_ITEM_COLUMNS``).

    ``speech_seconds`` sums the live, not-no-speech segments of the task.
    """
    query = (
        _work_query(Task.completed_at)
        .where(Task.state == TaskState.COMPLETE, Task.completed_at.is_not(None),
               ~select(SettlementItem.id).where(SettlementItem.task_id == Task.id).exists())
        .order_by(Task.completed_at, Task.id)
    )
    if user_id is not None:
        query = query.where(Task.transcriber_id == user_id)
    return session.execute(query).all()


def waiting_work(session: Session, *, user_id: int) -> list[Row]:
    """One transcriber's tasks submitted and not yet decided (waiting for or in review), as
    work items whose ``accepted_at`` is their submission: what review may still accept."""
    query = (
        _work_query(Task.submitted_at)
        .where(Task.state.in_((TaskState.SUBMITTED, TaskState.IN_REVIEW)), Task.submitted_at.is_not(None),
               Task.transcriber_id == user_id)
        .order_by(Task.submitted_at, Task.id)
    )
    return session.execute(query).all()


def _work_query(at: Any) -> Any:
    speech = (
        select(Segment.task_id, func.sum(Segment.end_s - Segment.start_s).label("seconds"))
        .where(Segment.merged_into_id.is_(None), Segment.no_speech.is_(false()))
        .group_by(Segment.task_id)
        .subquery()
    )
    return (
        select(Task.id.label("task_id"), Task.transcriber_id.label("user_id"), User.username,
               Clip.id.label("clip_id"), Clip.filename.label("clip_name"), Clip.language, Clip.project,
               Clip.duration.label("source_seconds"), func.coalesce(speech.c.seconds, 0.0).label("speech_seconds"),
               at.label("accepted_at"))
        .join(Clip, Clip.id == Task.clip_id)
        .join(User, User.id == Task.transcriber_id)
        .outerjoin(speech, speech.c.task_id == Task.id)
    )


def record_review_round(session: Session, *, task_id: int, review_round: int, reviewer_id: int,
                        segments: list[Segment], outcome: str, at: datetime) -> None:
    """Record a finished review round: of the task's live ``segments``, those with a verdict
    in this round, and their summed duration (the reviewer's paid audio)."""
    decided = set(session.scalars(
        select(Verdict.segment_id).where(Verdict.task_id == task_id, Verdict.review_round == review_round)
    ))
    reviewed = [s for s in segments if s.id in decided]
    session.add(ReviewRound(task_id=task_id, review_round=review_round, reviewer_id=reviewer_id,
                            segments=len(reviewed), reviewed_seconds=sum(s.end_s - s.start_s for s in reviewed),
                            outcome=outcome, finished_at=at))


def review_items(session: Session, *, user_id: int | None = None) -> list[Row]:
    """Unsettled finished review rounds as the engine's review items
    (``workbench.pay.engine.REVIEW_ITEM_COLUMNS``)."""
    query = (
        select(ReviewRound.id.label("review_id"), ReviewRound.task_id, ReviewRound.review_round,
               ReviewRound.reviewer_id.label("user_id"), User.username, Clip.id.label("clip_id"),
               Clip.filename.label("clip_name"), Clip.language, Clip.project, ReviewRound.segments,
               ReviewRound.reviewed_seconds, ReviewRound.finished_at.label("reviewed_at"))
        .join(Task, Task.id == ReviewRound.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .join(User, User.id == ReviewRound.reviewer_id)
        .where(~select(SettlementReview.id).where(SettlementReview.review_round_id == ReviewRound.id).exists())
        .order_by(ReviewRound.finished_at, ReviewRound.id)
    )
    if user_id is not None:
        query = query.where(ReviewRound.reviewer_id == user_id)
    return session.execute(query).all()


def unsettled_penalties(session: Session) -> list[Row]:
    """Penalties no committed settlement has deducted yet: ``penalty_id``, ``user_id``,
    ``username``, ``amount``, ``created_at``."""
    query = (
        select(Penalty.id.label("penalty_id"), Penalty.user_id, User.username, Penalty.amount_won.label("amount"),
               Penalty.created_at)
        .join(User, User.id == Penalty.user_id)
        .where(~select(SettlementItem.id).where(SettlementItem.penalty_id == Penalty.id).exists())
        .order_by(Penalty.created_at, Penalty.id)
    )
    return session.execute(query).all()


def last_activity_at(session: Session, user_id: int) -> datetime | None:
    """When the worker's latest activity report was credited, on any task."""
    return session.scalar(select(func.max(TaskTime.last_at)).where(TaskTime.user_id == user_id))


def add_task_time(session: Session, *, user_id: int, task_id: int, role: str, seconds: float, at: datetime) -> None:
    """Add ``seconds`` of active time to the worker's row for the task and role (one row each)."""
    row = session.scalars(select(TaskTime).where(TaskTime.user_id == user_id, TaskTime.task_id == task_id,
                                                 TaskTime.role == role)).one_or_none()
    if row is None:
        session.add(TaskTime(user_id=user_id, task_id=task_id, role=role, active_seconds=seconds, reports=1,
                             first_at=at, last_at=at))
    else:
        row.active_seconds += seconds
        row.reports += 1
        row.last_at = at
    session.flush()


def task_times(session: Session, *, user_id: int | None = None) -> list[Row]:
    """Active time per worker, task and role: ``user_id``, ``username``, ``task_id``, ``role``,
    ``language``, ``project``, ``active_seconds``, ``last_at``."""
    query = (
        select(TaskTime.user_id, User.username, TaskTime.task_id, TaskTime.role, Clip.language, Clip.project,
               TaskTime.active_seconds, TaskTime.last_at)
        .join(User, User.id == TaskTime.user_id)
        .join(Task, Task.id == TaskTime.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .order_by(User.username, TaskTime.task_id, TaskTime.role)
    )
    if user_id is not None:
        query = query.where(TaskTime.user_id == user_id)
    return session.execute(query).all()


def pay_state(session: Session, *, user_id: int, now: datetime) -> tuple:
    """One row that changes whenever anything one worker's coming pay is worked out from
    changes: their submitted, in-review and complete tasks, their review rounds and
    penalties, any committed settlement, and the rates (added, or coming into force by
    ``now``). Rows are only ever added to these or move forward, so counts and newest ids
    and times are enough; one statement of scalar subqueries."""
    waiting = (TaskState.SUBMITTED, TaskState.IN_REVIEW)
    mine = Task.transcriber_id == user_id
    columns = [
        select(func.count()).where(mine, Task.state.in_(waiting)).scalar_subquery(),
        select(func.count()).where(mine, Task.state == TaskState.COMPLETE).scalar_subquery(),
        select(func.max(Task.submitted_at)).where(mine).scalar_subquery(),
        select(func.max(Task.completed_at)).where(mine).scalar_subquery(),
        select(func.max(ReviewRound.id)).where(ReviewRound.reviewer_id == user_id).scalar_subquery(),
        select(func.max(Penalty.id)).where(Penalty.user_id == user_id).scalar_subquery(),
        select(func.max(Settlement.id)).scalar_subquery(),
    ]
    for rate in (PayRate, ProjectRate, ReviewerRate):
        columns.append(select(func.max(rate.id)).scalar_subquery())
        columns.append(select(func.count()).where(rate.effective_at <= now).scalar_subquery())
    return tuple(session.execute(select(*columns)).one())
