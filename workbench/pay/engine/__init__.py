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

The package: ``frames`` (columns, input checks, ``PayInputError``), ``pricing`` (the
rounding rule and reviewer pay), ``settling`` (the tax and carry-over rules). Callers use
``workbench.pay.engine.<name>``.
"""

from __future__ import annotations

from workbench.pay.engine.frames import (
    CARRY_OVER_COLUMNS,
    ITEM_OUTPUT_COLUMNS,
    LINE_COLUMNS,
    PENALTY_COLUMNS,
    PROJECT_RATE_COLUMNS,
    RATE_COLUMNS,
    REVIEW_ITEM_COLUMNS,
    REVIEW_OUTPUT_COLUMNS,
    WORK_ITEM_COLUMNS,
    PayInputError,
    with_int_columns,
)
from workbench.pay.engine.pricing import BONUS_BASES, MS_PER_MINUTE, duration_ms, price_items, price_review_items
from workbench.pay.engine.settling import (
    DEFAULT_MINIMUM_PAYOUT,
    due_penalties,
    settle_items,
    settle_lines,
    settle_period,
    settle_review_items,
    trunc10,
    withholding,
)

__all__ = [
    "BONUS_BASES", "CARRY_OVER_COLUMNS", "DEFAULT_MINIMUM_PAYOUT", "ITEM_OUTPUT_COLUMNS", "LINE_COLUMNS",
    "MS_PER_MINUTE", "PENALTY_COLUMNS", "PROJECT_RATE_COLUMNS", "RATE_COLUMNS", "REVIEW_ITEM_COLUMNS",
    "REVIEW_OUTPUT_COLUMNS", "WORK_ITEM_COLUMNS", "PayInputError", "due_penalties", "duration_ms", "price_items",
    "price_review_items", "settle_items", "settle_lines", "settle_period", "settle_review_items", "trunc10",
    "with_int_columns", "withholding",
]
