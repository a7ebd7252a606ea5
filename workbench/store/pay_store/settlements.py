"""Settlements: committing one (serialised, and guarded by ``settlement_items``' UNIQUE
constraints) and reading what was settled."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row, Select, and_, func, select, text
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


def settlement(session: Session, payday: date) -> Row | None:
    """The committed settlement for ``payday`` (see ``latest_settlement``), or None."""
    return session.execute(_settlement_query().where(Settlement.payday == payday)).one_or_none()


def latest_settlement(session: Session) -> Row | None:
    """The latest committed settlement: ``id``, ``payday``, ``period_start``, ``cutoff``,
    ``minimum_payout``, ``committed_at`` and ``committed_by`` (the admin's username)."""
    query = _settlement_query().order_by(Settlement.payday.desc()).limit(1)
    return session.execute(query).one_or_none()


def committed_paydays(session: Session) -> list[date]:
    """Every committed payday, oldest first, including one that paid nobody."""
    return list(session.scalars(select(Settlement.payday).order_by(Settlement.payday)))


def _settlement_query() -> Select:
    return (
        select(Settlement.id, Settlement.payday, Settlement.period_start, Settlement.cutoff,
               Settlement.minimum_payout, Settlement.committed_at, User.username.label("committed_by"))
        .join(User, User.id == Settlement.committed_by_id)
    )


def carry_over(session: Session) -> list[Row]:
    """Each worker's balance carried out of their latest settlement line, where not zero:
    ``user_id``, ``username``, ``amount``."""
    latest = (
        select(SettlementLine.user_id, func.max(Settlement.payday).label("payday"))
        .join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .group_by(SettlementLine.user_id)
        .subquery()
    )
    query = (
        select(SettlementLine.user_id, User.username, SettlementLine.carried_out.label("amount"))
        .join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .join(latest, and_(latest.c.user_id == SettlementLine.user_id, latest.c.payday == Settlement.payday))
        .join(User, User.id == SettlementLine.user_id)
        .where(SettlementLine.carried_out != 0)
        .order_by(User.username)
    )
    return session.execute(query).all()


def settlement_lines(session: Session, *, payday: date | None = None, user_id: int | None = None) -> list[Row]:
    """Committed lines as ``(Settlement, SettlementLine, username)`` rows, by payday then username."""
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
    return session.execute(query).all()


def settled_work(session: Session, *, payday: date | None = None, user_id: int | None = None) -> list[Row]:
    """Committed work items as ``(payday, SettlementItem, Task, Clip, username)`` rows, by
    payday, time accepted and task."""
    return _settled(session, SettlementItem, Task, joins=[(Task, Task.id == SettlementItem.task_id)],
                    payday=payday, user_id=user_id)


def settled_reviews(session: Session, *, payday: date | None = None, user_id: int | None = None) -> list[Row]:
    """Committed review rounds as ``(payday, SettlementReview, ReviewRound, Clip, username)``
    rows, by payday, time reviewed and round."""
    return _settled(session, SettlementReview, ReviewRound,
                    joins=[(ReviewRound, ReviewRound.id == SettlementReview.review_round_id),
                           (Task, Task.id == ReviewRound.task_id)],
                    payday=payday, user_id=user_id)


def _settled(session: Session, item: type, subject: type, *, joins: list, payday: date | None,
             user_id: int | None) -> list[Row]:
    """The paid ``item`` rows of committed settlements with the ``subject`` they pay (reached
    by ``joins``, which end at the task) and its clip; the work and review queries share it."""
    query = select(Settlement.payday, item, subject, Clip, User.username).join(
        item, item.settlement_id == Settlement.id)
    for table, on in joins:
        query = query.join(table, on)
    query = (query.join(Clip, Clip.id == Task.clip_id).join(User, User.id == item.user_id)
             .order_by(Settlement.payday, item.occurred_at, subject.id))
    if payday is not None:
        query = query.where(Settlement.payday == payday)
    if user_id is not None:
        query = query.where(item.user_id == user_id)
    return session.execute(query).all()


def settled_penalties(session: Session, *, payday: date) -> list[Row]:
    """Penalties a committed settlement deducted: ``penalty_id``, ``user_id``, ``username``,
    ``amount``, ``created_at`` (when the penalty was given)."""
    query = (
        select(SettlementItem.penalty_id, SettlementItem.user_id, User.username, SettlementItem.amount,
               SettlementItem.occurred_at.label("created_at"))
        .join(Settlement, Settlement.id == SettlementItem.settlement_id)
        .join(User, User.id == SettlementItem.user_id)
        .where(Settlement.payday == payday, SettlementItem.penalty_id.is_not(None))
        .order_by(User.username, SettlementItem.occurred_at)
    )
    return session.execute(query).all()


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
