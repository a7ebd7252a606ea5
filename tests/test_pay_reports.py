"""Pay reports: per worker and per language per period, CSV/Excel files, the chart, statements."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import openpyxl
import pandas as pd
import pytest

from workbench.pay.calendar import SEOUL, pay_period
from workbench.pay.engine import (
    CARRY_OVER_COLUMNS,
    PENALTY_COLUMNS,
    PROJECT_RATE_COLUMNS,
    RATE_COLUMNS,
    WORK_ITEM_COLUMNS,
    settle_items,
    settle_period,
)
from workbench.pay.plots import plot_periods
from workbench.pay.report_files import write_report
from workbench.pay.reports import (
    LANGUAGE_REPORT_COLUMNS,
    WORKER_REPORT_COLUMNS,
    language_period_report,
    period_totals,
    statement_frame,
    worker_period_report,
)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
RATES = pd.DataFrame([("ko", 600, EPOCH), ("en", 1500, EPOCH)], columns=list(RATE_COLUMNS))
NO_BONUS = pd.DataFrame(columns=list(PROJECT_RATE_COLUMNS))
NOVEMBER, DECEMBER = pay_period(date(2026, 11, 30)), pay_period(date(2026, 12, 15))


def item(task_id, user_id, username, language, seconds, accepted_at):
    return (task_id, user_id, username, task_id, f"clip{task_id}.wav", language, "drama",
            seconds, seconds, accepted_at)


WORK = pd.DataFrame([
    item(1, 1, "mina", "ko", 1200.0, datetime(2026, 11, 20, 10, tzinfo=SEOUL)),   # 12 000
    item(2, 2, "yuna", "en", 120.0, datetime(2026, 11, 21, 10, tzinfo=SEOUL)),    # 3 000: carried
    item(3, 1, "mina", "en", 60.0, datetime(2026, 11, 22, 10, tzinfo=SEOUL)),     # 1 500
    item(4, 2, "yuna", "en", 120.0, datetime(2026, 12, 2, 10, tzinfo=SEOUL)),     # 3 000: paid with carry
], columns=list(WORK_ITEM_COLUMNS))
PENALTIES = pd.DataFrame([(1, 1, "mina", 500, datetime(2026, 11, 22, 11, tzinfo=SEOUL))],
                         columns=list(PENALTY_COLUMNS))


@pytest.fixture
def settled():
    """Two paydays settled in order, the second taking the first's carry-over."""
    november = settle_period(WORK, RATES, NO_BONUS, PENALTIES, pd.DataFrame(columns=list(CARRY_OVER_COLUMNS)),
                             period=NOVEMBER)
    carry = november.loc[november["status"] == "carried", ["user_id", "username", "carried_out"]]
    carry = carry.rename(columns={"carried_out": "amount"})
    later_work = WORK[WORK["task_id"] == 4]
    december = settle_period(later_work, RATES, NO_BONUS, PENALTIES.iloc[:0], carry, period=DECEMBER)
    items = pd.concat([
        settle_items(WORK[WORK["task_id"] != 4], RATES, NO_BONUS, period=NOVEMBER).assign(payday=NOVEMBER.payday),
        settle_items(later_work, RATES, NO_BONUS, period=DECEMBER).assign(payday=DECEMBER.payday),
    ], ignore_index=True)
    return pd.concat([november, december], ignore_index=True), items


def test_worker_period_report(settled):
    lines, _ = settled
    report = worker_period_report(lines)
    assert list(report.columns) == list(WORKER_REPORT_COLUMNS)
    rows = [tuple(row) for row in report[["payday", "username", "minutes", "gross", "penalties",
                                           "tax", "net", "carried_in", "carried_out", "status"]].itertuples(index=False)]
    assert rows == [
        (date(2026, 11, 30), "mina", 21.0, 13_500, 500, 390 + 30, 12_580, 0, 0, "paid"),
        (date(2026, 11, 30), "yuna", 2.0, 3_000, 0, 0, 0, 0, 3_000, "carried"),
        (date(2026, 12, 15), "yuna", 2.0, 3_000, 0, 180 + 10, 5_810, 3_000, 0, "paid"),
    ]


def test_language_period_report(settled):
    _, items = settled
    report = language_period_report(items)
    assert list(report.columns) == list(LANGUAGE_REPORT_COLUMNS)
    assert [tuple(row) for row in report.itertuples(index=False)] == [
        (date(2026, 11, 30), "en", 2, 2, 3.0, 4_500),
        (date(2026, 11, 30), "ko", 1, 1, 20.0, 12_000),
        (date(2026, 12, 15), "en", 1, 1, 2.0, 3_000),
    ]


def test_period_totals(settled):
    lines, _ = settled
    totals = period_totals(worker_period_report(lines))
    assert list(totals["payday"]) == [date(2026, 11, 30), date(2026, 12, 15)]
    assert list(totals["workers"]) == [2, 1]
    assert list(totals["paid_workers"]) == [1, 1]
    assert list(totals["gross"]) == [16_500, 3_000]
    assert list(totals["net"]) == [12_580, 5_810]


def test_statement_lists_each_item_with_its_rate_and_penalties(settled):
    _, items = settled
    mine = items[items["username"] == "mina"].assign(settled=[True, False])
    statement = statement_frame(mine, PENALTIES.assign(task_id=[3])[["task_id", "amount"]])
    assert list(statement["clip"]) == ["clip3.wav", "clip1.wav"]          # newest first
    assert list(statement["status"]) == ["pending", "settled"]
    assert list(statement["minutes"]) == [1.0, 20.0]
    assert list(statement["rate"]) == [1500, 600]
    assert list(statement["amount"]) == [1_500, 12_000]
    assert list(statement["penalties"]) == [500, 0]
    assert statement.loc[1, "accepted_at"] == pd.Timestamp(datetime(2026, 11, 20, 10, tzinfo=SEOUL))
    assert str(statement.loc[1, "accepted_at"].tz) == "Asia/Seoul"


def test_csv_round_trip(settled, tmp_path):
    lines, _ = settled
    report = worker_period_report(lines)
    path = write_report({"workers": report}, tmp_path / "pay.csv")
    back = pd.read_csv(path)
    assert list(back.columns) == list(WORKER_REPORT_COLUMNS)
    assert list(back["net"]) == list(report["net"])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_excel_has_one_sheet_per_report_with_seoul_times(settled, tmp_path):
    lines, items = settled
    statement = statement_frame(items[items["username"] == "mina"].assign(settled=True), pd.DataFrame(columns=["task_id", "amount"]))
    path = write_report({"workers": worker_period_report(lines), "languages": language_period_report(items),
                         "statement": statement}, tmp_path / "pay.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["workers", "languages", "statement"]
    assert [cell.value for cell in book["workers"][1]] == list(WORKER_REPORT_COLUMNS)
    header = [cell.value for cell in book["statement"][1]]
    accepted = [row[header.index("accepted_at")] for row in book["statement"].iter_rows(min_row=2, values_only=True)]
    assert datetime(2026, 11, 20, 10, 0) in accepted
    assert book["workers"]["G2"].value == 420     # mina's tax, an integer cell


@pytest.mark.parametrize(
    "name, sheets, message",
    [
        ("pay.txt", 1, r"\.csv or \.xlsx"),
        ("pay.csv", 2, "one table"),
        ("pay.xlsx", 0, "no report"),
        ("missing/pay.csv", 1, "does not exist"),
    ],
)
def test_bad_report_paths_are_refused_and_write_nothing(settled, tmp_path, name, sheets, message):
    lines, _ = settled
    frames = {f"sheet{n}": worker_period_report(lines) for n in range(sheets)}
    with pytest.raises(ValueError, match=message):
        write_report(frames, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "pay.xlsx"
    write_report({"ok": pd.DataFrame({"net": [1]})}, path)
    before = path.read_bytes()
    with pytest.raises(ValueError):   # openpyxl refuses the sheet name once writing has begun
        write_report({"ok": pd.DataFrame({"net": [2]}), "bad/name": pd.DataFrame({"net": [3]})}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["pay.xlsx"]


def test_plot_shows_minutes_and_pay_per_period(settled):
    lines, _ = settled
    figure = plot_periods(period_totals(worker_period_report(lines)))
    minutes_axis, pay_axis = figure.axes
    assert len(minutes_axis.patches) == 2
    assert [line.get_label() for line in pay_axis.lines] == ["gross (won)", "net (won)"]
    assert list(pay_axis.lines[1].get_ydata()) == [12_580, 5_810]
    png = io.BytesIO()
    figure.savefig(png, format="png")
    assert png.getvalue().startswith(b"\x89PNG")


def test_plot_adds_up_the_workers_of_a_period(settled):
    lines, _ = settled
    figure = plot_periods(worker_period_report(lines))
    assert list(figure.axes[1].lines[0].get_ydata()) == [16_500, 3_000]


def test_plot_of_no_settlements_is_empty_not_an_error():
    figure = plot_periods(period_totals(worker_period_report(settle_period(
        WORK.iloc[:0], RATES, NO_BONUS, PENALTIES.iloc[:0], pd.DataFrame(columns=list(CARRY_OVER_COLUMNS)),
        period=NOVEMBER,
    ))))
    assert figure.axes[0].get_title() == "No settlements yet"
