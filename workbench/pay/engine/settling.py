"""Settling: which priced items and penalties a period takes, and one line per worker with
tax withheld and the minimum payout's carry-over (the rules in ``workbench.pay.engine``)."""

from __future__ import annotations

import pandas as pd

from workbench.pay.calendar import PayPeriod
from workbench.pay.engine.frames import (
    CARRY_OVER_COLUMNS,
    LINE_COLUMNS,
    PENALTY_COLUMNS,
    RATE_COLUMNS,
    PayInputError,
    checked_frame,
    with_int_columns,
)
from workbench.pay.engine.pricing import price_items, price_review_items

DEFAULT_MINIMUM_PAYOUT = 5_000


def trunc10(won: int) -> int:
    """Truncate a non-negative amount to 10 won (1,239 → 1,230)."""
    return won // 10 * 10


def withholding(base: int) -> tuple[int, int]:
    """``(income_tax, local_tax)`` withheld from a payout of ``base`` won.

    >>> withholding(171_239)
    (5130, 510)
    """
    if base <= 0:
        return 0, 0
    income_tax = trunc10(base * 3 // 100)
    return income_tax, trunc10(income_tax // 10)


def settle_review_items(review_items: pd.DataFrame, reviewer_rates: pd.DataFrame, *,
                        period: PayPeriod) -> pd.DataFrame:
    """The priced review rounds (``price_review_items``) ``period`` pays: those finished
    before its cut-off, caught up like work items (``settle_items``)."""
    priced = price_review_items(review_items, reviewer_rates)
    due = priced[priced["reviewed_at"] < pd.Timestamp(period.cutoff)]
    return due.sort_values(["username", "reviewed_at", "review_id"]).reset_index(drop=True)


def settle_items(
    work_items: pd.DataFrame, rates: pd.DataFrame, project_rates: pd.DataFrame,
    *, period: PayPeriod,
) -> pd.DataFrame:
    """The priced work items (see ``price_items``) that ``period`` pays.

    Every item accepted before ``period.cutoff`` is paid, including items before
    ``period.start``: those belong to a payday that was never settled, and catching them up
    beats losing them. Callers pass only items that no committed settlement holds, which
    is what keeps an item from being paid twice. Items at or after the cut-off wait for
    the next period.
    """
    priced = price_items(work_items, rates, project_rates)
    due = priced[priced["accepted_at"] < pd.Timestamp(period.cutoff)]
    return due.sort_values(["username", "accepted_at", "task_id"]).reset_index(drop=True)


def due_penalties(penalties: pd.DataFrame, *, period: PayPeriod) -> pd.DataFrame:
    """The penalties ``period`` deducts: those recorded before its cut-off.

    ``penalties`` columns: ``penalty_id`` int; ``user_id`` int; ``username`` str;
    ``amount`` int won ≥ 0; ``created_at`` aware datetime. Like work items, callers pass
    only penalties no committed settlement has deducted.
    """
    checked = checked_frame(penalties, "penalties", PENALTY_COLUMNS, times=("created_at",),
                       integers=("penalty_id", "user_id"), money=("amount",))
    due = checked[checked["created_at"] < pd.Timestamp(period.cutoff)]
    return due.sort_values(["username", "created_at", "penalty_id"]).reset_index(drop=True)


def settle_period(
    work_items: pd.DataFrame,
    rates: pd.DataFrame,
    project_rates: pd.DataFrame,
    penalties: pd.DataFrame,
    carry_over: pd.DataFrame,
    *,
    period: PayPeriod,
    minimum_payout: int = DEFAULT_MINIMUM_PAYOUT,
    review_items: pd.DataFrame | None = None,
    reviewer_rates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One settlement line per worker for ``period``.

    Parameters
    ----------
    work_items : DataFrame, one row per completed task (rework never adds a row)
        ``task_id`` int, unique; ``user_id`` int and ``username`` str, the worker paid (the
        transcriber); ``clip_id`` int, ``clip_name`` str; ``language`` str (``ko``, ``en``,
        …); ``project`` str; ``source_seconds`` float, the source clip's duration;
        ``speech_seconds`` float, the speech in it (the ``speech`` bonus basis);
        ``accepted_at`` aware datetime, when the review completed. Items accepted before
        ``period.cutoff`` are paid (``settle_items``); callers pass only unsettled ones.
    rates : DataFrame, the base rate history
        ``language`` str; ``won_per_minute`` int ≥ 0; ``effective_at`` aware datetime. The
        row with the latest ``effective_at`` at or before ``accepted_at`` applies, so a task
        accepted at 13:59 before a 14:00 change keeps the old rate and one at 14:00 gets
        the new one. A language with no rate in force is an error.
    project_rates : DataFrame, optional bonus rates (may be empty)
        ``project`` str; ``won_per_minute`` int ≥ 0; ``basis`` ``"source"`` or
        ``"speech"``; ``effective_at`` aware datetime. Chosen like base rates; no row in
        force means no bonus.
    penalties : DataFrame, penalties not yet deducted (may be empty)
        ``penalty_id`` int; ``user_id`` int; ``username`` str; ``amount`` int won ≥ 0;
        ``created_at`` aware datetime. Those recorded before ``period.cutoff`` are deducted.
    carry_over : DataFrame
        ``user_id`` int; ``username`` str; ``amount`` int won, the pre-tax balance the
        worker's previous settlement carried out (negative after penalties exceeded gross).
        One row per worker at most; workers without a row carry nothing.
    period : PayPeriod
        The payday and its cut-off (``workbench.pay.calendar.pay_period``).
    minimum_payout : int
        The smallest net amount transferred; below it the balance carries over.
    review_items, reviewer_rates : DataFrame, optional
        Finished review rounds not yet paid and the reviewer rate history
        (``price_review_items``). Those finished before ``period.cutoff`` are paid to their
        reviewer, on the same line as any work items of the same person.

    Returns
    -------
    DataFrame, one row per worker with items, penalties or a carried balance, by username
        ``payday`` date; ``period_start`` and ``cutoff`` UTC timestamps; ``user_id`` int;
        ``username`` str; ``items`` int, work items and review rounds paid;
        ``source_seconds`` float, their audio (source clips transcribed, audio reviewed; for
        display, pay uses milliseconds); ``gross`` int, the items'
        amounts; ``penalties`` int, deducted; ``carried_in`` int; ``balance`` int,
        ``carried_in + gross − penalties``, the tax base; ``income_tax`` and ``local_tax``
        int; ``net`` int, transferred to the worker; ``carried_out`` int, the balance
        carried to the next settlement; ``status`` ``"paid"`` or ``"carried"``. All
        money columns are int won.
    """
    reviews = None
    if review_items is not None:
        reviews = settle_review_items(review_items, reviewer_rates if reviewer_rates is not None
                                      else pd.DataFrame(columns=list(RATE_COLUMNS)), period=period)
    return settle_lines(
        settle_items(work_items, rates, project_rates, period=period),
        due_penalties(penalties, period=period),
        carry_over, period=period, minimum_payout=minimum_payout, reviews=reviews,
    )


def settle_lines(
    items: pd.DataFrame, deducted: pd.DataFrame, carry_over: pd.DataFrame, *,
    period: PayPeriod, minimum_payout: int = DEFAULT_MINIMUM_PAYOUT, reviews: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``settle_period`` for items already chosen and priced (``settle_items``), penalties
    already chosen (``due_penalties``) and review rounds already chosen and priced
    (``settle_review_items``), so a caller that keeps those frames prices each item once.
    Same output."""
    if isinstance(minimum_payout, bool) or not isinstance(minimum_payout, int) or minimum_payout < 0:
        raise PayInputError(f"minimum_payout must be a whole number of won ≥ 0, not {minimum_payout!r}")
    carried = checked_frame(carry_over, "carry_over", CARRY_OVER_COLUMNS,
                       integers=("user_id",), money=("amount",), allow_negative=("amount",))
    if carried["user_id"].duplicated().any():
        raise PayInputError("carry_over has more than one row for a worker")

    workers: dict[int, dict] = {}

    def worker(user_id: int, username: str) -> dict:
        return workers.setdefault(int(user_id), {
            "username": username, "items": 0, "source_seconds": 0.0,
            "gross": 0, "penalties": 0, "carried_in": 0,
        })

    for item in items.itertuples(index=False):
        totals = worker(item.user_id, item.username)
        totals["items"] += 1
        totals["source_seconds"] += float(item.source_seconds)
        totals["gross"] += int(item.amount)
    for review in (reviews.itertuples(index=False) if reviews is not None else ()):
        totals = worker(review.user_id, review.username)
        totals["items"] += 1
        totals["source_seconds"] += float(review.reviewed_seconds)
        totals["gross"] += int(review.amount)
    for penalty in deducted.itertuples(index=False):
        worker(penalty.user_id, penalty.username)["penalties"] += int(penalty.amount)
    for row in carried.itertuples(index=False):
        if row.amount:
            worker(row.user_id, row.username)["carried_in"] += int(row.amount)

    lines = [
        _settle_worker(user_id, totals, period=period, minimum_payout=minimum_payout)
        for user_id, totals in workers.items()
    ]
    frame = pd.DataFrame(lines, columns=list(LINE_COLUMNS))
    frame = frame.sort_values(["username", "user_id"]).reset_index(drop=True)
    return with_int_columns(frame, (
        "user_id", "items", "gross", "penalties", "carried_in", "balance",
        "income_tax", "local_tax", "net", "carried_out",
    ))


def _settle_worker(user_id: int, totals: dict, *, period: PayPeriod, minimum_payout: int) -> dict:
    balance = totals["carried_in"] + totals["gross"] - totals["penalties"]
    income_tax, local_tax = withholding(balance)
    net = balance - income_tax - local_tax
    paid = balance > 0 and net >= minimum_payout
    return {
        "payday": period.payday,
        "period_start": pd.Timestamp(period.start),
        "cutoff": pd.Timestamp(period.cutoff),
        "user_id": user_id,
        **totals,
        "balance": balance,
        "income_tax": income_tax if paid else 0,
        "local_tax": local_tax if paid else 0,
        "net": net if paid else 0,
        "carried_out": 0 if paid else balance,
        "status": "paid" if paid else "carried",
    }
