"""The pay calendar: paydays, cut-offs and the period each settlement covers.

Paydays are the 15th and the last day of every month. When that day is a Saturday, a
Sunday or a Korean public holiday (the ``holidays`` package, country ``KR``), payday moves
back to the previous business day, so workers are never paid late.

A settlement covers the work accepted in ``[period.start, period.cutoff)``: from the
previous payday's cut-off (inclusive) up to this payday's cut-off (exclusive). The default
cut-off is the end of the day before payday in Asia/Seoul time, i.e. 00:00 KST on payday
itself; a task accepted at exactly that instant belongs to the next period. Half-open
periods put every instant in exactly one period.

>>> scheduled_payday(2026, 2, 2)          # 2026-02-28 is a Saturday
datetime.date(2026, 2, 27)
>>> pay_period(date(2026, 11, 30)).cutoff.isoformat()
'2026-11-29T15:00:00+00:00'

Not a bank calendar: it knows weekends and public holidays only.
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import holidays

from workbench.domain.times import SEOUL

FIRST_HALF, SECOND_HALF = 1, 2


@lru_cache(maxsize=64)
def _korean_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KR", years=year))


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Korean public holiday."""
    return day.weekday() < 5 and day not in _korean_holidays(day.year)


def previous_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the closest business day before it."""
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def scheduled_payday(year: int, month: int, half: int) -> date:
    """The payday of one half of a month: ``half`` 1 is the 15th, 2 the last day, moved back
    to the previous business day when needed."""
    if half not in (FIRST_HALF, SECOND_HALF):
        raise ValueError(f"half must be 1 (the 15th) or 2 (month end), not {half!r}")
    nominal_day = 15 if half == FIRST_HALF else _gregorian.monthrange(year, month)[1]
    return previous_business_day(date(year, month, nominal_day))


def _slot(payday: date) -> tuple[int, int, int]:
    # A moved payday never leaves its month: holiday runs are shorter than two weeks.
    for half in (FIRST_HALF, SECOND_HALF):
        if scheduled_payday(payday.year, payday.month, half) == payday:
            return payday.year, payday.month, half
    candidates = ", ".join(
        scheduled_payday(payday.year, payday.month, half).isoformat() for half in (1, 2)
    )
    raise ValueError(f"{payday.isoformat()} is not a payday; paydays that month are {candidates}")


def is_payday(day: date) -> bool:
    try:
        _slot(day)
    except ValueError:
        return False
    return True


def previous_payday(payday: date) -> date:
    """The payday before ``payday``, which must itself be a payday."""
    year, month, half = _slot(payday)
    if half == SECOND_HALF:
        return scheduled_payday(year, month, FIRST_HALF)
    if month == 1:
        return scheduled_payday(year - 1, 12, SECOND_HALF)
    return scheduled_payday(year, month - 1, SECOND_HALF)


def next_payday(day: date) -> date:
    """The first payday on or after ``day``."""
    for year, month in ((day.year, day.month), _following_month(day.year, day.month)):
        for half in (FIRST_HALF, SECOND_HALF):
            payday = scheduled_payday(year, month, half)
            if payday >= day:
                return payday
    raise AssertionError("unreachable: next month always has a payday")


def _following_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def paydays_between(first: date, last: date) -> list[date]:
    """Every payday in ``[first, last]``, in order."""
    paydays = []
    day = next_payday(first)
    while day <= last:
        paydays.append(day)
        day = next_payday(day + timedelta(days=1))
    return paydays


def cutoff_for(payday: date, *, days_before: int = 1) -> datetime:
    """The end of the day ``days_before`` days before ``payday`` in Seoul, as aware UTC."""
    if days_before < 0:
        raise ValueError(f"days_before must be 0 or more, not {days_before}")
    end_day = payday - timedelta(days=days_before - 1)
    return datetime.combine(end_day, time(0), tzinfo=SEOUL).astimezone(timezone.utc)


@dataclass(frozen=True)
class PayPeriod:
    """One settlement period: work accepted in ``[start, cutoff)`` is paid on ``payday``.

    ``start`` and ``cutoff`` are aware UTC datetimes.
    """

    payday: date
    start: datetime
    cutoff: datetime

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.cutoff


def payday_for(accepted_at: datetime, *, days_before: int = 1) -> date:
    """The payday whose period holds ``accepted_at`` (an aware datetime).

    Work accepted on Seoul day D is before the cut-off of payday P exactly when
    D < P − (days_before − 1), so P is the first payday on or after D + days_before.
    """
    if accepted_at.utcoffset() is None:
        raise ValueError("accepted_at must be timezone-aware")
    seoul_day = accepted_at.astimezone(SEOUL).date()
    return next_payday(seoul_day + timedelta(days=days_before))


def seoul_datetime(text: str) -> datetime:
    """Parse an ISO date-time for people in Korea: without an offset it is Seoul time.

    >>> seoul_datetime("2026-12-01T14:00").isoformat()
    '2026-12-01T05:00:00+00:00'
    """
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date-time like 2026-12-01 14:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SEOUL)
    return parsed.astimezone(timezone.utc)


def pay_period(payday: date, *, days_before: int = 1) -> PayPeriod:
    """The period settled on ``payday``; ``ValueError`` if ``payday`` is not a payday."""
    return PayPeriod(
        payday=payday,
        start=cutoff_for(previous_payday(payday), days_before=days_before),
        cutoff=cutoff_for(payday, days_before=days_before),
    )
