"""Pricing: each work item and review round at the rate in force when it was accepted or
finished, by the rounding rule in ``workbench.pay.engine``'s docstring."""

from __future__ import annotations

from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from workbench.domain.times import seoul_minute
from workbench.pay.engine.frames import (
    ITEM_OUTPUT_COLUMNS,
    PROJECT_RATE_COLUMNS,
    RATE_COLUMNS,
    REVIEW_ITEM_COLUMNS,
    REVIEW_OUTPUT_COLUMNS,
    WORK_ITEM_COLUMNS,
    PayInputError,
    checked_frame,
    with_int_columns,
)

MS_PER_MINUTE = 60_000
BONUS_BASES = ("source", "speech")


def duration_ms(seconds: float) -> int:
    """Seconds to whole milliseconds, half up, from the float's shortest decimal form.

    >>> duration_ms(61.2345), duration_ms(0.0005), duration_ms(90)
    (61235, 1, 90000)
    """
    value = Decimal(repr(float(seconds)))
    if not value.is_finite() or value < 0:
        raise PayInputError(f"a duration must be a finite number of seconds ≥ 0, not {seconds!r}")
    return int((value * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


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
    items = checked_frame(work_items, "work_items", WORK_ITEM_COLUMNS, times=("accepted_at",),
                     integers=("task_id", "user_id", "clip_id"))
    if items["task_id"].duplicated().any():
        duplicated = sorted(items.loc[items["task_id"].duplicated(), "task_id"].unique())
        raise PayInputError(f"work_items lists task {duplicated[0]} more than once")
    base_rates = rate_table(rates, "rates", RATE_COLUMNS, "language")
    bonus_rates = rate_table(project_rates, "project_rates", PROJECT_RATE_COLUMNS, "project")

    priced_rows = []
    for item in items.itertuples(index=False):
        base = in_force(base_rates, item.language, item.accepted_at)
        if base is None:
            raise PayInputError(
                f"no {item.language!r} rate in force at {seoul_minute(item.accepted_at)} (Seoul time) "
                f"(task {item.task_id})"
            )
        source_ms = duration_ms(item.source_seconds)
        bonus = in_force(bonus_rates, item.project, item.accepted_at)
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
    items = checked_frame(review_items, "review_items", REVIEW_ITEM_COLUMNS, times=("reviewed_at",),
                     integers=("review_id", "task_id", "review_round", "user_id", "clip_id", "segments"))
    if items["review_id"].duplicated().any():
        raise PayInputError("review_items lists a review round more than once")
    rates = rate_table(reviewer_rates, "reviewer_rates", RATE_COLUMNS, "language")
    priced_rows = []
    for index, item in zip(items.index, items.itertuples(index=False)):
        rate = in_force(rates, item.language, item.reviewed_at)
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


def rate_table(frame: pd.DataFrame, name: str, columns: tuple[str, ...], key: str) -> dict:
    """A rate history checked and indexed by ``key``: value -> (sorted starts, rows)."""
    checked = checked_frame(frame, name, columns, times=("effective_at",), money=("won_per_minute",))
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


def in_force(table: dict, key: str, instant: pd.Timestamp) -> dict | None:
    """The row of ``table`` (from ``rate_table``) in force for ``key`` at ``instant``, if any."""
    if key not in table:
        return None
    starts, rows = table[key]
    position = bisect_right(starts, instant)
    return rows[position - 1] if position else None
