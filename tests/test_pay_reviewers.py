"""Reviewer pay over a real store (SQLite file and PostgreSQL): a reviewer is paid per
minute of the audio they decided in each review round they finished, at the reviewer rate
in force when the round finished, by the same engine, paydays, withholding and minimum
payout as transcribers; transcribers' figures do not move."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.test_pay_service import AFTER_NOVEMBER, DECEMBER_15, IN_NOVEMBER, NOVEMBER_30, SEOUL, PayWorld, line_of
from workbench.cli import app
from workbench.pay import service
from workbench.store import pay_store
from workbench.ui.handlers import admin as admin_handlers
from workbench.ui.handlers import earnings
from workbench.workflow.errors import InvalidInput, PermissionDenied

NOVEMBER_1 = datetime(2026, 11, 1, tzinfo=SEOUL)
RAISE_AT = datetime(2026, 11, 20, 14, 0, tzinfo=SEOUL)


@pytest.fixture
def world(database_url, tmp_path):
    world = PayWorld.open(database_url, tmp_path / "data")
    yield world
    world.wb.close()


def reviewer_rate(world, language: str, won: int, at: datetime = NOVEMBER_1) -> None:
    service.set_reviewer_rate(world.wb, world.admin, language, won, at)


def test_without_a_reviewer_rate_reviewing_is_unpaid_and_transcribers_keep_their_figures(world):
    world.complete("mina", seconds=754.567, at=IN_NOVEMBER)
    settlement = service.settle(world.wb, world.admin, NOVEMBER_30)
    assert list(settlement.lines["username"]) == ["mina"]
    assert line_of(settlement, "mina")["gross"] == 7_545
    assert settlement.reviews.empty
    assert service.review_statement(world.wb, world.people["rev_ko"], "rev_ko").empty


def test_a_reviewer_is_paid_for_the_audio_of_a_finished_round_and_the_transcriber_is_unchanged(world):
    reviewer_rate(world, "ko", 200)
    world.complete("mina", seconds=754.567, at=IN_NOVEMBER)
    settlement = service.settle(world.wb, world.admin, NOVEMBER_30, minimum_payout=0)
    # floor(200 × 754 567 / 60 000) = floor(2 515.22)
    reviewer = line_of(settlement, "rev_ko")
    assert (reviewer["items"], reviewer["gross"], reviewer["income_tax"], reviewer["local_tax"], reviewer["net"]) == (
        1, 2_515, 70, 0, 2_445)
    assert line_of(settlement, "mina")["gross"] == 7_545
    assert list(settlement.reviews[["review_round", "segments", "reviewed_ms", "rate", "amount"]].itertuples(
        index=False, name=None)) == [(1, 13, 754_567, 200, 2_515)]


def test_a_returned_task_pays_each_finished_round_for_the_segments_it_decided(world):
    reviewer_rate(world, "ko", 300)
    # Two one-minute segments: round 1 decides both and returns the first; rounds 2 and 3
    # decide only that reworked minute (2 returns it again, 3 accepts it).
    world.complete("mina", seconds=120.0, at=IN_NOVEMBER, penalty_at=IN_NOVEMBER - timedelta(hours=2))
    settlement = service.settle(world.wb, world.admin, NOVEMBER_30, minimum_payout=0)
    rounds = settlement.reviews.sort_values("review_round")
    assert list(rounds[["review_round", "segments", "amount"]].itertuples(index=False, name=None)) == [
        (1, 2, 600), (2, 1, 300), (3, 1, 300)]
    reviewer = line_of(settlement, "rev_ko")
    assert (reviewer["items"], reviewer["gross"], reviewer["penalties"], reviewer["net"]) == (3, 1_200, 0, 1_170)
    # The transcriber is still paid once for the task, less the penalty.
    mina = line_of(settlement, "mina")
    assert (mina["items"], mina["gross"], mina["penalties"]) == (1, 1_200, 1_000)


@pytest.mark.parametrize("finished_at, won_per_minute", [
    (RAISE_AT - timedelta(minutes=1), 200),
    (RAISE_AT, 400),
], ids=["13:59", "14:00"])
def test_a_round_is_paid_at_the_reviewer_rate_in_force_when_it_finished(world, finished_at, won_per_minute):
    reviewer_rate(world, "ko", 200)
    reviewer_rate(world, "ko", 400, RAISE_AT)
    world.complete("mina", seconds=600.0, at=finished_at)
    settlement = service.settle(world.wb, world.admin, NOVEMBER_30)
    assert list(settlement.reviews["rate"]) == [won_per_minute]
    assert line_of(settlement, "rev_ko")["gross"] == 10 * won_per_minute
    assert line_of(settlement, "mina")["gross"] == 6_000


def test_reviewer_pay_follows_the_minimum_payout_and_carries_over(world):
    reviewer_rate(world, "en", 500)
    world.complete("yuna", seconds=300.0, at=IN_NOVEMBER)              # 2 500 won of review: carried
    world.clock.now = AFTER_NOVEMBER
    first = line_of(service.settle(world.wb, world.admin, NOVEMBER_30, commit=True), "rev_en")
    assert (first["gross"], first["status"], first["carried_out"]) == (2_500, "carried", 2_500)
    world.complete("yuna", seconds=360.0, at=datetime(2026, 12, 3, tzinfo=SEOUL))
    world.clock.now = datetime(2026, 12, 15, 9, tzinfo=SEOUL)
    second = service.settle(world.wb, world.admin, DECEMBER_15, commit=True)
    line = line_of(second, "rev_en")
    # A 5 500 balance: income tax trunc10(165) = 160, local tax trunc10(16) = 10.
    assert (line["carried_in"], line["gross"], line["net"], line["status"]) == (2_500, 3_000, 5_330, "paid")
    assert len(second.reviews) == 1                                    # the November round is not paid again


def test_a_committed_round_is_never_paid_again_and_the_database_refuses_it_twice(world):
    reviewer_rate(world, "ko", 200)
    world.complete("mina", seconds=600.0, at=IN_NOVEMBER)
    world.clock.now = AFTER_NOVEMBER
    committed = service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    again = service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    assert list(again.reviews["review_id"]) == list(committed.reviews["review_id"])
    assert again.reviews["amount"].tolist() == [2_000]
    world.clock.now = datetime(2026, 12, 15, 9, tzinfo=SEOUL)
    assert service.settle(world.wb, world.admin, DECEMBER_15).reviews.empty
    review = committed.reviews.iloc[0].to_dict()
    with pytest.raises(sa.exc.IntegrityError):
        with world.wb.store.session() as session:
            pay_store.insert_settlement(
                session, payday=DECEMBER_15, period_start=AFTER_NOVEMBER, cutoff=AFTER_NOVEMBER,
                minimum_payout=0, committed_by_id=world.admin.id, committed_at=AFTER_NOVEMBER,
                lines=[], work=[], penalties=[], reviews=[review | {"reviewed_at": AFTER_NOVEMBER}])


def test_someone_who_transcribes_and_reviews_gets_one_line_taxed_on_the_sum(world):
    both = world.wb.create_user(world.admin, username="both", password="a-long-password", name="Both",
                                roles={"transcriber", "reviewer"}, language="en")
    world.people["both"] = world.people["rev_en"] = both             # "both" reviews yuna's work
    reviewer_rate(world, "en", 500)
    world.complete("yuna", seconds=600.0, at=IN_NOVEMBER)             # 5 000 for the review
    world.people["rev_en"] = world.wb.actor("rev_en")
    world.complete("both", seconds=120.0, at=IN_NOVEMBER)             # 3 000 for the transcript
    line = line_of(service.settle(world.wb, world.admin, NOVEMBER_30), "both")
    # One balance of 8 000: income tax 240, local tax 20.
    assert (line["items"], line["gross"], line["income_tax"], line["local_tax"], line["net"]) == (
        2, 8_000, 240, 20, 7_740)


# --- what a reviewer and a transcriber may do ------------------------------------------------


def test_a_reviewer_cannot_set_reviewer_rates(world):
    before = service.reviewer_rate_history(world.wb, world.admin)
    for who in ("rev_ko", "mina"):
        with pytest.raises(PermissionDenied):
            service.set_reviewer_rate(world.wb, world.people[who], "ko", 9_999, RAISE_AT)
    pd.testing.assert_frame_equal(service.reviewer_rate_history(world.wb, world.admin), before)


def test_a_reviewer_cannot_see_another_reviewers_statement(world):
    reviewer_rate(world, "en", 500)
    world.complete("yuna", seconds=120.0, at=IN_NOVEMBER)
    with pytest.raises(PermissionDenied):
        service.review_statement(world.wb, world.people["rev_ko"], "rev_en")
    assert len(service.review_statement(world.wb, world.people["rev_en"], "rev_en")) == 1
    assert len(service.review_statement(world.wb, world.admin, "rev_en")) == 1


def test_a_transcriber_gets_no_reviewer_pay(world):
    reviewer_rate(world, "ko", 200)
    world.complete("mina", seconds=600.0, at=IN_NOVEMBER)
    assert service.review_statement(world.wb, world.people["mina"], "mina").empty
    settlement = service.settle(world.wb, world.admin, NOVEMBER_30)
    assert set(settlement.reviews["username"]) == {"rev_ko"}
    assert line_of(settlement, "mina")["gross"] == 6_000


@pytest.mark.parametrize("change, message", [
    (dict(language="fr"), "Unknown language"),
    (dict(won_per_minute=-1), "whole number"),
    (dict(effective_at=datetime(2026, 12, 1, 14)), "time zone"),
    (dict(effective_at=NOVEMBER_1), "already takes effect"),
])
def test_bad_reviewer_rates_are_refused_and_change_nothing(world, change, message):
    reviewer_rate(world, "ko", 200)
    values = dict(language="ko", won_per_minute=300, effective_at=NOVEMBER_1) | change
    values["effective_at"] = values["effective_at"] if "effective_at" in change else RAISE_AT
    before = service.reviewer_rate_history(world.wb, world.admin)
    with pytest.raises(InvalidInput, match=message):
        service.set_reviewer_rate(world.wb, world.admin, values["language"], values["won_per_minute"],
                                  values["effective_at"])
    pd.testing.assert_frame_equal(service.reviewer_rate_history(world.wb, world.admin), before)


# --- the pages and the CLI --------------------------------------------------------------------


def test_the_admin_page_sets_a_reviewer_rate_and_the_reviewers_earnings_page_shows_the_round(world):
    history = admin_handlers.set_language_reviewer_rate(world.wb, world.admin, "ko", 200, "2026-11-01T00:00").history
    assert list(history[["language", "won_per_minute"]].itertuples(index=False, name=None)) == [("ko", 200)]
    world.complete("mina", seconds=600.0, at=IN_NOVEMBER)
    page = earnings.my_earnings(world.wb, world.people["rev_ko"])
    assert list(page.reviews[["status", "round", "minutes", "rate", "amount"]].itertuples(index=False, name=None)) == [
        ("pending", 1, 10.0, 200, 2_000)]
    assert "1 review round(s), 10.0 minutes, 2,000 won before tax; the first is due on 2026-11-30" in page.summary
    assert earnings.my_earnings(world.wb, world.people["mina"]).reviews.empty
    run = admin_handlers.run_settlement(world.wb, world.admin, "2026-11-30", commit=False)
    assert "1 item(s) and 1 review round(s)" in run.summary
    assert set(run.workers["username"]) == {"mina", "rev_ko"}


def test_the_cli_sets_and_lists_reviewer_rates_and_prints_review_rounds(database_url, tmp_path):
    data_dir = tmp_path / "data"
    world = PayWorld.open(database_url, data_dir)
    world.complete("mina", seconds=600.0, at=datetime(2025, 1, 10, 11, tzinfo=SEOUL))
    world.wb.close()
    env = {"WORKBENCH_DATA_DIR": str(data_dir), "WORKBENCH_DATABASE_URL": database_url}

    def run(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(app, ["pay", *args], env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    run("rates", "review", "ko", "250", "--from", "2025-01-01T00:00")
    assert ["ko", "250"] in [line.split()[:2] for line in run("rates", "list").split("Reviewer rates:")[1].splitlines()]
    assert "Unknown language" in run("rates", "review", "fr", "250", "--from", "2025-01-01", ok=False)
    dry = run("settle", "--payday", "2025-01-15")
    assert "1 item(s) and 1 review round(s)" in dry
    statement = run("statement", "rev_ko")
    assert "Review rounds:" in statement and "2500" in statement
    assert "no admin account" in run("rates", "review", "ko", "9999", "--from", "2025-02-01", "--as", "rev_ko",
                                     ok=False)
