"""Settlements: committing one (serialised, and guarded by ``settlement_items``' UNIQUE
constraints) and reading what was settled."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session

from workbench.store import repo
from workbench.store.models import Clip, Task, User
from workbench.store.pay_models import (
    ReviewRound,
    Settlement,
    SettlementItem,
    SettlementLine,
    SettlementReview,
)


# Any constant works: it only has to be the same for every process committing settlements.
_SETTLEMENT_LOCK_KEY = 0x7061792D736574  # "pay-set"
LINE_MONEY_COLUMNS = (
    "gross", "penalties", "carried_in", "balance", "income_tax", "local_tax", "net", "carried_out",
)


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
