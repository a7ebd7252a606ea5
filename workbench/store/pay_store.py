"""Pay's queries. ``workbench.pay.service`` calls these with a session from ``Store`` and
gets plain dicts back (it builds the engine's DataFrames from them); no SQL lives in pay/.

A work item is a ``complete`` task with a transcriber and a completion time: the
transcriber is paid once per task, however many review rounds it took. A review item is a
finished review round (``review_rounds``), paid to its reviewer. Committing is
serialised (``lock_settlements``) and guarded by the UNIQUE constraints of
``settlement_items``, so two concurrent commits can never pay one task twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, false, func, select, text
from sqlalchemy.orm import Session, aliased

from workbench.domain.states import TaskState
from workbench.store import repo
from workbench.store.models import Clip, Penalty, Segment, Task, User, Verdict
from workbench.store.pay_models import (
    PayRate,
    ProjectRate,
    ReviewerRate,
    ReviewRound,
    Settlement,
    SettlementItem,
    SettlementLine,
    SettlementReview,
    TaskTime,
)

# Any constant works: it only has to be the same for every process committing settlements.
_SETTLEMENT_LOCK_KEY = 0x7061792D736574  # "pay-set"
LINE_MONEY_COLUMNS = (
    "gross", "penalties", "carried_in", "balance", "income_tax", "local_tax", "net", "carried_out",
)


# --- people ----------------------------------------------------------------------------

def user_by_username(session: Session, username: str) -> dict | None:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    return None if user is None else _user_dict(user)


def _user_dict(user: User) -> dict:
    return {"id": user.id, "username": user.username}


# --- work and penalties ---------------------------------------------------------------

def work_items(session: Session, *, user_id: int | None = None) -> list[dict]:
    """Unsettled completed tasks as the engine's work items (``workbench.pay.engine.WORK_ITEM_COLUMNS``).

    ``speech_seconds`` sums the live, not-no-speech segments of the task.
    """
    speech = (
        select(Segment.task_id, func.sum(Segment.end_s - Segment.start_s).label("seconds"))
        .where(Segment.merged_into_id.is_(None), Segment.no_speech.is_(false()))
        .group_by(Segment.task_id)
        .subquery()
    )
    query = (
        select(Task.id, Task.transcriber_id, User.username, Clip.id, Clip.filename, Clip.language,
               Clip.project, Clip.duration, func.coalesce(speech.c.seconds, 0.0), Task.completed_at)
        .join(Clip, Clip.id == Task.clip_id)
        .join(User, User.id == Task.transcriber_id)
        .outerjoin(speech, speech.c.task_id == Task.id)
        .where(Task.state == TaskState.COMPLETE, Task.completed_at.is_not(None),
               ~select(SettlementItem.id).where(SettlementItem.task_id == Task.id).exists())
        .order_by(Task.completed_at, Task.id)
    )
    if user_id is not None:
        query = query.where(Task.transcriber_id == user_id)
    columns = ("task_id", "user_id", "username", "clip_id", "clip_name", "language", "project",
               "source_seconds", "speech_seconds", "accepted_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]


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


def review_items(session: Session, *, user_id: int | None = None) -> list[dict]:
    """Unsettled finished review rounds as the engine's review items
    (``workbench.pay.engine.REVIEW_ITEM_COLUMNS``)."""
    query = (
        select(ReviewRound.id, ReviewRound.task_id, ReviewRound.review_round, ReviewRound.reviewer_id,
               User.username, Clip.id, Clip.filename, Clip.language, Clip.project, ReviewRound.segments,
               ReviewRound.reviewed_seconds, ReviewRound.finished_at)
        .join(Task, Task.id == ReviewRound.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .join(User, User.id == ReviewRound.reviewer_id)
        .where(~select(SettlementReview.id).where(SettlementReview.review_round_id == ReviewRound.id).exists())
        .order_by(ReviewRound.finished_at, ReviewRound.id)
    )
    if user_id is not None:
        query = query.where(ReviewRound.reviewer_id == user_id)
    columns = ("review_id", "task_id", "review_round", "user_id", "username", "clip_id", "clip_name", "language",
               "project", "segments", "reviewed_seconds", "reviewed_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]


def unsettled_penalties(session: Session) -> list[dict]:
    """Penalties no committed settlement has deducted yet."""
    query = (
        select(Penalty.id, Penalty.user_id, User.username, Penalty.amount_won, Penalty.created_at)
        .join(User, User.id == Penalty.user_id)
        .where(~select(SettlementItem.id).where(SettlementItem.penalty_id == Penalty.id).exists())
        .order_by(Penalty.created_at, Penalty.id)
    )
    columns = ("penalty_id", "user_id", "username", "amount", "created_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]


# --- rates ----------------------------------------------------------------------------

def pay_rates(session: Session) -> list[dict]:
    """The base rate history: ``language``, ``won_per_minute``, ``effective_at``, ``set_by``, ``created_at``."""
    setter = aliased(User)
    query = (
        select(PayRate.language, PayRate.won_per_minute, PayRate.effective_at, setter.username, PayRate.created_at)
        .outerjoin(setter, setter.id == PayRate.created_by_id)
        .order_by(PayRate.language, PayRate.effective_at)
    )
    columns = ("language", "won_per_minute", "effective_at", "set_by", "created_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]


def project_rates(session: Session) -> list[dict]:
    """The bonus history: ``project``, ``won_per_minute``, ``basis``, ``effective_at``, ``set_by``, ``created_at``."""
    setter = aliased(User)
    query = (
        select(ProjectRate.project, ProjectRate.won_per_minute, ProjectRate.basis, ProjectRate.effective_at,
               setter.username, ProjectRate.created_at)
        .outerjoin(setter, setter.id == ProjectRate.created_by_id)
        .order_by(ProjectRate.project, ProjectRate.effective_at)
    )
    columns = ("project", "won_per_minute", "basis", "effective_at", "set_by", "created_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]


def reviewer_rates(session: Session) -> list[dict]:
    """The reviewer rate history: ``language``, ``won_per_minute``, ``effective_at``, ``set_by``, ``created_at``."""
    setter = aliased(User)
    query = (
        select(ReviewerRate.language, ReviewerRate.won_per_minute, ReviewerRate.effective_at, setter.username,
               ReviewerRate.created_at)
        .outerjoin(setter, setter.id == ReviewerRate.created_by_id)
        .order_by(ReviewerRate.language, ReviewerRate.effective_at)
    )
    columns = ("language", "won_per_minute", "effective_at", "set_by", "created_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]


def has_reviewer_rate(session: Session, language: str, effective_at: datetime) -> bool:
    query = select(ReviewerRate.id).where(ReviewerRate.language == language,
                                          ReviewerRate.effective_at == effective_at)
    return session.execute(query).first() is not None


def add_reviewer_rate(session: Session, *, language: str, won_per_minute: int, effective_at: datetime,
                      created_by_id: int, created_at: datetime) -> int:
    rate = ReviewerRate(language=language, won_per_minute=won_per_minute, effective_at=effective_at,
                        created_by_id=created_by_id, created_at=created_at)
    session.add(rate)
    session.flush()
    return rate.id


def has_pay_rate(session: Session, language: str, effective_at: datetime) -> bool:
    query = select(PayRate.id).where(PayRate.language == language, PayRate.effective_at == effective_at)
    return session.execute(query).first() is not None


def has_project_rate(session: Session, project: str, effective_at: datetime) -> bool:
    query = select(ProjectRate.id).where(ProjectRate.project == project, ProjectRate.effective_at == effective_at)
    return session.execute(query).first() is not None


def add_pay_rate(session: Session, *, language: str, won_per_minute: int, effective_at: datetime,
                 created_by_id: int, created_at: datetime) -> int:
    rate = PayRate(language=language, won_per_minute=won_per_minute, effective_at=effective_at,
                   created_by_id=created_by_id, created_at=created_at)
    session.add(rate)
    session.flush()
    return rate.id


def add_project_rate(session: Session, *, project: str, won_per_minute: int, basis: str,
                     effective_at: datetime, created_by_id: int, created_at: datetime) -> int:
    rate = ProjectRate(project=project, won_per_minute=won_per_minute, basis=basis, effective_at=effective_at,
                       created_by_id=created_by_id, created_at=created_at)
    session.add(rate)
    session.flush()
    return rate.id


# --- settlements ----------------------------------------------------------------------

def lock_settlements(session: Session) -> None:
    """Serialise settlement commits until this transaction ends.

    PostgreSQL takes a transaction-scoped advisory lock; SQLite needs nothing more, as the
    store begins every transaction with ``BEGIN IMMEDIATE`` (one writer at a time).
    """
    if repo.is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETTLEMENT_LOCK_KEY})


def settlement(session: Session, payday: date) -> dict | None:
    row = session.scalars(select(Settlement).where(Settlement.payday == payday)).one_or_none()
    return None if row is None else _settlement_dict(session, row)


def latest_settlement(session: Session) -> dict | None:
    row = session.scalars(select(Settlement).order_by(Settlement.payday.desc()).limit(1)).one_or_none()
    return None if row is None else _settlement_dict(session, row)


def _settlement_dict(session: Session, row: Settlement) -> dict:
    return {
        "id": row.id, "payday": row.payday, "period_start": row.period_start, "cutoff": row.cutoff,
        "minimum_payout": row.minimum_payout, "committed_at": row.committed_at,
        "committed_by": session.get(User, row.committed_by_id).username,
    }


def carry_over(session: Session) -> list[dict]:
    """Each worker's balance carried out of their latest settlement line, where not zero."""
    latest = (
        select(SettlementLine.user_id, func.max(Settlement.payday).label("payday"))
        .join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .group_by(SettlementLine.user_id)
        .subquery()
    )
    query = (
        select(SettlementLine.user_id, User.username, SettlementLine.carried_out)
        .join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .join(latest, and_(latest.c.user_id == SettlementLine.user_id, latest.c.payday == Settlement.payday))
        .join(User, User.id == SettlementLine.user_id)
        .where(SettlementLine.carried_out != 0)
        .order_by(User.username)
    )
    return [{"user_id": u, "username": name, "amount": amount} for u, name, amount in session.execute(query)]


def settlement_lines(session: Session, *, payday: date | None = None, user_id: int | None = None) -> list[dict]:
    """Committed lines with the engine's ``LINE_COLUMNS``, by payday then username."""
    query = (
        select(Settlement, SettlementLine, User.username)
        .join(SettlementLine, SettlementLine.settlement_id == Settlement.id)
        .join(User, User.id == SettlementLine.user_id)
        .order_by(Settlement.payday, User.username)
    )
    if payday is not None:
        query = query.where(Settlement.payday == payday)
    if user_id is not None:
        query = query.where(SettlementLine.user_id == user_id)
    return [
        {"payday": s.payday, "period_start": s.period_start, "cutoff": s.cutoff, "user_id": line.user_id,
         "username": username, "items": line.items, "source_seconds": line.source_seconds,
         **{column: getattr(line, column) for column in LINE_MONEY_COLUMNS}, "status": line.status}
        for s, line, username in session.execute(query)
    ]


def settled_work(session: Session, *, payday: date | None = None, user_id: int | None = None) -> list[dict]:
    """Committed work items as priced when paid (``ITEM_OUTPUT_COLUMNS``) plus ``payday``."""
    query = (
        select(Settlement.payday, SettlementItem, Task, Clip, User.username)
        .join(SettlementItem, SettlementItem.settlement_id == Settlement.id)
        .join(Task, Task.id == SettlementItem.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .join(User, User.id == SettlementItem.user_id)
        .order_by(Settlement.payday, SettlementItem.occurred_at, SettlementItem.task_id)
    )
    if payday is not None:
        query = query.where(Settlement.payday == payday)
    if user_id is not None:
        query = query.where(SettlementItem.user_id == user_id)
    return [
        {"task_id": task.id, "user_id": item.user_id, "username": username, "clip_id": clip.id,
         "clip_name": clip.filename, "language": clip.language, "project": clip.project,
         "source_seconds": item.source_ms / 1000, "speech_seconds": None, "accepted_at": item.occurred_at,
         "source_ms": item.source_ms, "rate": item.rate, "rate_effective_at": None,
         "bonus_rate": item.bonus_rate, "bonus_basis": item.bonus_basis, "bonus_ms": item.bonus_ms,
         "amount": item.amount, "payday": paid_on}
        for paid_on, item, task, clip, username in session.execute(query)
    ]


def settled_reviews(session: Session, *, payday: date | None = None, user_id: int | None = None) -> list[dict]:
    """Committed review rounds as priced when paid (``REVIEW_OUTPUT_COLUMNS``) plus ``payday``."""
    query = (
        select(Settlement.payday, SettlementReview, ReviewRound, Clip, User.username)
        .join(SettlementReview, SettlementReview.settlement_id == Settlement.id)
        .join(ReviewRound, ReviewRound.id == SettlementReview.review_round_id)
        .join(Task, Task.id == ReviewRound.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .join(User, User.id == SettlementReview.user_id)
        .order_by(Settlement.payday, SettlementReview.occurred_at, ReviewRound.id)
    )
    if payday is not None:
        query = query.where(Settlement.payday == payday)
    if user_id is not None:
        query = query.where(SettlementReview.user_id == user_id)
    return [
        {"review_id": round_.id, "task_id": round_.task_id, "review_round": round_.review_round,
         "user_id": item.user_id, "username": username, "clip_id": clip.id, "clip_name": clip.filename,
         "language": clip.language, "project": clip.project, "segments": round_.segments,
         "reviewed_seconds": item.reviewed_ms / 1000, "reviewed_at": item.occurred_at,
         "reviewed_ms": item.reviewed_ms, "rate": item.rate, "rate_effective_at": None, "amount": item.amount,
         "payday": paid_on}
        for paid_on, item, round_, clip, username in session.execute(query)
    ]


def settled_penalties(session: Session, *, payday: date) -> list[dict]:
    """Penalties a committed settlement deducted (``PENALTY_COLUMNS``)."""
    query = (
        select(SettlementItem.penalty_id, SettlementItem.user_id, User.username, SettlementItem.amount,
               SettlementItem.occurred_at)
        .join(Settlement, Settlement.id == SettlementItem.settlement_id)
        .join(User, User.id == SettlementItem.user_id)
        .where(Settlement.payday == payday, SettlementItem.penalty_id.is_not(None))
        .order_by(User.username, SettlementItem.occurred_at)
    )
    columns = ("penalty_id", "user_id", "username", "amount", "created_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]


def insert_settlement(
    session: Session, *, payday: date, period_start: datetime, cutoff: datetime, minimum_payout: int,
    committed_by_id: int, committed_at: datetime, lines: list[dict], work: list[dict], penalties: list[dict],
    reviews: list[dict] = (),
) -> int:
    """Record one settlement: its lines, the tasks and review rounds it pays and the
    penalties it deducts.

    Raises ``sqlalchemy.exc.IntegrityError`` if the payday, a task or a penalty is already
    in a committed settlement; call it after ``lock_settlements`` so that never happens.
    """
    row = Settlement(payday=payday, period_start=period_start, cutoff=cutoff, minimum_payout=minimum_payout,
                     committed_by_id=committed_by_id, committed_at=committed_at)
    session.add(row)
    session.flush()
    session.add_all(
        SettlementLine(settlement_id=row.id, user_id=line["user_id"], items=line["items"],
                       source_seconds=line["source_seconds"], status=line["status"],
                       **{column: line[column] for column in LINE_MONEY_COLUMNS})
        for line in lines
    )
    session.add_all(
        SettlementItem(settlement_id=row.id, user_id=item["user_id"], task_id=item["task_id"],
                       amount=item["amount"], occurred_at=item["accepted_at"], source_ms=item["source_ms"],
                       rate=item["rate"], bonus_rate=item["bonus_rate"], bonus_basis=item["bonus_basis"],
                       bonus_ms=item["bonus_ms"])
        for item in work
    )
    session.add_all(
        SettlementItem(settlement_id=row.id, user_id=penalty["user_id"], penalty_id=penalty["penalty_id"],
                       amount=penalty["amount"], occurred_at=penalty["created_at"], source_ms=0, rate=0,
                       bonus_rate=0, bonus_basis="", bonus_ms=0)
        for penalty in penalties
    )
    session.add_all(
        SettlementReview(settlement_id=row.id, user_id=review["user_id"], review_round_id=review["review_id"],
                         amount=review["amount"], occurred_at=review["reviewed_at"],
                         reviewed_ms=review["reviewed_ms"], rate=review["rate"])
        for review in reviews
    )
    session.flush()
    return row.id


# --- time on task ---------------------------------------------------------------------

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


def task_times(session: Session, *, user_id: int | None = None) -> list[dict]:
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
    columns = ("user_id", "username", "task_id", "role", "language", "project", "active_seconds", "last_at")
    return [dict(zip(columns, row)) for row in session.execute(query)]
