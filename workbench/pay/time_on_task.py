"""Time on task against pay: minutes of work per audio minute and the effective hourly
earnings they give, set against the legal minimum hourly wage. Pure, DataFrame in and out.

A worker's active time on a task (``workflow/time_on_task``) counts once the task has paid
them something to compare it with: a transcriber's once the task is complete (its work item),
a reviewer's once they finished a review round of it (their review items, priced at 0 when
their language has no reviewer rate). Time on work still in progress waits.

For a group of such rows (per worker, role, language, project, as asked):

- ``minutes_per_audio_minute`` = active minutes / audio minutes paid (source clip minutes
  transcribed, or minutes reviewed);
- ``won_per_hour`` = ``floor(earned / active hours)``, earned before tax and penalties;
- ``minimum_for_time`` = ``floor(Σ active hours × the minimum wage in force on the day of
  that work``, Asia/Seoul); ``meets_minimum`` = ``earned ≥ minimum_for_time``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd

from workbench.pay.calendar import SEOUL
from workbench.pay.engine import MS_PER_MINUTE, PayInputError

TIME_COLUMNS = ("user_id", "username", "task_id", "role", "language", "project", "active_seconds", "last_at")
PAID_COLUMNS = ("user_id", "task_id", "role", "audio_ms", "amount")
GROUPS = ("username", "role", "language", "project")
REPORT_COLUMNS = (
    "tasks", "active_minutes", "audio_minutes", "minutes_per_audio_minute", "earned", "won_per_hour",
    "minimum_wage", "minimum_for_time", "meets_minimum",
)


def minimum_wage_at(wages: Sequence[tuple[date, int]], instant: datetime) -> int | None:
    """The minimum hourly wage in force at ``instant`` (from 00:00 Asia/Seoul on each day);
    None before the first figure."""
    ordered = sorted(wages)
    position = bisect_right([day for day, _ in ordered], instant.astimezone(SEOUL).date())
    return ordered[position - 1][1] if position else None


def time_on_task_report(times: pd.DataFrame, paid: pd.DataFrame, *, minimum_wages: Sequence[tuple[date, int]],
                        by: Sequence[str] = ("username", "role", "language")) -> pd.DataFrame:
    """Work time against pay, one row per group ``by`` (some of ``GROUPS``), by group.

    ``times`` has ``TIME_COLUMNS``: one row per worker, task and role, ``active_seconds``
    float and ``last_at`` aware datetime (when the latest activity was credited). ``paid``
    has ``PAID_COLUMNS``: what each worker was paid for each task in each role, ``audio_ms``
    int (the audio minutes the pay counts) and ``amount`` int won; several rows of one
    worker, task and role (review rounds) add up. Returns ``by`` plus ``REPORT_COLUMNS``:
    ``tasks`` int; ``active_minutes``, ``audio_minutes`` and ``minutes_per_audio_minute``
    floats (3 decimals); ``earned`` int won; ``won_per_hour`` int (0 without active time);
    ``minimum_wage`` int, in force at the group's latest work (0 if none is configured);
    ``minimum_for_time`` int won; ``meets_minimum`` bool.
    """
    unknown = [column for column in by if column not in GROUPS]
    if unknown or not by:
        raise PayInputError(f"group by some of {', '.join(GROUPS)}, not {list(by)!r}")
    for frame, name, columns in ((times, "times", TIME_COLUMNS), (paid, "paid", PAID_COLUMNS)):
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise PayInputError(f"{name} lacks column(s) {', '.join(missing)}")
    keys = ["user_id", "task_id", "role"]
    ids = {"user_id": "int64", "task_id": "int64"}
    times = times.astype(ids)
    paid = paid.astype(ids | {"audio_ms": "int64", "amount": "int64"})
    earned = paid.groupby(keys, as_index=False)[["audio_ms", "amount"]].sum()
    rows = times.merge(earned, on=keys, how="inner")
    if rows.empty:
        return pd.DataFrame(columns=[*by, *REPORT_COLUMNS])
    rows["hours"] = rows["active_seconds"].astype(float) / 3600
    rows["wage"] = [minimum_wage_at(minimum_wages, at) or 0 for at in rows["last_at"]]
    rows["owed"] = rows["hours"] * rows["wage"]
    grouped = rows.sort_values("last_at").groupby(list(by), sort=True)
    report = pd.DataFrame({
        "tasks": grouped["task_id"].nunique(),
        "active_minutes": grouped["active_seconds"].sum() / 60,
        "audio_minutes": grouped["audio_ms"].sum() / MS_PER_MINUTE,
        "earned": grouped["amount"].sum(),
        "hours": grouped["hours"].sum(),
        "minimum_wage": grouped["wage"].last(),
        "owed": grouped["owed"].sum(),
    }).reset_index()
    report["minutes_per_audio_minute"] = (report["active_minutes"] / report["audio_minutes"]).where(
        report["audio_minutes"] > 0, 0.0)
    report["won_per_hour"] = [int(won // hours) if hours > 0 else 0
                              for won, hours in zip(report["earned"], report["hours"])]
    report["minimum_for_time"] = report["owed"].astype(float).map(int)
    report["meets_minimum"] = report["earned"] >= report["minimum_for_time"]
    for column in ("active_minutes", "audio_minutes", "minutes_per_audio_minute"):
        report[column] = report[column].astype(float).round(3)
    report = report.astype({"tasks": "int64", "earned": "int64", "minimum_wage": "int64",
                            "minimum_for_time": "int64", "meets_minimum": bool})
    return report[[*by, *REPORT_COLUMNS]]
