"""What is coming to one worker: work waiting for review, and each payday ahead worked out
by the engine exactly as a settlement would (tax, penalties, the minimum payout and its
carry-over), from what is accepted and unsettled today.

A worker sees only their own; an admin anyone's (``_statement_owner``). Nothing is stored:
it is a dry run of the coming settlements for one person, chained payday by payday the way
committed settlements chain their carry-over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay import engine
from workbench.pay.calendar import SEOUL, next_payday, pay_period, payday_for
from workbench.pay.engine import DEFAULT_MINIMUM_PAYOUT
from workbench.pay.service.common import _as_invalid_input, _frame, _statement_owner
from workbench.store import pay_store

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


@dataclass(frozen=True)
class ComingPayday:
    """One payday ahead for one worker, as the engine would settle it today.

    ``paid`` False means the net is below ``Coming.minimum_payout``: nothing is paid that
    day and ``carried_out`` (before tax) waits for a later payday."""

    payday: date
    tasks: int
    reviews: int
    minutes: float  # clip minutes of the tasks plus reviewed minutes of the rounds
    gross: int
    penalties: int
    carried_in: int
    net: int
    carried_out: int
    paid: bool


@dataclass(frozen=True)
class Coming:
    """Everything a worker's earnings page says is coming (amounts in won)."""

    today: date  # in Seoul
    minimum_payout: int  # the last committed settlement's, else the default
    next_payday: date  # the payday the work accepted today is due on
    waiting_tasks: int  # submitted, not yet decided by review
    waiting_minutes: float  # their clip minutes
    waiting_amount: int  # what they earn before tax if accepted now, at today's rates
    carried_in: int  # carried out of the worker's last committed settlement
    paydays: tuple[ComingPayday, ...]  # in order; empty when nothing is due


def coming(wb: "Workbench", actor: "Actor", username: str) -> Coming:
    """What is coming to ``username``: see ``Coming``. A worker sees only their own."""
    with wb.store.reading() as session:
        worker = _statement_owner(session, actor, username)
        work = _frame(pay_store.work_items(session, user_id=worker.id), engine.WORK_ITEM_COLUMNS)
        waiting = _frame(pay_store.waiting_work(session, user_id=worker.id), engine.WORK_ITEM_COLUMNS)
        rounds = _frame(pay_store.review_items(session, user_id=worker.id), engine.REVIEW_ITEM_COLUMNS)
        rates = _frame(pay_store.pay_rates(session), engine.RATE_COLUMNS)
        bonuses = _frame(pay_store.project_rates(session), engine.PROJECT_RATE_COLUMNS)
        reviewer_rates = _frame(pay_store.reviewer_rates(session), engine.RATE_COLUMNS)
        penalties = _frame([p for p in pay_store.unsettled_penalties(session) if p.user_id == worker.id],
                           engine.PENALTY_COLUMNS)
        carry = _frame([c for c in pay_store.carry_over(session) if c.user_id == worker.id],
                       engine.CARRY_OVER_COLUMNS)
        latest = pay_store.latest_settlement(session)
    now = wb.now()
    minimum = latest.minimum_payout if latest is not None else DEFAULT_MINIMUM_PAYOUT
    with _as_invalid_input():
        priced_waiting = engine.price_items(waiting.assign(accepted_at=pd.Timestamp(now)), rates, bonuses)
        paydays = _paydays_ahead(work, rounds, penalties, carry, rates=rates, bonuses=bonuses,
                                 reviewer_rates=reviewer_rates, minimum=minimum, now=now,
                                 last_committed=latest.payday if latest is not None else None)
    return Coming(
        today=now.astimezone(SEOUL).date(),
        minimum_payout=minimum, next_payday=payday_for(now),
        waiting_tasks=len(waiting), waiting_minutes=float(waiting["source_seconds"].sum()) / 60,
        waiting_amount=int(priced_waiting["amount"].sum()),
        carried_in=int(carry["amount"].sum()), paydays=paydays,
    )


def coming_version(wb: "Workbench", actor: "Actor", username: str) -> tuple:
    """A value that changes whenever ``coming`` (or the worker's committed paydays) would:
    the store's ``pay_state`` of the worker and today's date in Seoul. Same rule as
    ``coming``: a worker asks only for their own. Caches key on it (ui/handlers/earnings.py)."""
    with wb.store.reading() as session:
        worker = _statement_owner(session, actor, username)
        now = wb.now()
        return worker.id, now.astimezone(SEOUL).date(), *pay_store.pay_state(session, user_id=worker.id, now=now)


def _paydays_ahead(work: pd.DataFrame, rounds: pd.DataFrame, penalties: pd.DataFrame, carry: pd.DataFrame, *,
                   rates: pd.DataFrame, bonuses: pd.DataFrame, reviewer_rates: pd.DataFrame, minimum: int,
                   now: datetime, last_committed: date | None) -> tuple[ComingPayday, ...]:
    """Settles, payday by payday, what each will pay this one worker: the first payday not yet
    committed catches up anything older, as ``settle`` does; each carries into the next."""
    first_open = next_payday(last_committed + timedelta(days=1)) if last_committed is not None else None
    moments = [*work["accepted_at"], *rounds["reviewed_at"], *penalties["created_at"]]
    due = {payday_for(pd.Timestamp(moment).to_pydatetime()) for moment in moments}
    if len(carry):
        due.add(payday_for(now))
    if first_open is not None:
        due = {max(day, first_open) for day in due}
    ahead = []
    for payday in sorted(due):
        period = pay_period(payday)
        items = engine.settle_items(work, rates, bonuses, period=period)
        reviews = engine.settle_review_items(rounds, reviewer_rates, period=period)
        deducted = engine.due_penalties(penalties, period=period)
        lines = engine.settle_lines(items, deducted, carry, period=period, minimum_payout=minimum, reviews=reviews)
        if lines.empty:
            continue
        line = lines.iloc[0]
        minutes = (items["source_seconds"].sum() + reviews["reviewed_ms"].sum() / 1000) / 60
        ahead.append(ComingPayday(
            payday=payday, tasks=len(items), reviews=len(reviews), minutes=float(minutes),
            gross=int(line["gross"]), penalties=int(line["penalties"]), carried_in=int(line["carried_in"]),
            net=int(line["net"]), carried_out=int(line["carried_out"]), paid=line["status"] == "paid"))
        work = work[~work["task_id"].isin(items["task_id"])]
        rounds = rounds[~rounds["review_id"].isin(reviews["review_id"])]
        penalties = penalties[~penalties["penalty_id"].isin(deducted["penalty_id"])]
        carry = lines[["user_id", "username"]].assign(amount=lines["carried_out"])
        carry = carry[carry["amount"] != 0]
    return tuple(ahead)
