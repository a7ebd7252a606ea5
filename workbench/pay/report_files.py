"""Write pay reports to CSV or Excel, atomically: a file is complete or not there at all."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd

from workbench.pay.calendar import SEOUL
from workbench.workflow.files import write_atomically

REPORT_SUFFIXES = (".csv", ".xlsx")


def write_report(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write ``sheets`` (sheet name → frame) to ``path``, chosen by its suffix.

    ``.xlsx`` gets one sheet per frame (openpyxl); ``.csv`` takes exactly one frame and is
    UTF-8 with a byte-order mark, so spreadsheet programs show Korean names correctly.
    Datetimes are written as Asia/Seoul wall-clock time, the time workers see. An existing
    file is replaced only once the new one is complete; on error nothing changes.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise ValueError(f"a report is written as .csv or .xlsx, not {path.name!r}")
    if not sheets:
        raise ValueError("there is no report to write")
    if suffix == ".csv" and len(sheets) != 1:
        raise ValueError(f"a CSV file holds one table; {len(sheets)} given (write .xlsx for several)")
    if not path.parent.is_dir():
        raise ValueError(f"the folder {str(path.parent)!r} does not exist")
    local = {name[:31]: _seoul_wall_clock(frame) for name, frame in sheets.items()}

    if suffix == ".csv":
        content = next(iter(local.values())).to_csv(index=False).encode("utf-8-sig")
    else:
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name, frame in local.items():
                frame.to_excel(writer, sheet_name=name, index=False)
        content = buffer.getvalue()
    write_atomically(content, path)
    return path


def _seoul_wall_clock(frame: pd.DataFrame) -> pd.DataFrame:
    # Excel has no time zones: store the Seoul wall-clock time instead of refusing.
    local = frame.copy()
    for column in local.columns:
        values = local[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            local[column] = values.dt.tz_convert(SEOUL).dt.tz_localize(None)
        elif values.dtype == object and any(isinstance(v, datetime) and v.tzinfo for v in values):
            local[column] = [v.astimezone(SEOUL).replace(tzinfo=None) if isinstance(v, datetime) else v
                             for v in values]
    return local
