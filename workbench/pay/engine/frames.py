"""The engine's frames: the columns each input and output has, the one error for a malformed
frame, and the checks every input passes (aware UTC times, whole won, no stray floats)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

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


def checked_frame(
    frame: pd.DataFrame, name: str, columns: tuple[str, ...], *,
    times: tuple[str, ...] = (), integers: tuple[str, ...] = (), money: tuple[str, ...] = (),
    allow_negative: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` (called ``name`` in errors) with ``columns``, its ``times`` as UTC
    timestamps and its ``integers`` and ``money`` whole; ``PayInputError`` otherwise."""
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
