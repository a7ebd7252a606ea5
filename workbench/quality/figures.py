"""Quality figures, DataFrame in and out (no database, no UI).

- ``gold_over_time``: per day (Asia/Seoul), language and project, the gold segments scored,
  their mean CER and the share that passed.
- ``agreement_by_language``: per language and project, the double-transcribed spans, their
  mean agreement CER and the share disputed; ``agreement_by_worker``: per worker and
  language, over every span they wrote either side of.
- ``hourly_pay``: ``pay.time_on_task`` rows (per role, language and project) as a long frame
  of two bars per group, the effective hourly pay and the minimum wage in force.
"""

from __future__ import annotations

import pandas as pd

from workbench.pay.calendar import SEOUL

GOLD_COLUMNS = ("scored_at", "language", "project", "cer", "passed")
AGREEMENT_COLUMNS = ("measured_at", "language", "project", "first", "second", "cer", "disputed")
GOLD_OVER_TIME = ("day", "language", "project", "group", "scores", "mean_cer", "pass_rate")
AGREEMENT_BY_LANGUAGE = ("language", "project", "group", "spans", "mean_cer", "disputed_share")
AGREEMENT_BY_WORKER = ("username", "language", "spans", "mean_cer")
HOURLY_PAY = ("group", "bar", "measure", "won")
WORK_PER_AUDIO = ("group", "minutes_per_audio_minute")


def gold_over_time(scores: pd.DataFrame) -> pd.DataFrame:
    """``scores`` has ``GOLD_COLUMNS`` (``scored_at`` aware datetimes)."""
    if scores.empty:
        return pd.DataFrame(columns=list(GOLD_OVER_TIME))
    days = pd.to_datetime([at.astimezone(SEOUL).date() for at in scores["scored_at"]])
    grouped = scores.assign(day=days, passed=scores["passed"].astype(float)).groupby(
        ["day", "language", "project"], as_index=False)
    report = grouped.agg(scores=("cer", "size"), mean_cer=("cer", "mean"), pass_rate=("passed", "mean"))
    return _rounded(_grouped(report), ("mean_cer", "pass_rate"))[list(GOLD_OVER_TIME)]


def agreement_by_language(spans: pd.DataFrame) -> pd.DataFrame:
    """``spans`` has ``AGREEMENT_COLUMNS``."""
    if spans.empty:
        return pd.DataFrame(columns=list(AGREEMENT_BY_LANGUAGE))
    grouped = spans.assign(disputed=spans["disputed"].astype(float)).groupby(["language", "project"], as_index=False)
    report = grouped.agg(spans=("cer", "size"), mean_cer=("cer", "mean"), disputed_share=("disputed", "mean"))
    return _rounded(_grouped(report), ("mean_cer", "disputed_share"))[list(AGREEMENT_BY_LANGUAGE)]


def agreement_by_worker(spans: pd.DataFrame) -> pd.DataFrame:
    """Each span counts for both its writers."""
    if spans.empty:
        return pd.DataFrame(columns=list(AGREEMENT_BY_WORKER))
    sides = pd.concat([spans.rename(columns={side: "username"})[["username", "language", "cer"]]
                       for side in ("first", "second")], ignore_index=True)
    report = sides.groupby(["username", "language"], as_index=False).agg(spans=("cer", "size"),
                                                                         mean_cer=("cer", "mean"))
    return _rounded(report, ("mean_cer",))[list(AGREEMENT_BY_WORKER)]


def hourly_pay(times: pd.DataFrame) -> pd.DataFrame:
    """``times``: ``pay.time_on_task`` grouped by role, language and project. Two bars a group
    (each its own ``bar``, so a plot never stacks them): pay per active hour, minimum wage."""
    if times.empty:
        return pd.DataFrame(columns=list(HOURLY_PAY))
    rows = []
    for group, row in zip(_grouped(times)["group"], times.itertuples(index=False)):
        rows += [(group, f"{group} · pay", "effective hourly pay", int(row.won_per_hour)),
                 (group, f"{group} · minimum", "minimum wage", int(row.minimum_wage))]
    return pd.DataFrame(rows, columns=list(HOURLY_PAY))


def work_per_audio(times: pd.DataFrame) -> pd.DataFrame:
    """Minutes of active work per audio minute, per ``group`` of ``pay.time_on_task`` rows."""
    if times.empty:
        return pd.DataFrame(columns=list(WORK_PER_AUDIO))
    return _grouped(times)[list(WORK_PER_AUDIO)]


def _grouped(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``group`` label: language · project (· role, when it has one)."""
    parts = [column for column in ("language", "project", "role") if column in frame.columns]
    labels = [" · ".join(str(value) for value in values) for values in frame[parts].itertuples(index=False)]
    return frame.assign(group=labels)


def _rounded(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].astype(float).round(4)
    return frame
