"""Times as people in Korea read them: every instant the pages, messages and logs show is
Asia/Seoul wall-clock time, written by the one function here.

>>> from datetime import datetime, timezone
>>> seoul_minute(datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc))
'2026-11-30 14:00'

Instants are stored and compared in UTC; this is only how they are shown.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def seoul_minute(instant: datetime) -> str:
    """An aware instant as Seoul wall-clock time to the minute, ``2026-11-30 14:00``."""
    if instant.utcoffset() is None:
        raise ValueError(f"{instant!r} has no time zone; instants are stored aware (UTC)")
    return instant.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def seoul_today(now: datetime | None = None) -> date:
    """The date in Seoul at ``now`` (the current time when None)."""
    return (now or datetime.now(timezone.utc)).astimezone(SEOUL).date()
