"""What the pay service's parts share: store rows to the engine's frames and back, the engine's complaints as
``InvalidInput``, whose statement a viewer may see, and report files.

The names keep their underscore: they are the package's private helpers, which the access
meta-test (tests/test_access.py) follows into, unlike a public function's own transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay import engine
from workbench.pay.calendar import payday_for
from workbench.pay.engine import PayInputError
from workbench.store import pay_store
from workbench.workflow import access
from workbench.workflow.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlalchemy import Row

    from workbench.store.models import User
    from workbench.workflow.domain import Actor

SETTLED_ITEM_COLUMNS = engine.ITEM_OUTPUT_COLUMNS + ("payday",)
SETTLED_REVIEW_COLUMNS = engine.REVIEW_OUTPUT_COLUMNS + ("payday",)


def _is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() == ".xlsx"


def _write(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    from workbench.pay.report_files import write_report

    try:
        return write_report(sheets, Path(path))
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def _statement_owner(session, actor: "Actor", username: str) -> User:
    """The worker whose statement ``actor`` asks for: themselves, or anyone for an admin."""
    viewer = access.current(session, actor)
    worker = pay_store.user_by_username(session, username)
    if worker is None:
        raise NotFound(f"No user {username!r}.")
    access.may_see_account(viewer, worker.id, refusal="You can only see your own statement.")
    return worker


def _settled_and_pending(settled: pd.DataFrame, priced: pd.DataFrame, at: str) -> pd.DataFrame:
    """A statement's rows: what was settled, then what is pending, each pending row with the
    payday its moment ``at`` falls due on."""
    priced = priced.assign(payday=[payday_for(moment) for moment in priced[at]], settled=False)
    frames = [frame for frame in (settled.assign(settled=True), priced) if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else priced


def _frame(rows: list[Row], columns: tuple[str, ...]) -> pd.DataFrame:
    """The store's named rows (``pay_store`` labels each column) as a frame with ``columns``."""
    return pd.DataFrame([row._asdict() for row in rows], columns=list(columns))


def _lines_frame(rows: list[Row]) -> pd.DataFrame:
    """``pay_store.settlement_lines`` rows as the engine's ``LINE_COLUMNS``."""
    return pd.DataFrame([
        {"payday": s.payday, "period_start": s.period_start, "cutoff": s.cutoff, "user_id": line.user_id,
         "username": username, "items": line.items, "source_seconds": line.source_seconds,
         **{column: getattr(line, column) for column in pay_store.LINE_MONEY_COLUMNS}, "status": line.status}
        for s, line, username in rows
    ], columns=list(engine.LINE_COLUMNS))


def _settled_work_frame(rows: list[Row]) -> pd.DataFrame:
    """``pay_store.settled_work`` rows as priced when paid (``SETTLED_ITEM_COLUMNS``)."""
    return pd.DataFrame([
        {"task_id": task.id, "user_id": item.user_id, "username": username, "clip_id": clip.id,
         "clip_name": clip.filename, "language": clip.language, "project": clip.project,
         "source_seconds": item.source_ms / 1000, "speech_seconds": None, "accepted_at": item.occurred_at,
         "source_ms": item.source_ms, "rate": item.rate, "rate_effective_at": None,
         "bonus_rate": item.bonus_rate, "bonus_basis": item.bonus_basis, "bonus_ms": item.bonus_ms,
         "amount": item.amount, "payday": paid_on}
        for paid_on, item, task, clip, username in rows
    ], columns=list(SETTLED_ITEM_COLUMNS))


def _settled_reviews_frame(rows: list[Row]) -> pd.DataFrame:
    """``pay_store.settled_reviews`` rows as priced when paid (``SETTLED_REVIEW_COLUMNS``)."""
    return pd.DataFrame([
        {"review_id": round_.id, "task_id": round_.task_id, "review_round": round_.review_round,
         "user_id": item.user_id, "username": username, "clip_id": clip.id, "clip_name": clip.filename,
         "language": clip.language, "project": clip.project, "segments": round_.segments,
         "reviewed_seconds": item.reviewed_ms / 1000, "reviewed_at": item.occurred_at,
         "reviewed_ms": item.reviewed_ms, "rate": item.rate, "rate_effective_at": None, "amount": item.amount,
         "payday": paid_on}
        for paid_on, item, round_, clip, username in rows
    ], columns=list(SETTLED_REVIEW_COLUMNS))


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (pandas timestamps become datetimes) for the store."""
    return [
        {key: value.to_pydatetime() if isinstance(value, pd.Timestamp) else value for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


@contextmanager
def _as_invalid_input() -> Iterator[None]:
    """Turn the engine's complaints about stored data into a message for the user."""
    try:
        yield
    except PayInputError as error:
        raise InvalidInput(f"Pay cannot be worked out: {error}.") from error
