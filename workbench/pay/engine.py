"""The settlement engine: pure functions from DataFrames to DataFrames, no I/O.

Money is an ``int`` number of won everywhere; no float ever touches an amount.

Rounding rule (applied once per task)
    A duration is taken to the millisecond: ``ms = round_half_up(seconds × 1000)``, using
    the shortest decimal form of the stored float, so 61.2345 s is 61 235 ms. A task earns
    ``floor((rate × source_ms + bonus_rate × bonus_ms) / 60 000)`` won: the base rate pays
    the source clip's minutes, the project bonus pays its basis (source or speech minutes),
    and the one floor drops less than one won per task, always in the payer's favour by
    less than a won and never compounding.

Reviewer pay
    A reviewer is paid per finished review round, ``floor(rate × reviewed_ms / 60 000)``
    won, where ``reviewed_ms`` is the audio of the segments decided in that round and the
    rate is the reviewer rate in force when the round finished. A round of a language with
    no reviewer rate in force is unpaid. Review items join the same lines as work items:
    one line per person, so tax, the minimum payout and carry-over apply to the sum.

Tax rule
    3.3% withholding for individual earners: ``income_tax = trunc10(base × 3%)`` and
    ``local_tax = trunc10(income_tax × 10%)``, each truncated to 10 won as Korean payroll
    does. The base is the balance actually paid out before tax,
    ``carried_in + gross − penalties``: tax is withheld at payment on the fee paid, penalties
    reduce that fee, and a carried balance was never taxed because nothing was paid.

Carry-over rule
    A worker is paid when ``net ≥ minimum_payout`` (default 5,000 won). Otherwise nothing is
    paid or withheld and the whole pre-tax balance, negative when penalties exceed what
    was earned, is carried into the next settlement.

So every line satisfies ``gross + carried_in = penalties + income_tax + local_tax + net +
carried_out``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from workbench.pay.calendar import PayPeriod

MS_PER_MINUTE = 60_000
DEFAULT_MINIMUM_PAYOUT = 5_000
BONUS_BASES = ("source", "speech")

WORK_ITEM_COLUMNS = (
    "task_id", "user_id", "username", "clip_id", "clip_name", "language", "project",
    "source_seconds", "speech_seconds", "accepted_at",
)
RATE_COLUMNS = ("language", "won_per_minute", "effective_at")
PROJECT_RATE_COLUMNS = ("project", "won_per_minute", "basis", "effective_at")
PENALTY_COLUMNS = ("penalty_id", "user_id", "username", "amount", "created_at")
CARRY_OVER_COLUMNS = ("user_id", "username", "amount")

REVIEW_ITEM_COLUMNS = (
    "review_id", "task_id", "review_round", "user_id", "username", "clip_id", "clip_name", "language",
    "project", "segments", "reviewed_seconds", "reviewed_at",
)

ITEM_OUTPUT_COLUMNS = WORK_ITEM_COLUMNS + (
    "source_ms", "rate", "rate_effective_at", "bonus_rate", "bonus_basis", "bonus_ms", "amount",
)
REVIEW_OUTPUT_COLUMNS = REVIEW_ITEM_COLUMNS + ("reviewed_ms", "rate", "rate_effective_at", "amount")
LINE_COLUMNS = (
    "payday", "period_start", "cutoff", "user_id", "username", "items", "source_seconds",
    "gross", "penalties", "carried_in", "balance", "income_tax", "local_tax", "net",
    "carried_out", "status",
)


class PayInputError(ValueError):
    """An input frame is malformed; the message says which frame and what is wrong."""


def duration_ms(seconds: float) -> int:
    """Seconds to whole milliseconds, half up, from the float's shortest decimal form.

    >>> duration_ms(61.2345), duration_ms(0.0005), duration_ms(90)
    (61235, 1, 90000)
    """
    value = Decimal(repr(float(seconds)))
    if not value.is_finite() or value < 0:
        raise PayInputError(f"a duration must be a finite number of seconds ≥ 0, not {seconds!r}")
    return int((value * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


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


def price_items(
    work_items: pd.DataFrame, rates: pd.DataFrame, project_rates: pd.DataFrame
) -> pd.DataFrame:
    """Price each work item at the rates in force when it was accepted.

    ``work_items``, ``rates`` and ``project_rates`` are described column by column in
    ``settle_period``.

    Returns
    -------
    DataFrame
        The work items' columns (``accepted_at`` as UTC timestamps) plus ``source_ms`` int;
        ``rate`` int and ``rate_effective_at``, the base rate used; ``bonus_rate`` int (0
        without a bonus), ``bonus_basis`` str (``""`` without a bonus), ``bonus_ms`` int,
        the bonus basis duration; ``amount`` int won, by the module's rounding rule.
    """
    items = _checked(work_items, "work_items", WORK_ITEM_COLUMNS, times=("accepted_at",),
                     integers=("task_id", "user_id", "clip_id"))
    if items["task_id"].duplicated().any():
        duplicated = sorted(items.loc[items["task_id"].duplicated(), "task_id"].unique())
        raise PayInputError(f"work_items lists task {duplicated[0]} more than once")
    base_rates = _rate_table(rates, "rates", RATE_COLUMNS, "language")
    bonus_rates = _rate_table(project_rates, "project_rates", PROJECT_RATE_COLUMNS, "project")

    priced_rows = []
    for item in items.itertuples(index=False):
        base = _in_force(base_rates, item.language, item.accepted_at)
        if base is None:
            raise PayInputError(
                f"no {item.language!r} rate in force at {item.accepted_at.isoformat()} "
                f"(task {item.task_id})"
            )
        source_ms = duration_ms(item.source_seconds)
        bonus = _in_force(bonus_rates, item.project, item.accepted_at)
        bonus_rate, bonus_basis, bonus_ms = 0, "", 0
        if bonus is not None:
            bonus_rate, bonus_basis = bonus["won_per_minute"], bonus["basis"]
            bonus_ms = source_ms if bonus_basis == "source" else duration_ms(item.speech_seconds)
        priced_rows.append({
            "source_ms": source_ms,
            "rate": base["won_per_minute"],
            "rate_effective_at": base["effective_at"],
            "bonus_rate": bonus_rate,
            "bonus_basis": bonus_basis,
            "bonus_ms": bonus_ms,
            "amount": (base["won_per_minute"] * source_ms + bonus_rate * bonus_ms) // MS_PER_MINUTE,
        })
    priced = pd.DataFrame(priced_rows, index=items.index,
                          columns=list(ITEM_OUTPUT_COLUMNS[len(WORK_ITEM_COLUMNS):]))
    result = pd.concat([items[list(WORK_ITEM_COLUMNS)], priced], axis=1)
    return with_int_columns(result, ("source_ms", "rate", "bonus_rate", "bonus_ms", "amount"))


def price_review_items(review_items: pd.DataFrame, reviewer_rates: pd.DataFrame) -> pd.DataFrame:
    """Price each finished review round at the reviewer rate in force when it finished.

    ``review_items`` columns: ``review_id`` int, unique (the round); ``task_id`` int;
    ``review_round`` int; ``user_id`` int and ``username`` str, the reviewer paid;
    ``clip_id`` int, ``clip_name`` str, ``language`` str, ``project`` str; ``segments`` int,
    decided in the round; ``reviewed_seconds`` float, their audio; ``reviewed_at`` aware
    datetime, when the round finished. ``reviewer_rates`` has ``RATE_COLUMNS`` and is
    chosen like base rates (13:59 before a 14:00 change keeps the old rate).

    Returns
    -------
    DataFrame
        The priced rounds (``REVIEW_OUTPUT_COLUMNS``): the input columns plus
        ``reviewed_ms`` int, ``rate`` int, ``rate_effective_at`` and ``amount`` int won,
        ``floor(rate × reviewed_ms / 60 000)``. Rounds with no rate in force are left out:
        reviewing that language was unpaid then.
    """
    items = _checked(review_items, "review_items", REVIEW_ITEM_COLUMNS, times=("reviewed_at",),
                     integers=("review_id", "task_id", "review_round", "user_id", "clip_id", "segments"))
    if items["review_id"].duplicated().any():
        raise PayInputError("review_items lists a review round more than once")
    rates = _rate_table(reviewer_rates, "reviewer_rates", RATE_COLUMNS, "language")
    priced_rows = []
    for index, item in zip(items.index, items.itertuples(index=False)):
        rate = _in_force(rates, item.language, item.reviewed_at)
        if rate is None:
            continue
        reviewed_ms = duration_ms(item.reviewed_seconds)
        priced_rows.append((index, reviewed_ms, rate["won_per_minute"], rate["effective_at"],
                            rate["won_per_minute"] * reviewed_ms // MS_PER_MINUTE))
    added = REVIEW_OUTPUT_COLUMNS[len(REVIEW_ITEM_COLUMNS):]
    priced = pd.DataFrame([row[1:] for row in priced_rows], index=[row[0] for row in priced_rows],
                          columns=list(added))
    result = pd.concat([items.loc[priced.index, list(REVIEW_ITEM_COLUMNS)], priced], axis=1)
    return with_int_columns(result, ("review_id", "task_id", "review_round", "user_id", "clip_id", "segments",
                                     "reviewed_ms", "rate", "amount"))


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
    checked = _checked(penalties, "penalties", PENALTY_COLUMNS, times=("created_at",),
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
    carried = _checked(carry_over, "carry_over", CARRY_OVER_COLUMNS,
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


def _rate_table(frame: pd.DataFrame, name: str, columns: tuple[str, ...], key: str) -> dict:
    checked = _checked(frame, name, columns, times=("effective_at",), money=("won_per_minute",))
    if "basis" in columns:
        unknown = set(checked["basis"]) - set(BONUS_BASES)
        if unknown:
            raise PayInputError(f"{name}: basis must be 'source' or 'speech', not {sorted(unknown)[0]!r}")
    if checked.duplicated([key, "effective_at"]).any():
        raise PayInputError(f"{name} has two rates for one {key} at the same effective time")
    table = {}
    for value, group in checked.groupby(key, sort=False):
        ordered = group.sort_values("effective_at")
        table[value] = (list(ordered["effective_at"]), ordered.to_dict("records"))
    return table


def _in_force(table: dict, key: str, instant: pd.Timestamp) -> dict | None:
    if key not in table:
        return None
    starts, rows = table[key]
    position = bisect_right(starts, instant)
    return rows[position - 1] if position else None


def _checked(
    frame: pd.DataFrame, name: str, columns: tuple[str, ...], *,
    times: tuple[str, ...] = (), integers: tuple[str, ...] = (), money: tuple[str, ...] = (),
    allow_negative: tuple[str, ...] = (),
) -> pd.DataFrame:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise PayInputError(f"{name} lacks column(s) {', '.join(missing)}")
    checked = frame.copy()
    for column in times:
        checked[column] = _as_utc(checked[column], f"{name}.{column}")
    for column in integers + money:
        values = list(checked[column])
        if not all(isinstance(value, (int, np.integer)) and not isinstance(value, bool)
                   for value in values):
            kind = "whole won" if column in money else "integers"
            raise PayInputError(f"{name}.{column} must hold {kind}, not floats or text")
        if column in money and column not in allow_negative and any(value < 0 for value in values):
            raise PayInputError(f"{name}.{column} must not be negative")
    return checked


def _as_utc(values: pd.Series, what: str) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if len(values) == 0:
        return pd.Series(values, dtype="datetime64[us, UTC]")
    aware = all(
        isinstance(value, datetime) and value.utcoffset() is not None for value in values
    )
    if not aware:
        raise PayInputError(f"{what} must hold timezone-aware datetimes")
    return pd.to_datetime(values, utc=True)


def with_int_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    # An empty frame would otherwise give these columns object dtype.
    return frame.astype({column: "int64" for column in columns})
