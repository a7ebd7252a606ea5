"""Queries about tasks: listing, holding, claiming and taking for review (the conditional UPDATEs
that decide races live here)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from workbench.domain.states import DRAFTS_PENDING, TaskState, task_move

from workbench.store.models import Clip, Task
from workbench.store.repo._common import HELD_STATES, _get, is_postgres


def get_task(session: Session, task_id: int, *, lock: bool = False) -> Task | None:
    return _get(session, Task, task_id, lock=lock)


def tasks_where(session: Session, *, states: Sequence[str] | None = None, language: str | None = None,
                transcriber_id: int | None = None, project: str | None = None) -> Sequence[Task]:
    query = select(Task).join(Clip, Clip.id == Task.clip_id)
    if states is not None:
        query = query.where(Task.state.in_(states))
    if language is not None:
        query = query.where(Task.language == language)
    if transcriber_id is not None:
        query = query.where(Task.transcriber_id == transcriber_id)
    if project is not None:
        query = query.where(Clip.project == project)
    return session.scalars(query.order_by(Task.priority.desc(), Task.id)).all()


def tasks_held_by(session: Session, user_id: int) -> Sequence[Task]:
    """Tasks waiting on this user: claimed or returned to them as transcriber, in review
    with them, or resubmitted for them to review again; locked for update."""
    return session.scalars(
        select(Task).where(or_(
            and_(Task.transcriber_id == user_id, Task.state.in_(HELD_STATES)),
            and_(Task.reviewer_id == user_id, Task.state.in_((TaskState.IN_REVIEW, TaskState.SUBMITTED))),
        )).order_by(Task.id).with_for_update()
    ).all()


def held_task_counts(session: Session) -> dict[int, int]:
    """``held_task_count`` of every transcriber holding any task."""
    return dict(session.execute(
        select(Task.transcriber_id, func.count()).where(Task.state.in_(HELD_STATES)).group_by(Task.transcriber_id)
    ).all())


_HELD_TASK_COUNT = select(func.count()).select_from(Task).where(
    Task.transcriber_id == bindparam("user_id"), Task.state.in_(HELD_STATES))


def held_task_count(session: Session | Connection, user_id: int) -> int:
    return session.scalar(_HELD_TASK_COUNT, {"user_id": user_id}) or 0


_OPEN_TASK_COUNT = (select(func.count()).select_from(Task)
                    .where(Task.state == TaskState.OPEN, Task.language == bindparam("language")))


def open_task_count(session: Session, language: str) -> int:
    return session.scalar(_OPEN_TASK_COUNT, {"language": language}) or 0


# The transcriber's queue asks this on every refresh: built once (``tasks_where`` builds its query).
_HELD_TASKS = (select(Task).where(Task.transcriber_id == bindparam("user_id"), Task.state.in_(HELD_STATES))
               .order_by(Task.priority.desc(), Task.id))


def held_tasks(session: Session, user_id: int) -> Sequence[Task]:
    """The tasks ``user_id`` holds as transcriber (claimed or returned), highest priority first."""
    return session.scalars(_HELD_TASKS, {"user_id": user_id}).all()


def claim_open_task(session: Session | Connection, *, language: str, user_id: int, now: datetime,
                    skip: Sequence[int] = (), barred_projects: Sequence[str] = ()) -> int | None:
    """Give the highest-priority open task of ``language`` (not one of ``skip``, nor of a clip
    of ``barred_projects``; within a priority, one whose drafting is not still queued or
    running) to ``user_id``: its id, or None.

    The UPDATE only succeeds while the task is still open, so two claimers can never both
    get it; on PostgreSQL SKIP LOCKED also lets concurrent claimers pass each other by
    instead of queueing on the same row.
    """
    postgres = is_postgres(session)
    skipped: list[int] = list(skip)
    barred = list(barred_projects)
    while True:
        pick = _open_task_pick(postgres=postgres, skipping=bool(skipped), barring=bool(barred))
        task_id = session.scalar(pick, {"language": language, "skipped": skipped, "barred": barred})
        if task_id is None:
            return None
        result = session.execute(_CLAIM, {"task_id": task_id, "claimer": user_id, "claimed": now})
        if result.rowcount == 1:
            return task_id
        skipped.append(task_id)


# The claim's statements are built once: building them cost more than running them.
_CLAIM = (
    update(Task)
    .where(Task.id == bindparam("task_id"), Task.state == "open")
    .values(state="in_progress", transcriber_id=bindparam("claimer"), claimed_at=bindparam("claimed"))
    .execution_options(synchronize_session=False)
)


@functools.cache
def _open_task_pick(*, postgres: bool, skipping: bool, barring: bool = False):
    """The highest-priority open task of ``:language`` (not one of ``:skipped``, nor of a clip
    of the ``:barred`` projects), drafted ones first within a priority, then the oldest."""
    query = select(Task.id).where(Task.state == "open", Task.language == bindparam("language"))
    if skipping:
        query = query.where(Task.id.not_in(bindparam("skipped", expanding=True)))
    if barring:
        query = query.where(Task.clip_id.not_in(
            select(Clip.id).where(Clip.project.in_(bindparam("barred", expanding=True))).scalar_subquery()))
    # Within a priority, a task whose clip is still being drafted comes after the drafted ones:
    # the drafting job re-cuts a task nobody has claimed by its drafts' sentences and fills in
    # its drafts (workflow/recutting.py, drafting.py); claimed first, it would miss both.
    # The clips still being drafted are few (an index finds them) and read once per pick.
    drafting = Task.clip_id.in_(select(Clip.id).where(Clip.draft_state.in_(DRAFTS_PENDING)))
    query = query.order_by(Task.priority.desc(), drafting, Task.id).limit(1)
    return query.with_for_update(skip_locked=True) if postgres else query


def _reviewable_by(reviewer_id: int, reserved_since: datetime):
    """A submitted task nobody reserved, reserved for this reviewer, or whose reservation
    (a resubmission waiting for the reviewer who returned it) began before ``reserved_since``."""
    return or_(Task.reviewer_id.is_(None), Task.reviewer_id == reviewer_id, Task.submitted_at <= reserved_since)


def take_for_review(session: Session, *, task_id: int, reviewer_id: int, now: datetime, reserved_since: datetime) -> bool:
    """Move a submitted task into review for ``reviewer_id``; False if someone else was first.

    A resubmitted task stays with its reviewer until ``reserved_since``; then anyone may take it.
    """
    result = session.execute(
        update(Task)
        .where(
            Task.id == task_id,
            Task.state == TaskState.SUBMITTED,
            _reviewable_by(reviewer_id, reserved_since),
        )
        .values(state=task_move(TaskState.SUBMITTED, "start_review"), reviewer_id=reviewer_id, review_started_at=now,
                review_round=Task.review_round + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def review_candidates(session: Session, *, language: str, reviewer_id: int, reserved_since: datetime) -> Sequence[Task]:
    """Submitted tasks this reviewer may take (not their own; see ``take_for_review``) and
    those they are reviewing."""
    return session.scalars(
        select(Task)
        .where(
            Task.language == language,
            or_(Task.transcriber_id.is_(None), Task.transcriber_id != reviewer_id),
            or_(
                and_(Task.state == TaskState.SUBMITTED, _reviewable_by(reviewer_id, reserved_since)),
                and_(Task.state == TaskState.IN_REVIEW, Task.reviewer_id == reviewer_id),
            ),
        )
        .order_by(Task.priority.desc(), Task.submitted_at, Task.id)
    ).all()
