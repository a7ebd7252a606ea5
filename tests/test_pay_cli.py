"""`workbench pay ...`: dry run by default, --commit once, statements, rates and report files."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from test_pay_service import SEOUL, PayWorld
from workbench.cli import app

# Paydays long past, so the real clock the CLI runs on has closed their periods.
PAYDAY = "2025-01-15"
IN_PERIOD = datetime(2025, 1, 10, 11, tzinfo=SEOUL)


@pytest.fixture
def cli(database_url, tmp_path):
    """Run ``workbench`` against a store holding mina's 10 ko minutes and yuna's 2 en minutes."""
    data_dir = tmp_path / "data"
    world = PayWorld.open(database_url, data_dir)
    world.complete("mina", seconds=600.0, at=IN_PERIOD)
    world.complete("yuna", seconds=120.0, at=IN_PERIOD)
    world.wb.close()
    runner = CliRunner()
    env = {"WORKBENCH_DATA_DIR": str(data_dir), "WORKBENCH_DATABASE_URL": database_url}

    def run(*args: str, ok: bool = True) -> str:
        result = runner.invoke(app, ["pay", *args], env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return run


def test_settle_is_a_dry_run_until_committed_and_then_never_again(cli):
    dry = cli("settle", "--payday", PAYDAY)
    assert "Dry run for payday 2025-01-15: nothing recorded" in dry
    assert "Work accepted 2024-12-31 00:00 – 2025-01-15 00:00 (Asia/Seoul)" in dry
    assert "2 item(s); 1 of 2 worker(s) paid, 5,810 won net." in dry
    rows = {line.split()[0]: line.split() for line in dry.splitlines() if line.split()[:1] in (["mina"], ["yuna"])}
    # username items minutes gross penalties tax net carried_in carried_out status
    assert rows["mina"] == ["mina", "1", "10.0", "6000", "0", "190", "5810", "0", "0", "paid"]
    assert rows["yuna"] == ["yuna", "1", "2.0", "3000", "0", "0", "0", "0", "3000", "carried"]
    assert "Dry run" in cli("settle", "--payday", PAYDAY)           # still nothing recorded

    committed = cli("settle", "--payday", PAYDAY, "--commit")
    assert "Committed the settlement for payday 2025-01-15." in committed
    again = cli("settle", "--payday", PAYDAY, "--commit")
    assert "was already committed" in again and "nothing new was recorded" in again
    assert "5,810 won net" in again


@pytest.mark.parametrize(
    "args, message",
    [
        (("settle", "--payday", "2025-01-14"), "not a payday"),
        (("settle", "--payday", "15/01/2025"), "not a date"),
        (("settle", "--payday", PAYDAY, "--minimum-payout", "-5"), "minimum payout"),
        (("rates", "set", "fr", "900", "--from", "2025-02-01T14:00"), "Unknown language"),
        (("rates", "set", "ko", "900", "--from", "soon"), "not a date-time"),
        (("rates", "bonus", "drama", "100", "--basis", "words", "--from", "2025-02-01"), "basis"),
        (("report", "pay.txt"), ".csv or .xlsx"),
        (("statement", "nobody"), "No user"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_1(cli, args, message):
    output = cli(*args, ok=False)
    assert message in output
    assert "Traceback" not in output


def test_statement_prints_settlements_and_items(cli, tmp_path):
    cli("settle", "--payday", PAYDAY, "--commit")
    output = cli("statement", "mina", "--out", str(tmp_path / "mina.csv"))
    assert list(pd.read_csv(tmp_path / "mina.csv")["amount"]) == [6000]
    assert "Settlements of mina:" in output and "paid" in output
    item = next(line for line in output.splitlines() if "mina-600.0.wav" in line)
    assert "settled" in item and " 600 " in item and "6000" in item
    assert "2025-01-10 11:00:00+09:00" in item


def test_rates_set_and_list(cli):
    set_output = cli("rates", "set", "ko", "900", "--from", "2025-02-01T14:00")
    assert "2025-02-01 05:00:00+00:00" in set_output
    cli("rates", "bonus", "drama", "100", "--basis", "speech", "--from", "2025-02-01")
    listed = cli("rates", "list")
    rows = [line.split() for line in listed.splitlines()]
    assert ["ko", "900"] in [row[:2] for row in rows]
    assert ["drama", "100", "speech"] in [row[:3] for row in rows]


def test_report_writes_excel(cli, tmp_path):
    cli("settle", "--payday", PAYDAY, "--commit")
    out = tmp_path / "pay.xlsx"
    assert f"wrote {out}" in cli("report", str(out))
    assert openpyxl.load_workbook(out).sheetnames == ["workers", "languages", "totals"]
