"""Paydays on the 15th and the month's last day, moved back off weekends and Korean holidays."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from workbench.pay.calendar import (
    is_business_day,
    is_payday,
    next_payday,
    pay_period,
    payday_for,
    paydays_between,
    previous_payday,
    scheduled_payday,
    seoul_datetime,
)
from workbench.pay.calendar import SEOUL

UTC = timezone.utc


@pytest.mark.parametrize(
    "year, month, half, payday, why",
    [
        (2026, 11, 2, date(2026, 11, 30), "a Monday: no move"),
        (2026, 12, 1, date(2026, 12, 15), "a Tuesday: no move"),
        (2025, 11, 1, date(2025, 11, 14), "the 15th is a Saturday"),
        (2026, 8, 1, date(2026, 8, 14), "the 15th is a Saturday and Liberation Day"),
        (2026, 11, 1, date(2026, 11, 13), "the 15th is a Sunday"),
        (2026, 2, 2, date(2026, 2, 27), "2026-02-28 is a Saturday"),
        (2024, 2, 2, date(2024, 2, 29), "a leap-year month end, a Thursday"),
        (2023, 9, 2, date(2023, 9, 27), "Chuseok run 09-28..30 covers the month end"),
        (2020, 9, 2, date(2020, 9, 29), "the day before Chuseok is the month end"),
        (2022, 1, 2, date(2022, 1, 28), "Seollal eve on Monday 01-31 after a weekend"),
        (2018, 2, 1, date(2018, 2, 14), "Seollal run 02-15..17 covers the 15th"),
        (2027, 9, 1, date(2027, 9, 13), "Chuseok run 09-14..16 covers the 15th"),
        (2026, 5, 2, date(2026, 5, 29), "the month ends on a Sunday"),
    ],
)
def test_scheduled_payday(year, month, half, payday, why):
    assert scheduled_payday(year, month, half) == payday, why
    assert is_payday(payday)
    assert is_business_day(payday)


@pytest.mark.parametrize("day", [date(2026, 2, 28), date(2023, 9, 29), date(2026, 11, 29), date(2026, 11, 16)])
def test_days_that_are_not_paydays_are_refused(day):
    assert not is_payday(day)
    with pytest.raises(ValueError, match="not a payday"):
        pay_period(day)


def test_half_must_be_one_or_two():
    with pytest.raises(ValueError, match="half must be"):
        scheduled_payday(2026, 1, 3)


@pytest.mark.parametrize(
    "payday, previous",
    [
        (date(2026, 11, 30), date(2026, 11, 13)),
        (date(2026, 12, 15), date(2026, 11, 30)),
        (date(2026, 1, 15), date(2025, 12, 31)),
        (date(2026, 3, 13), date(2026, 2, 27)),
    ],
)
def test_previous_payday(payday, previous):
    assert previous_payday(payday) == previous


@pytest.mark.parametrize(
    "day, payday",
    [
        (date(2026, 11, 13), date(2026, 11, 13)),
        (date(2026, 11, 14), date(2026, 11, 30)),
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2025, 12, 31), date(2025, 12, 31)),
        (date(2026, 12, 16), date(2026, 12, 31)),
        (date(2026, 2, 28), date(2026, 3, 13)),
    ],
)
def test_next_payday_is_on_or_after_the_day(day, payday):
    assert next_payday(day) == payday


def test_a_year_has_twenty_four_paydays_in_order():
    paydays = paydays_between(date(2026, 1, 1), date(2026, 12, 31))
    assert len(paydays) == 24
    assert paydays == sorted(paydays)
    assert all(previous_payday(later) == earlier for earlier, later in zip(paydays, paydays[1:]))


@pytest.mark.parametrize(
    "payday, start, cutoff",
    [
        # 00:00 KST is 15:00 UTC the day before.
        (date(2026, 11, 30), datetime(2026, 11, 12, 15, tzinfo=UTC), datetime(2026, 11, 29, 15, tzinfo=UTC)),
        (date(2026, 3, 13), datetime(2026, 2, 26, 15, tzinfo=UTC), datetime(2026, 3, 12, 15, tzinfo=UTC)),
    ],
)
def test_period_runs_from_the_previous_cutoff_to_the_end_of_the_day_before_payday(payday, start, cutoff):
    period = pay_period(payday)
    assert (period.start, period.cutoff) == (start, cutoff)


@pytest.mark.parametrize(
    "payday, start, cutoff",
    [
        # Chuseok 2023-09-28..30 moves month end to Wed 09-27; the next period starts there.
        (date(2023, 9, 27), datetime(2023, 9, 14, 15, tzinfo=UTC), datetime(2023, 9, 26, 15, tzinfo=UTC)),
        (date(2023, 10, 13), datetime(2023, 9, 26, 15, tzinfo=UTC), datetime(2023, 10, 12, 15, tzinfo=UTC)),
        # Seollal eve on Mon 2022-01-31 moves month end to Fri 01-28.
        (date(2022, 1, 28), datetime(2022, 1, 13, 15, tzinfo=UTC), datetime(2022, 1, 27, 15, tzinfo=UTC)),
        (date(2026, 2, 27), datetime(2026, 2, 12, 15, tzinfo=UTC), datetime(2026, 2, 26, 15, tzinfo=UTC)),
    ],
)
def test_periods_around_moved_paydays(payday, start, cutoff):
    period = pay_period(payday)
    assert (period.start, period.cutoff) == (start, cutoff)


def test_periods_are_half_open_and_adjacent():
    november, december = pay_period(date(2026, 11, 30)), pay_period(date(2026, 12, 15))
    assert november.cutoff == december.start
    assert not november.contains(november.cutoff)
    assert december.contains(november.cutoff)


def test_cutoff_can_be_moved_earlier():
    period = pay_period(date(2026, 11, 30), days_before=3)
    assert period.cutoff == datetime(2026, 11, 27, 15, tzinfo=UTC)
    with pytest.raises(ValueError, match="days_before"):
        pay_period(date(2026, 11, 30), days_before=-1)


@pytest.mark.parametrize(
    "accepted_at, payday",
    [
        (datetime(2026, 11, 29, 23, 59, 59, tzinfo=SEOUL), date(2026, 11, 30)),
        (datetime(2026, 11, 30, 0, 0, tzinfo=SEOUL), date(2026, 12, 15)),      # exactly at the cut-off
        (datetime(2026, 11, 12, 23, 0, tzinfo=SEOUL), date(2026, 11, 13)),
        (datetime(2026, 11, 13, 0, 0, tzinfo=SEOUL), date(2026, 11, 30)),
        (datetime(2026, 11, 12, 15, 30, tzinfo=UTC), date(2026, 11, 30)),      # 00:30 KST on the 13th
        (datetime(2023, 9, 26, 12, 0, tzinfo=SEOUL), date(2023, 9, 27)),       # before the Chuseok run
        (datetime(2023, 9, 27, 12, 0, tzinfo=SEOUL), date(2023, 10, 13)),
    ],
)
def test_payday_for_an_acceptance_agrees_with_the_periods(accepted_at, payday):
    assert payday_for(accepted_at) == payday
    assert pay_period(payday).contains(accepted_at)


def test_payday_for_needs_an_aware_time():
    with pytest.raises(ValueError, match="aware"):
        payday_for(datetime(2026, 11, 20))


@pytest.mark.parametrize(
    "text, instant",
    [
        ("2026-12-01T14:00", datetime(2026, 12, 1, 5, 0, tzinfo=UTC)),
        ("2026-12-01 14:00:00+09:00", datetime(2026, 12, 1, 5, 0, tzinfo=UTC)),
        ("2026-12-01T05:00Z", datetime(2026, 12, 1, 5, 0, tzinfo=UTC)),
        ("2026-12-01", datetime(2026, 11, 30, 15, 0, tzinfo=UTC)),
    ],
)
def test_seoul_datetime(text, instant):
    assert seoul_datetime(text) == instant


def test_seoul_datetime_refuses_nonsense():
    with pytest.raises(ValueError, match="not a date-time"):
        seoul_datetime("next tuesday")
