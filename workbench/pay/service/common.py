"""What the pay service's parts share: rows to frames and back, the engine's complaints as
``InvalidInput``, whose statement a viewer may see, and report files.

The names keep their underscore: they are the package's private helpers, which the access
meta-test (tests/test_access.py) follows into, unlike a public function's own transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay.calendar import payday_for
from workbench.pay.engine import PayInputError
from workbench.store import pay_store
from workbench.workflow import access
from workbench.workflow.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor


def _is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() == ".xlsx"


def _write(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    from workbench.pay.report_files import write_report

    try:
        return write_report(sheets, Path(path))
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def _statement_owner(session, actor: "Actor", username: str) -> dict:
    """The worker whose statement ``actor`` asks for: themselves, or anyone for an admin."""
    viewer = access.current(session, actor)
    worker = pay_store.user_by_username(session, username)
    if worker is None:
        raise NotFound(f"No user {username!r}.")
    access.may_see_account(viewer, worker["id"], refusal="You can only see your own statement.")
    return worker


def _settled_and_pending(settled: pd.DataFrame, priced: pd.DataFrame, at: str) -> pd.DataFrame:
    """A statement's rows: what was settled, then what is pending, each pending row with the
    payday its moment ``at`` falls due on."""
    priced = priced.assign(payday=[payday_for(moment) for moment in priced[at]], settled=False)
    frames = [frame for frame in (settled.assign(settled=True), priced) if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else priced


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


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
