"""Double transcription's queries (workflow/double.py): the pairs, who may not claim which
side, the agreements and the open disputes."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased, object_session

from workbench.store.double_models import DoubleAgreement, DoublePair
from workbench.store.models import AuditEntry, Clip, Task, User


def pair_of(session: Session, task_id: int, *, lock: bool = False) -> DoublePair | None:
    """The pair ``task_id`` is either side of, or None."""
    query = select(DoublePair).where(or_(DoublePair.task_id == task_id, DoublePair.original_task_id == task_id))
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


# Having transcribed a task (claimed it), and having read it any way (claimed or reviewed it).
TRANSCRIBED = ("task.claimed",)
READ = ("task.claimed", "task.review_started")


def _worked(task_id_column, user_id: int, actions: tuple[str, ...]):
    """A condition: ``user_id`` ever did one of ``actions`` on task ``task_id_column`` (the
    audit log remembers it after a release)."""
    return select(AuditEntry.id).where(AuditEntry.task_id == task_id_column, AuditEntry.actor_id == user_id,
                                       AuditEntry.action.in_(actions)).exists()


def worked_other_side(task: Task, user_id: int, session: Session | None = None) -> bool:
    """Whether ``task`` (a row of an open session, or a Core row with the task's ``id`` read
    in ``session``) is a side of a pair whose other side ``user_id`` ever transcribed
    (claimed). Reviewing both sides is allowed: a reviewer writes neither text."""
    if session is None:
        session = object_session(task)  # a Core row is not mapped: its reader must pass session
    if session is None:
        return False
    return bool(session.scalar(select(
        select(DoublePair.task_id).where(or_(
            and_(DoublePair.task_id == task.id, _worked(DoublePair.original_task_id, user_id, TRANSCRIBED)),
            and_(DoublePair.original_task_id == task.id, _worked(DoublePair.task_id, user_id, TRANSCRIBED)),
        )).exists())))


def double_task_clause(task_id):
    """A condition: task ``task_id`` (a column or a value) is either side of a pair
    (``is_double_task``'s rule, for a Core read)."""
    return select(DoublePair.task_id).where(
        or_(DoublePair.task_id == task_id, DoublePair.original_task_id == task_id)).exists()


def is_double_task(task: Task) -> bool:
    """Whether ``task`` (a row of an open session) is either side of a pair; remembered for
    the session's life (a task is paired when it is made, or untouched by ``double_task``)."""
    session = object_session(task)
    if session is None:
        return False
    known = session.info.setdefault("double_tasks", {})
    if task.id not in known:
        known[task.id] = bool(session.scalar(select(double_task_clause(task.id))))
    return known[task.id]


def ever_claimed(session: Session, task_id: int) -> bool:
    return bool(session.scalar(select(select(AuditEntry.id).where(
        AuditEntry.task_id == task_id, AuditEntry.action == "task.claimed").exists())))


def ever_read(session: Session, task_ids: list[int], user_id: int) -> bool:
    """Whether ``user_id`` ever claimed or reviewed one of ``task_ids``."""
    return bool(session.scalar(select(select(AuditEntry.id).where(
        AuditEntry.task_id.in_(task_ids), AuditEntry.actor_id == user_id, AuditEntry.action.in_(READ)).exists())))


def unwritten_settlements(session: Session, original_task_id: int) -> list[DoubleAgreement]:
    """The settled disputes over ``original_task_id`` whose text is not written on it yet (nor
    found unwritable), in span order, locked."""
    return list(session.scalars(
        select(DoubleAgreement).join(DoublePair, DoublePair.task_id == DoubleAgreement.pair_task_id)
        .where(DoublePair.original_task_id == original_task_id, DoubleAgreement.resolution.is_not(None),
               DoubleAgreement.applied_at.is_(None), DoubleAgreement.apply_note.is_(None))
        .order_by(DoubleAgreement.position).with_for_update(of=DoubleAgreement)))


def sides_to_skip(connection, user_id: int) -> list[int]:
    """Open sides of a pair ``user_id`` must not be offered: those whose other side they ever
    claimed or reviewed (read), so nobody transcribes audio whose other text they know, nor
    the same audio twice."""
    def claimed(task_id_column):
        return _worked(task_id_column, user_id, READ)

    copy, original = aliased(Task), aliased(Task)
    rows = connection.execute(
        select(DoublePair.task_id, DoublePair.original_task_id, copy.state, original.state)
        .join(copy, copy.id == DoublePair.task_id)
        .join(original, original.id == DoublePair.original_task_id)
        .where(or_(and_(copy.state == "open", claimed(DoublePair.original_task_id)),
                   and_(original.state == "open", claimed(DoublePair.task_id))))
    )
    skip = []
    for copy_id, original_id, copy_state, original_state in rows:
        skip += [task_id for task_id, state in ((copy_id, copy_state), (original_id, original_state))
                 if state == "open"]
    return skip


def agreements(session: Session, *, disputed_only: bool = False, language: str | None = None) -> list[tuple]:
    """Every agreement, newest first, with the two usernames and the project:
    ``(DoubleAgreement, first username, second username, project)``."""
    first, second = aliased(User), aliased(User)
    query = (
        select(DoubleAgreement, first.username, second.username, Clip.project)
        .join(first, first.id == DoubleAgreement.first_user_id)
        .join(second, second.id == DoubleAgreement.second_user_id)
        .join(Task, Task.id == DoubleAgreement.pair_task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .order_by(DoubleAgreement.measured_at.desc(), DoubleAgreement.id.desc())
    )
    if disputed_only:
        query = query.where(DoubleAgreement.disputed, DoubleAgreement.resolution.is_(None))
    if language is not None:
        query = query.where(DoubleAgreement.language == language)
    return [tuple(row) for row in session.execute(query)]


def pairs(session: Session) -> dict[int, int]:
    """``{copy task id: original task id}``."""
    return dict(session.execute(select(DoublePair.task_id, DoublePair.original_task_id)).all())
