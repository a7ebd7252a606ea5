"""The settlement engine: exact to the won, explainable, and never paying twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.pay.calendar import SEOUL, pay_period
from workbench.pay.engine import (
    CARRY_OVER_COLUMNS,
    LINE_COLUMNS,
    PENALTY_COLUMNS,
    PROJECT_RATE_COLUMNS,
    RATE_COLUMNS,
    WORK_ITEM_COLUMNS,
    PayInputError,
    duration_ms,
    price_items,
    settle_items,
    settle_period,
    withholding,
)

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOVEMBER = pay_period(date(2026, 11, 30))  # [2026-11-13 00:00 KST, 2026-11-30 00:00 KST)
IN_NOVEMBER = datetime(2026, 11, 20, 10, tzinfo=SEOUL)


def work_item(task_id, *, user_id=1, username="mina", language="ko", project="drama",
              seconds=60.0, speech_seconds=None, accepted_at=IN_NOVEMBER):
    return {
        "task_id": task_id, "user_id": user_id, "username": username, "clip_id": task_id,
        "clip_name": f"clip{task_id}.wav", "language": language, "project": project,
        "source_seconds": seconds,
        "speech_seconds": seconds if speech_seconds is None else speech_seconds,
        "accepted_at": accepted_at,
    }


def frame(rows, columns):
    return pd.DataFrame(rows, columns=list(columns))


DEFAULT_RATES = frame(
    [("ko", 600, EPOCH), ("en", 1500, EPOCH), ("zh", 1500, EPOCH), ("ja", 1500, EPOCH)],
    RATE_COLUMNS,
)
NO_BONUS = frame([], PROJECT_RATE_COLUMNS)
NO_PENALTIES = frame([], PENALTY_COLUMNS)
NO_CARRY = frame([], CARRY_OVER_COLUMNS)


def settle(items, *, rates=DEFAULT_RATES, bonus=NO_BONUS, penalties=NO_PENALTIES,
           carry=NO_CARRY, period=NOVEMBER, minimum_payout=5000):
    return settle_period(frame(items, WORK_ITEM_COLUMNS), rates, bonus, penalties, carry,
                         period=period, minimum_payout=minimum_payout)


def only_line(lines):
    assert len(lines) == 1
    return lines.iloc[0].to_dict()


# --- rounding: once per task ---------------------------------------------------------


@pytest.mark.parametrize(
    "language, seconds, amount",
    [
        ("ko", 60.0, 600),
        ("ko", 0.0, 0),
        ("ko", 0.1, 1),            # 600 × 100 ms / 60 000 = 1
        ("ko", 0.099, 0),          # 0.99 won floors to 0
        ("ko", 150.5, 1505),
        ("ko", 61.2345, 612),      # 61 235 ms × 600 / 60 000 = 612.35
        ("en", 61.2345, 1530),     # 1 530.875 floors
        ("ja", 3600.0, 90_000),
        ("zh", 7199.999, 179_999),
    ],
)
def test_task_amount_is_rate_times_duration_floored_once(language, seconds, amount):
    priced = price_items(frame([work_item(1, language=language, seconds=seconds)], WORK_ITEM_COLUMNS),
                         DEFAULT_RATES, NO_BONUS)
    assert priced.loc[0, "amount"] == amount
    assert isinstance(priced.loc[0, "amount"].item(), int)


def test_rounding_is_per_task_not_per_worker():
    # 11.994 s at 600 won/min is 119.94 won: three tasks earn 3 × 119, not floor(359.82) = 359.
    lines = settle([work_item(i, seconds=11.994) for i in (1, 2, 3)], minimum_payout=0)
    assert only_line(lines)["gross"] == 3 * 119


@pytest.mark.parametrize("seconds, ms", [(61.2345, 61_235), (0.0005, 1), (0.0004, 0), (90, 90_000), (1.0015, 1_002)])
def test_durations_are_taken_to_the_millisecond_half_up(seconds, ms):
    assert duration_ms(seconds) == ms


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_bad_durations_are_refused(seconds):
    with pytest.raises(PayInputError, match="duration"):
        duration_ms(seconds)


# --- rates in force -----------------------------------------------------------------

RAISE_AT = datetime(2026, 11, 20, 14, 0, tzinfo=SEOUL)
RATES_WITH_RAISE = frame(
    [("ko", 600, EPOCH), ("ko", 900, RAISE_AT), ("en", 1500, EPOCH)], RATE_COLUMNS
)


@pytest.mark.parametrize(
    "accepted_at, rate",
    [
        (RAISE_AT - timedelta(minutes=1), 600),
        (RAISE_AT - timedelta(microseconds=1), 600),
        (RAISE_AT, 900),
        (RAISE_AT + timedelta(minutes=1), 900),
        (RAISE_AT.astimezone(UTC), 900),    # the same instant written in UTC
    ],
    ids=["13:59", "13:59:59.999999", "14:00", "14:01", "14:00-as-utc"],
)
def test_task_is_paid_at_the_rate_in_force_when_its_review_completed(accepted_at, rate):
    priced = price_items(frame([work_item(1, accepted_at=accepted_at)], WORK_ITEM_COLUMNS),
                         RATES_WITH_RAISE, NO_BONUS)
    assert priced.loc[0, "rate"] == rate
    assert priced.loc[0, "amount"] == rate


def test_a_language_without_a_rate_in_force_is_an_error():
    items = frame([work_item(1, language="ko", accepted_at=datetime(1969, 12, 31, tzinfo=UTC))], WORK_ITEM_COLUMNS)
    with pytest.raises(PayInputError, match="no 'ko' rate in force"):
        price_items(items, DEFAULT_RATES, NO_BONUS)
    with pytest.raises(PayInputError, match="no 'fr' rate"):
        price_items(frame([work_item(1, language="fr")], WORK_ITEM_COLUMNS), DEFAULT_RATES, NO_BONUS)


@pytest.mark.parametrize(
    "bonus_rows, amount, why",
    [
        ([], 1200, "no bonus"),
        ([("drama", 300, "source", EPOCH)], 1200 + 600, "source basis: the clip's 2 minutes"),
        ([("drama", 300, "speech", EPOCH)], 1200 + 450, "speech basis: 1.5 minutes of speech"),
        ([("news", 300, "source", EPOCH)], 1200, "another project's bonus"),
        ([("drama", 300, "source", IN_NOVEMBER + timedelta(seconds=1))], 1200, "bonus starts later"),
        ([("drama", 100, "speech", EPOCH), ("drama", 200, "source", IN_NOVEMBER)], 1200 + 400, "latest in force"),
    ],
)
def test_project_bonus(bonus_rows, amount, why):
    item = work_item(1, project="drama", seconds=120.0, speech_seconds=90.0)
    priced = price_items(frame([item], WORK_ITEM_COLUMNS), DEFAULT_RATES, frame(bonus_rows, PROJECT_RATE_COLUMNS))
    assert priced.loc[0, "amount"] == amount, why


def test_base_and_bonus_share_one_floor():
    # Base 120.05 s × 600 = 1 200.5 won, bonus 90.001 s × 7 = 10.500 1 won: 1 211, not 1 210.
    item = work_item(1, project="drama", seconds=120.05, speech_seconds=90.001)
    priced = price_items(frame([item], WORK_ITEM_COLUMNS), DEFAULT_RATES,
                         frame([("drama", 7, "speech", EPOCH)], PROJECT_RATE_COLUMNS))
    assert priced.loc[0, "amount"] == 1211


# --- the period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "accepted_at, paid",
    [
        (NOVEMBER.cutoff - timedelta(microseconds=1), True),
        (NOVEMBER.cutoff, False),                      # exactly at the cut-off: next period
        (datetime(2026, 11, 29, 23, 59, 59, tzinfo=SEOUL), True),
        (datetime(2026, 11, 30, 0, 0, tzinfo=SEOUL), False),
        (NOVEMBER.start, True),
        (NOVEMBER.start - timedelta(days=40), True),   # never settled before: caught up
    ],
)
def test_items_accepted_before_the_cutoff_are_paid(accepted_at, paid):
    items = frame([work_item(1, accepted_at=accepted_at)], WORK_ITEM_COLUMNS)
    due = settle_items(items, DEFAULT_RATES, NO_BONUS, period=NOVEMBER)
    assert list(due["task_id"]) == ([1] if paid else [])


def test_a_task_accepted_exactly_at_the_cutoff_is_paid_in_the_next_period():
    item = work_item(1, seconds=600.0, accepted_at=NOVEMBER.cutoff)
    assert settle([item]).empty
    december = settle([item], period=pay_period(date(2026, 12, 15)))
    assert only_line(december)["gross"] == 6000


# --- withholding --------------------------------------------------------------------


@pytest.mark.parametrize(
    "base, income_tax, local_tax",
    [
        (10_000, 300, 30),
        (10_001, 300, 30),
        (10_009, 300, 30),
        (171_231, 5_130, 510),     # 5 136.93 → 5 130; 513 → 510
        (171_239, 5_130, 510),
        (100_005, 3_000, 300),
        (33_333, 990, 90),         # 999.99 → 990; 99 → 90
        (1_234_567, 37_030, 3_700),
        (0, 0, 0),
        (-500, 0, 0),
    ],
)
def test_withholding_truncates_each_tax_to_ten_won(base, income_tax, local_tax):
    assert withholding(base) == (income_tax, local_tax)


@pytest.mark.parametrize("last_digit", range(1, 10))
def test_net_pay_with_gross_ending_in_one_to_nine_won(last_digit):
    # A 600 won/min task of s seconds earns 10 × s won: add last_digit won with 0.1 s each.
    seconds = 1000.0 + last_digit / 10
    line = only_line(settle([work_item(1, seconds=seconds)]))
    gross = 10_000 + last_digit
    assert line["gross"] == gross
    assert (line["income_tax"], line["local_tax"]) == (300, 30)
    assert line["net"] == gross - 330
    assert line["status"] == "paid"


# --- penalties and carry-over -------------------------------------------------------


def penalty(penalty_id, amount, *, user_id=1, username="mina", created_at=IN_NOVEMBER):
    return (penalty_id, user_id, username, amount, created_at)


@pytest.mark.parametrize(
    "seconds, penalties, carried_in, expected",
    [
        # gross, penalties, balance, income, local, net, carried_out, status
        (1000.0, [], 0, (10_000, 0, 10_000, 300, 30, 9_670, 0, "paid")),
        (1000.0, [2_000], 0, (10_000, 2_000, 8_000, 240, 20, 7_740, 0, "paid")),
        (400.0, [], 0, (4_000, 0, 4_000, 0, 0, 0, 4_000, "carried")),            # below the minimum
        (100.0, [], 4_000, (1_000, 0, 5_000, 0, 0, 0, 5_000, "carried")),        # 4 840 net still below
        (200.0, [], 4_000, (2_000, 0, 6_000, 180, 10, 5_810, 0, "paid")),        # carried in, then paid
        (500.0, [], 0, (5_000, 0, 5_000, 0, 0, 0, 5_000, "carried")),            # 5 000 gross, 4 840 net
        (100.0, [3_000], 0, (1_000, 3_000, -2_000, 0, 0, 0, -2_000, "carried")), # penalties exceed gross
        (1000.0, [], -2_000, (10_000, 0, 8_000, 240, 20, 7_740, 0, "paid")),     # a negative carry repaid
        (0.0, [1_000, 500], 0, (0, 1_500, -1_500, 0, 0, 0, -1_500, "carried")),
        (600.0, [], -1_000, (6_000, 0, 5_000, 0, 0, 0, 5_000, "carried")),
    ],
)
def test_penalties_withholding_and_carry_over(seconds, penalties, carried_in, expected):
    items = [work_item(1, seconds=seconds)] if seconds else []
    carry = frame([(1, "mina", carried_in)] if carried_in else [], CARRY_OVER_COLUMNS)
    line = only_line(settle(
        items, penalties=frame([penalty(i, a) for i, a in enumerate(penalties)], PENALTY_COLUMNS), carry=carry,
    ))
    assert line["carried_in"] == carried_in
    keys = ("gross", "penalties", "balance", "income_tax", "local_tax", "net", "carried_out", "status")
    assert tuple(line[key] for key in keys) == expected


def test_minimum_payout_is_configurable():
    assert only_line(settle([work_item(1, seconds=400.0)], minimum_payout=1000))["net"] == 3_870
    assert only_line(settle([work_item(1, seconds=400.0)], minimum_payout=0))["status"] == "paid"
    with pytest.raises(PayInputError, match="minimum_payout"):
        settle([], minimum_payout=-1)


def test_carry_over_chains_across_two_settlements():
    first = only_line(settle([work_item(1, seconds=300.0)]))
    assert (first["status"], first["carried_out"]) == ("carried", 3_000)
    december = pay_period(date(2026, 12, 15))
    second = only_line(settle(
        [work_item(2, seconds=300.0, accepted_at=datetime(2026, 12, 1, tzinfo=SEOUL))],
        carry=frame([(1, "mina", first["carried_out"])], CARRY_OVER_COLUMNS), period=december,
    ))
    assert (second["gross"], second["carried_in"], second["balance"]) == (3_000, 3_000, 6_000)
    assert (second["net"], second["carried_out"], second["status"]) == (5_810, 0, "paid")


def test_a_carried_balance_alone_keeps_its_line():
    line = only_line(settle([], carry=frame([(1, "mina", -700)], CARRY_OVER_COLUMNS)))
    assert (line["items"], line["carried_out"], line["status"]) == (0, -700, "carried")


def test_penalties_after_the_cutoff_wait_for_the_next_period():
    line = only_line(settle(
        [work_item(1, seconds=1000.0)],
        penalties=frame([penalty(1, 999, created_at=NOVEMBER.cutoff)], PENALTY_COLUMNS),
    ))
    assert line["penalties"] == 0


def test_rework_earns_nothing_extra():
    # A returned-and-reworked task is still one work item with one completion time.
    with pytest.raises(PayInputError, match="task 1 more than once"):
        settle([work_item(1), work_item(1)])


def test_workers_are_settled_separately_and_ordered_by_name():
    lines = settle([
        work_item(1, user_id=2, username="yuna", language="ja", seconds=240.0),
        work_item(2, user_id=1, username="mina", seconds=1200.0),
        work_item(3, user_id=2, username="yuna", language="ja", seconds=60.0),
    ])
    assert list(lines.columns) == list(LINE_COLUMNS)
    assert list(lines["username"]) == ["mina", "yuna"]
    assert list(lines["items"]) == [1, 2]
    assert list(lines["gross"]) == [12_000, 7_500]
    assert set(lines["payday"]) == {date(2026, 11, 30)}


# --- bad input changes nothing and says what is wrong ------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda items, rates: (items.drop(columns="accepted_at"), rates), "work_items lacks column"),
        (lambda items, rates: (items.assign(accepted_at=[datetime(2026, 11, 20)]), rates), "timezone-aware"),
        (lambda items, rates: (items, rates.assign(won_per_minute=[600.5, 1500, 1500, 1500])), "whole won"),
        (lambda items, rates: (items, rates.assign(won_per_minute=[-600, 1500, 1500, 1500])), "negative"),
        (lambda items, rates: (items, pd.concat([rates, rates.iloc[:1]])), "two rates"),
    ],
)
def test_malformed_input_is_refused(change, message):
    items, rates = change(frame([work_item(1)], WORK_ITEM_COLUMNS), DEFAULT_RATES.copy())
    before = DEFAULT_RATES.copy()
    with pytest.raises(PayInputError, match=message):
        settle_period(items, rates, NO_BONUS, NO_PENALTIES, NO_CARRY, period=NOVEMBER)
    pd.testing.assert_frame_equal(DEFAULT_RATES, before)


def test_unknown_bonus_basis_is_refused():
    with pytest.raises(PayInputError, match="basis"):
        price_items(frame([work_item(1)], WORK_ITEM_COLUMNS), DEFAULT_RATES,
                    frame([("drama", 100, "words", EPOCH)], PROJECT_RATE_COLUMNS))


# --- properties ---------------------------------------------------------------------

money = st.integers(min_value=0, max_value=200_000)
instants = st.datetimes(
    min_value=datetime(2026, 10, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC),
)
items_strategy = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(["ko", "en", "zh", "ja"]),
              st.floats(0, 7200, allow_nan=False), instants),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    items=items_strategy,
    penalties=st.lists(st.tuples(st.integers(1, 4), money, instants), max_size=6),
    carried=st.dictionaries(st.integers(1, 4), st.integers(-50_000, 50_000), max_size=4),
    minimum=st.integers(0, 20_000),
)
def test_every_won_is_accounted_for(items, penalties, carried, minimum):
    lines = settle(
        [work_item(n, user_id=u, username=f"w{u}", language=lang, seconds=s, accepted_at=t)
         for n, (u, lang, s, t) in enumerate(items)],
        penalties=frame([penalty(n, a, user_id=u, username=f"w{u}", created_at=t)
                         for n, (u, a, t) in enumerate(penalties)], PENALTY_COLUMNS),
        carry=frame([(u, f"w{u}", a) for u, a in carried.items()], CARRY_OVER_COLUMNS),
        minimum_payout=minimum,
    )
    tax = lines["income_tax"] + lines["local_tax"]
    carried_net = lines["carried_out"] - lines["carried_in"]
    assert (lines["gross"] == lines["net"] + tax + lines["penalties"] + carried_net).all()
    paid = lines["status"] == "paid"
    assert (lines.loc[paid, "net"] >= minimum).all()
    assert (lines.loc[paid, "carried_out"] == 0).all()
    assert (lines.loc[~paid, ["net", "income_tax", "local_tax"]] == 0).all().all()
    assert (tax <= lines["balance"].clip(lower=0) * 33 // 1000).all()
    for column in ("gross", "penalties", "income_tax", "local_tax", "net", "carried_out"):
        assert lines[column].dtype == "int64"


def test_the_worked_example_in_the_readme():
    raise_at = datetime(2026, 11, 20, 14, 0, tzinfo=SEOUL)
    rates = frame([("ko", 600, EPOCH), ("en", 1500, EPOCH), ("en", 1800, raise_at)], RATE_COLUMNS)
    line = only_line(settle(
        [work_item(1, seconds=754.567), work_item(2, language="en", seconds=200.5,
                                                  accepted_at=raise_at - timedelta(minutes=1))],
        rates=rates, penalties=frame([penalty(1, 1_000)], PENALTY_COLUMNS),
        carry=frame([(1, "mina", 3_200)], CARRY_OVER_COLUMNS),
    ))
    assert line["gross"] == 7_545 + 5_012
    assert (line["balance"], line["income_tax"], line["local_tax"]) == (14_757, 440, 40)
    assert (line["net"], line["carried_out"], line["status"]) == (14_277, 0, "paid")
