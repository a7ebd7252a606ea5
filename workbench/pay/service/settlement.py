"""Settling a payday: the dry run, the commit (once per payday, in payday order), and the
settlement's wording that the CLI and the admin page share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay import engine, reports
from workbench.domain.times import seoul_minute
from workbench.pay.calendar import PayPeriod, pay_period
from workbench.pay.engine import DEFAULT_MINIMUM_PAYOUT
from workbench.pay.service.common import (
    _as_invalid_input,
    _frame,
    _lines_frame,
    _records,
    _settled_reviews_frame,
    _settled_work_frame,
)
from workbench.store import audit, pay_store
from workbench.workflow import access
from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench


@dataclass(frozen=True, eq=False)
class Settlement:
    """One payday's settlement, committed or a dry run.

    ``lines`` has ``engine.LINE_COLUMNS`` (one row per worker); ``items`` the work items
    paid (``engine.ITEM_OUTPUT_COLUMNS`` plus ``payday``); ``penalties`` those deducted
    (``engine.PENALTY_COLUMNS``); ``reviews`` the review rounds paid
    (``engine.REVIEW_OUTPUT_COLUMNS`` plus ``payday``). ``committed`` says the database holds it; ``created`` that
    this very call recorded it (False for a dry run and for a payday already committed,
    whose stored settlement is returned unchanged).
    """

    period: PayPeriod
    minimum_payout: int
    lines: pd.DataFrame
    items: pd.DataFrame
    penalties: pd.DataFrame
    committed: bool
    created: bool
    committed_at: datetime | None = None
    committed_by: str | None = None
    reviews: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(engine.REVIEW_OUTPUT_COLUMNS) + ["payday"]))

    @property
    def payday(self) -> date:
        return self.period.payday

    @property
    def total_net(self) -> int:
        return int(self.lines["net"].sum())

    def summary(self, *, dry_run_hint: str = "") -> str:
        """What happened, the period and the totals, in the words the CLI and the admin page share.

        ``dry_run_hint`` follows the dry-run sentence (the CLI names its ``--commit`` flag)."""
        return " ".join(self._summary_lines(dry_run_hint))

    def describe(self) -> str:
        """The settlement as the CLI prints it: the summary, with one row per worker before the totals."""
        state, period, totals = self._summary_lines(" (add --commit to record it)")
        table = reports.worker_period_report(self.lines).drop(columns="payday")
        return "\n".join([state, period, reports.format_table(table), totals])

    def _summary_lines(self, dry_run_hint: str) -> tuple[str, str, str]:
        if self.created:
            state = f"Committed the settlement for payday {self.payday}"
        elif self.committed:
            state = (f"Payday {self.payday} was already committed at {seoul_minute(self.committed_at)} by "
                     f"{self.committed_by}; nothing new was recorded")
        else:
            state = f"Dry run for payday {self.payday}: nothing recorded{dry_run_hint}"
        period = (f"Work accepted {seoul_minute(self.period.start)} – {seoul_minute(self.period.cutoff)} "
                  f"(Asia/Seoul), minimum payout {self.minimum_payout:,} won: less carries over to the next payday")
        paid = int((self.lines["status"] == "paid").sum())
        reviewed = f" and {len(self.reviews)} review round(s)" if len(self.reviews) else ""
        totals = (f"{len(self.items)} item(s){reviewed}; {paid} of {len(self.lines)} worker(s) paid, "
                  f"{self.total_net:,} won net.")
        return f"{state}.", f"{period}.", totals


def settle(wb: "Workbench", actor: "Actor", payday: date, *, commit: bool = False,
           minimum_payout: int = DEFAULT_MINIMUM_PAYOUT) -> Settlement:
    """Settle ``payday``: a dry run by default; ``commit=True`` records it.

    Once committed, a payday is never settled again: a second call (even a concurrent
    one) returns the stored settlement with ``created=False`` and records nothing new.
    Committing needs the period to be over (its cut-off passed by ``wb``'s clock) and no
    later payday committed, so carry-overs chain in payday order.
    """
    try:
        period = pay_period(payday)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if isinstance(minimum_payout, bool) or not isinstance(minimum_payout, int) or minimum_payout < 0:
        raise InvalidInput(f"The minimum payout must be a whole number of won, 0 or more, not {minimum_payout!r}.")
    with wb.store.session() as session:
        admin = access.require_admin(session, actor)
        if commit:
            pay_store.lock_settlements(session)
        stored = pay_store.settlement(session, payday)
        if stored is not None:
            return _stored_settlement(session, stored)
        now = wb.now()
        if commit:
            _check_committable(session, period, now)
        work, rates, bonuses, unsettled_penalties, carry_over = _settlement_inputs(session)
        review_work = _frame(pay_store.review_items(session), engine.REVIEW_ITEM_COLUMNS)
        reviewer_rates = _frame(pay_store.reviewer_rates(session), engine.RATE_COLUMNS)
        with _as_invalid_input():
            items = engine.settle_items(work, rates, bonuses, period=period)
            reviews = engine.settle_review_items(review_work, reviewer_rates, period=period)
            penalties = engine.due_penalties(unsettled_penalties, period=period)
            lines = engine.settle_lines(items, penalties, carry_over, period=period, minimum_payout=minimum_payout,
                                        reviews=reviews)
        items, reviews = items.assign(payday=payday), reviews.assign(payday=payday)
        if commit:
            settlement_id = pay_store.insert_settlement(
                session, payday=payday, period_start=period.start, cutoff=period.cutoff,
                minimum_payout=minimum_payout, committed_by_id=admin.id, committed_at=now,
                lines=_records(lines), work=_records(items), penalties=_records(penalties),
                reviews=_records(reviews),
            )
            audit.record(session, at=now, actor_id=admin.id, action="settlement.commit", entity="settlement",
                         entity_id=settlement_id, detail={"payday": payday.isoformat(), "workers": len(lines),
                                                          "items": len(items), "reviews": len(reviews),
                                                          "net": int(lines["net"].sum())})
        return Settlement(period=period, minimum_payout=minimum_payout, lines=lines, items=items,
                          penalties=penalties, reviews=reviews, committed=commit, created=commit,
                          committed_at=now if commit else None,
                          committed_by=admin.username if commit else None)


def parse_payday(text: str) -> date:
    """``YYYY-MM-DD`` to a date; ``InvalidInput`` otherwise (payday checks come in ``settle``)."""
    if not isinstance(text, str) or len(text) > 32:  # longer is no date, and not worth echoing
        raise InvalidInput("Give the payday as a date like 2026-11-30.")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date like 2026-11-30.") from None


def _check_committable(session, period: PayPeriod, now: datetime) -> None:
    if now < period.cutoff:
        raise InvalidInput(
            f"The period paid on {period.payday} is still open until {seoul_minute(period.cutoff)} (Seoul time); "
            "commit it after the cut-off (a dry run works any time)."
        )
    latest = pay_store.latest_settlement(session)
    if latest is not None and latest.payday > period.payday:
        raise InvalidInput(
            f"{latest.payday} is already committed; an earlier payday ({period.payday}) can no longer be. "
            "Work it did not cover is paid by the next payday."
        )


def _settlement_inputs(session) -> tuple[pd.DataFrame, ...]:
    return (
        _frame(pay_store.work_items(session), engine.WORK_ITEM_COLUMNS),
        _frame(pay_store.pay_rates(session), engine.RATE_COLUMNS),
        _frame(pay_store.project_rates(session), engine.PROJECT_RATE_COLUMNS),
        _frame(pay_store.unsettled_penalties(session), engine.PENALTY_COLUMNS),
        _frame(pay_store.carry_over(session), engine.CARRY_OVER_COLUMNS),
    )


def _stored_settlement(session, stored) -> Settlement:
    payday = stored.payday
    period = PayPeriod(payday=payday, start=stored.period_start, cutoff=stored.cutoff)
    lines = _lines_frame(pay_store.settlement_lines(session, payday=payday))
    items = _settled_work_frame(pay_store.settled_work(session, payday=payday))
    penalties = _frame(pay_store.settled_penalties(session, payday=payday), engine.PENALTY_COLUMNS)
    reviews = _settled_reviews_frame(pay_store.settled_reviews(session, payday=payday))
    return Settlement(period=period, minimum_payout=stored.minimum_payout, lines=lines, items=items,
                      penalties=penalties, reviews=reviews, committed=True, created=False,
                      committed_at=stored.committed_at, committed_by=stored.committed_by)
