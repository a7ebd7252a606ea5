"""My earnings: a worker's pay per period and their statement, read through pay.service,
which lets a worker see only their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay.reports import WORKER_STATEMENT_COLUMNS as STATEMENT_COLUMNS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

PERIOD_COLUMNS = ("payday", "items", "minutes", "gross", "penalties", "tax", "net", "carried_out", "status")


@dataclass(frozen=True)
class Earnings:
    summary: str
    periods: pd.DataFrame  # one row per committed payday (PERIOD_COLUMNS)
    statement: pd.DataFrame  # every item, newest first (STATEMENT_COLUMNS)
    chart: "Figure | None"  # minutes and pay per period; None before the first payday


def my_earnings(wb: "Workbench", actor: "Actor") -> Earnings:
    from workbench.pay.plots import plot_periods
    from workbench.pay.service import statement, statement_lines

    periods = statement_lines(wb, actor, actor.username)
    items = statement(wb, actor, actor.username)
    return Earnings(
        summary=earnings_summary(periods, items),
        periods=periods[list(PERIOD_COLUMNS)].iloc[::-1].reset_index(drop=True),
        statement=items.assign(accepted_at=items["accepted_at"].dt.strftime("%Y-%m-%d %H:%M"))[
            list(STATEMENT_COLUMNS)
        ],
        chart=plot_periods(periods) if len(periods) else None,
    )


def earnings_summary(periods: pd.DataFrame, items: pd.DataFrame) -> str:
    """Two sentences a worker reads first: what is pending, and what was paid last."""
    pending = items[items["status"] == "pending"]
    if len(pending):
        due = min(pending["payday"])
        earned = (f"Accepted and not yet paid: {len(pending)} task(s), {pending['minutes'].sum():.1f} minutes, "
                  f"{int(pending['amount'].sum()):,} won before tax; the first is due on {due}.")
    else:
        earned = "Nothing accepted is waiting to be paid."
    if len(periods):
        last = periods.iloc[-1]
        paid = (f"Last payday {last['payday']}: {int(last['net']):,} won net "
                f"({int(last['gross']):,} gross, {last['minutes']:.1f} minutes).")
    else:
        paid = "No payday has been settled for you yet."
    return f"{earned} {paid}"
