"""Pay reports: pure reshaping of settlement lines and settled items, no I/O.

The inputs are the engine's outputs (``workbench.pay.engine``): ``lines`` has
``LINE_COLUMNS`` (one row per worker per payday, any number of paydays) and ``items`` has
``ITEM_OUTPUT_COLUMNS`` plus ``payday`` (a date). Minutes are for reading only (three decimals); money stays int won.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from workbench.pay.calendar import SEOUL
from workbench.pay.engine import MS_PER_MINUTE, with_int_columns

WORKER_REPORT_COLUMNS = (
    "payday", "username", "items", "minutes", "gross", "penalties", "tax", "net",
    "carried_in", "carried_out", "status",
)
LANGUAGE_REPORT_COLUMNS = ("payday", "language", "workers", "items", "minutes", "gross")
PERIOD_TOTAL_COLUMNS = (
    "payday", "workers", "paid_workers", "items", "minutes", "gross", "penalties", "tax",
    "net", "carried_out",
)
STATEMENT_COLUMNS = (
    "payday", "status", "task_id", "clip", "language", "project", "minutes", "rate", "bonus_rate",
    "accepted_at", "amount", "penalties",
)
# What a worker's own statement shows: the task numbers are for admins and the CLI.
WORKER_STATEMENT_COLUMNS = tuple(column for column in STATEMENT_COLUMNS if column != "task_id")
REVIEW_STATEMENT_COLUMNS = (
    "payday", "status", "task_id", "round", "clip", "language", "project", "segments", "minutes", "rate",
    "reviewed_at", "amount",
)
_MONEY = ("gross", "penalties", "tax", "net", "carried_in", "carried_out")


def worker_period_report(lines: pd.DataFrame) -> pd.DataFrame:
    """Per worker per payday: ``payday``, ``username``, ``items``, ``minutes`` (source audio),
    ``gross``, ``penalties``, ``tax`` (income + local), ``net``, ``carried_in``,
    ``carried_out`` and ``status`` (``paid``/``carried``), by payday then username."""
    report = pd.DataFrame({
        "payday": lines["payday"],
        "username": lines["username"],
        "items": lines["items"],
        "minutes": _minutes_from_seconds(lines["source_seconds"]),
        "gross": lines["gross"],
        "penalties": lines["penalties"],
        "tax": lines["income_tax"] + lines["local_tax"],
        "net": lines["net"],
        "carried_in": lines["carried_in"],
        "carried_out": lines["carried_out"],
        "status": lines["status"],
    }, columns=list(WORKER_REPORT_COLUMNS))
    report = report.sort_values(["payday", "username"]).reset_index(drop=True)
    return with_int_columns(report, ("items",) + _MONEY)


def language_period_report(items: pd.DataFrame) -> pd.DataFrame:
    """Per payday per language: distinct ``workers``, ``items``, ``minutes`` and ``gross``.

    Penalties and tax belong to a worker, not a language, so they are not split here.
    """
    grouped = items.groupby(["payday", "language"], sort=True)
    report = pd.DataFrame({
        "workers": grouped["user_id"].nunique(),
        "items": grouped["task_id"].count(),
        "minutes": grouped["source_ms"].sum() / MS_PER_MINUTE,
        "gross": grouped["amount"].sum(),
    }).reset_index()
    report["minutes"] = report["minutes"].astype(float).round(3)
    return with_int_columns(report.reindex(columns=list(LANGUAGE_REPORT_COLUMNS)), ("workers", "items", "gross"))


def period_totals(worker_report: pd.DataFrame, *, paydays: Iterable[date] = ()) -> pd.DataFrame:
    """Per payday, over all workers of a ``worker_period_report``: ``workers``,
    ``paid_workers``, ``items``, ``minutes``, ``gross``, ``penalties``, ``tax``, ``net`` and
    ``carried_out``. Each of ``paydays`` gets a row even when it paid nobody (zeros)."""
    grouped = worker_report.groupby("payday", sort=True)
    totals = pd.DataFrame({
        "workers": grouped["username"].count(),
        "paid_workers": grouped["status"].apply(lambda status: int((status == "paid").sum())),
        "items": grouped["items"].sum(),
        "minutes": grouped["minutes"].sum().round(3),
        **{column: grouped[column].sum() for column in ("gross", "penalties", "tax", "net", "carried_out")},
    })
    totals = totals.reindex(sorted(set(totals.index) | set(paydays)), fill_value=0).rename_axis("payday")
    totals = totals.reset_index().reindex(columns=list(PERIOD_TOTAL_COLUMNS))
    return with_int_columns(totals, ("workers", "paid_workers", "items", "gross", "penalties", "tax", "net", "carried_out"))


def statement_frame(items: pd.DataFrame, penalties: pd.DataFrame) -> pd.DataFrame:
    """One worker's statement, item by item, newest first.

    ``items`` are that worker's priced items with ``payday`` and ``settled`` (bool: in a
    committed settlement, else the payday it is due on); ``penalties`` has ``task_id`` and
    ``amount`` (int won) for that worker. Columns: ``payday``; ``status`` (``settled`` or
    ``pending``); ``task_id``; ``clip`` (file name); ``language``; ``project``;
    ``minutes`` (source audio); ``rate`` and ``bonus_rate`` (won per minute); ``accepted_at``
    (Asia/Seoul); ``amount`` (int won earned); ``penalties`` (int won deducted for that task).
    """
    deducted = penalties.groupby("task_id")["amount"].sum() if len(penalties) else pd.Series(dtype="int64")
    statement = pd.DataFrame({
        "payday": items["payday"],
        "status": items["settled"].map({True: "settled", False: "pending"}),
        "task_id": items["task_id"],
        "clip": items["clip_name"],
        "language": items["language"],
        "project": items["project"],
        "minutes": (items["source_ms"] / MS_PER_MINUTE).astype(float).round(3),
        "rate": items["rate"],
        "bonus_rate": items["bonus_rate"],
        "accepted_at": pd.to_datetime(items["accepted_at"], utc=True).dt.tz_convert(SEOUL),
        "amount": items["amount"],
        "penalties": items["task_id"].map(deducted).fillna(0),
    }, columns=list(STATEMENT_COLUMNS))
    statement = statement.sort_values(["accepted_at", "task_id"], ascending=False).reset_index(drop=True)
    return with_int_columns(statement, ("task_id", "rate", "bonus_rate", "amount", "penalties"))


def review_statement_frame(reviews: pd.DataFrame) -> pd.DataFrame:
    """One reviewer's review rounds, newest first.

    ``reviews`` are that reviewer's priced rounds (``REVIEW_OUTPUT_COLUMNS``) with
    ``payday`` and ``settled``. Columns: ``payday``; ``status`` (``settled``/``pending``);
    ``task_id``; ``round``; ``clip``; ``language``; ``project``; ``segments`` decided;
    ``minutes`` of audio reviewed; ``rate`` (won per minute); ``reviewed_at`` (Asia/Seoul,
    when the round finished); ``amount`` (int won earned).
    """
    statement = pd.DataFrame({
        "payday": reviews["payday"],
        "status": reviews["settled"].map({True: "settled", False: "pending"}),
        "task_id": reviews["task_id"],
        "round": reviews["review_round"],
        "clip": reviews["clip_name"],
        "language": reviews["language"],
        "project": reviews["project"],
        "segments": reviews["segments"],
        "minutes": (reviews["reviewed_ms"] / MS_PER_MINUTE).astype(float).round(3),
        "rate": reviews["rate"],
        "reviewed_at": pd.to_datetime(reviews["reviewed_at"], utc=True).dt.tz_convert(SEOUL),
        "amount": reviews["amount"],
    }, columns=list(REVIEW_STATEMENT_COLUMNS))
    statement = statement.sort_values(["reviewed_at", "task_id", "round"], ascending=False).reset_index(drop=True)
    return with_int_columns(statement, ("task_id", "round", "segments", "rate", "amount"))


def format_table(frame: pd.DataFrame) -> str:
    """A frame as aligned plain text for a terminal; ``(none)`` when it has no rows."""
    if frame.empty:
        return "(none)"
    return frame.to_string(index=False)


def _minutes_from_seconds(seconds: pd.Series) -> pd.Series:
    return (seconds.astype(float) / 60).round(3)
