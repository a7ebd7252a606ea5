"""Pay over a real store (SQLite file and PostgreSQL): tasks completed through the workflow,
settled, committed once and never paid twice."""

from __future__ import annotations

import math
import shutil
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import SettableClock, cheap_policy
from tests.listening import hear
from workbench.pay import service
from workbench.pay.calendar import SEOUL, pay_period
from workbench.pay.plots import plot_periods
from workbench.pay.service.common import _records
from workbench.queue import ImmediateQueue
from workbench.store import pay_store
from workbench.workflow.errors import InvalidInput, NotFound, PermissionDenied
from workbench.workflow.service import Workbench

UTC = timezone.utc
NOVEMBER_13, NOVEMBER_30, DECEMBER_15 = date(2026, 11, 13), date(2026, 11, 30), date(2026, 12, 15)
IN_NOVEMBER = datetime(2026, 11, 20, 10, tzinfo=SEOUL)
AFTER_NOVEMBER = datetime(2026, 11, 30, 9, tzinfo=SEOUL)
# Cheap hashing, and an hour of listening allowance so a long segment is heard in one report
# (listening itself is tested in test_ui_listening.py).
TEST_POLICY = cheap_policy(listening_allowance=3600.0)
# Words and a pace inside each language's characters-per-second guideline.
WORDS = {"ko": ("안녕하세요", " ", 4, "."), "en": ("hello", " ", 10, "."), "zh": ("你好", "", 4, "。"),
         "ja": ("こんにちは", "", 5, "。")}
PASSWORD = "a-long-password"


@dataclass
class PayWorld:
    """A workbench with an admin, transcribers mina and joon (ko) and yuna (en), and reviewers."""

    wb: Workbench
    clock: SettableClock
    admin: object
    people: dict = field(default_factory=dict)

    @classmethod
    def open(cls, database_url: str, data_dir: Path) -> "PayWorld":
        clock = SettableClock(datetime(2026, 11, 1, tzinfo=UTC))
        wb = Workbench.open(database_url=database_url, data_dir=data_dir, clock=clock, queue=ImmediateQueue(),
                            policy=TEST_POLICY)
        admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
        world = cls(wb=wb, clock=clock, admin=admin)
        for username, role, language in (("mina", "transcriber", "ko"), ("joon", "transcriber", "ko"),
                                         ("yuna", "transcriber", "en"), ("rev_ko", "reviewer", "ko"),
                                         ("rev_en", "reviewer", "en")):
            world.people[username] = wb.create_user(admin, username=username, password=PASSWORD,
                                                    name=username.title(), roles={role}, language=language)
        return world

    def complete(self, username: str, *, seconds: float, at: datetime, project: str = "drama",
                 no_speech_seconds: float = 0.0, penalty_at: datetime | None = None) -> int:
        """A clip of ``seconds`` transcribed by ``username`` and accepted at ``at``; with
        ``penalty_at``, its segment is returned twice first (one penalty, recorded then)."""
        wb, worker = self.wb, self.people[username]
        reviewer = self.people[f"rev_{worker.language}"]
        self.clock.now = min(at, penalty_at or at) - timedelta(hours=1)
        speech = seconds - no_speech_seconds
        # Speech in equal pieces of at most a minute: a segment's text has a length limit.
        pieces = math.ceil(speech / 60)
        spans = [(speech * i / pieces, speech * (i + 1) / pieces) for i in range(pieces)]
        spans += [(speech, seconds)] if no_speech_seconds else []
        wb.register_processed_clip(self.admin, filename=f"{username}-{seconds}.wav", language=worker.language,
                                   project=project, duration=seconds, segments=spans)
        task = wb.claim_next(worker)
        self._transcribe(worker, task.id, first=True, no_speech_from=speech if no_speech_seconds else None)
        rounds = [("return", penalty_at - timedelta(minutes=1)), ("return", penalty_at)] if penalty_at else []
        for decision, when in rounds + [("accept", at)]:
            wb.submit_task(worker, task.id)
            view = wb.start_review(reviewer, task.id)
            speech = view.segments[0]
            hear(wb, reviewer, view.segments, self.clock)
            if decision == "return":
                wb.return_segment(reviewer, speech.id, "Please listen again.")
            wb.accept_all_played(reviewer, task.id)
            self.clock.now = when
            wb.finish_review(reviewer, task.id)
            if decision == "return":
                self._transcribe(worker, task.id, first=False)
        return task.id

    def _transcribe(self, worker, task_id: int, *, first: bool, no_speech_from: float | None = None) -> None:
        word, separator, pace, end = WORDS[worker.language]
        for segment in self.wb.open_task(worker, task_id).segments:
            if no_speech_from is not None and segment.start >= no_speech_from:
                self.wb.mark_no_speech(worker, segment.id, "music only", base_version=segment.version)
                continue
            if segment.status in ("accepted", "no_speech") and not first:
                continue
            count = max(1, round(segment.duration * pace / len(word))) + (0 if first else 1)
            self.wb.save_text(worker, segment.id, separator.join([word] * count) + end,
                              base_version=segment.version)


@pytest.fixture
def world(database_url, tmp_path):
    world = PayWorld.open(database_url, tmp_path / "data")
    yield world
    world.wb.close()


def line_of(settlement, username):
    rows = settlement.lines[settlement.lines["username"] == username]
    assert len(rows) == 1, settlement.lines
    return rows.iloc[0].to_dict()


def counts(world) -> tuple[int, int, int]:
    """Rows in settlements, settlement_lines and settlement_items."""
    with world.wb.store.session() as session:
        settled = [pay_store.settlement(session, day) for day in (NOVEMBER_13, NOVEMBER_30, DECEMBER_15)]
        lines = pay_store.settlement_lines(session)
        items = pay_store.settled_work(session)
        penalties = sum(len(pay_store.settled_penalties(session, payday=day)) for day in (NOVEMBER_30, DECEMBER_15))
    return sum(s is not None for s in settled), len(lines), len(items) + penalties


# --- rates ----------------------------------------------------------------------------


def test_default_rates_are_seeded(world):
    history = service.rate_history(world.wb, world.people["mina"])
    assert sorted(zip(history["language"], history["won_per_minute"])) == [
        ("en", 1500), ("ja", 1500), ("ko", 600), ("zh", 1500)]
    assert set(history["effective_at"]) == {datetime(1970, 1, 1, tzinfo=UTC)}


RAISE_AT = datetime(2026, 11, 20, 14, 0, tzinfo=SEOUL)


@pytest.mark.parametrize("accepted_at, won_per_minute", [
    (RAISE_AT - timedelta(minutes=1), 600),
    (RAISE_AT, 900),
], ids=["13:59", "14:00"])
def test_a_task_is_paid_at_the_rate_in_force_when_its_review_completed(world, accepted_at, won_per_minute):
    service.set_rate(world.wb, world.admin, "ko", 900, RAISE_AT)
    world.complete("mina", seconds=600.0, at=accepted_at)
    settlement = service.settle(world.wb, world.admin, NOVEMBER_30)
    assert list(settlement.items["rate"]) == [won_per_minute]
    assert line_of(settlement, "mina")["gross"] == 10 * won_per_minute


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(language="fr"), "Unknown language"),
        (dict(won_per_minute=-1), "whole number"),
        (dict(won_per_minute=12.5), "whole number"),
        (dict(effective_at=datetime(2026, 12, 1, 14)), "time zone"),
        (dict(effective_at=datetime(1970, 1, 1, tzinfo=UTC)), "already takes effect"),
    ],
)
def test_bad_rates_are_refused_and_change_nothing(world, change, message):
    values = dict(language="ko", won_per_minute=900, effective_at=RAISE_AT) | change
    before = service.rate_history(world.wb, world.admin)
    with pytest.raises(InvalidInput, match=message):
        service.set_rate(world.wb, world.admin, values["language"], values["won_per_minute"], values["effective_at"])
    pd.testing.assert_frame_equal(service.rate_history(world.wb, world.admin), before)


def test_a_rate_cannot_reach_back_into_a_settled_period(world):
    world.complete("mina", seconds=60.0, at=datetime(2026, 11, 5, tzinfo=SEOUL))
    world.clock.now = AFTER_NOVEMBER
    service.settle(world.wb, world.admin, NOVEMBER_13, commit=True)
    with pytest.raises(InvalidInput, match="already settled"):
        service.set_rate(world.wb, world.admin, "ko", 900, datetime(2026, 11, 12, tzinfo=SEOUL))
    service.set_rate(world.wb, world.admin, "ko", 900, datetime(2026, 11, 13, tzinfo=SEOUL))


def test_project_bonus_on_speech_minutes(world):
    service.set_project_rate(world.wb, world.admin, "drama", 200, datetime(2026, 11, 1, tzinfo=SEOUL), basis="speech")
    world.complete("mina", seconds=600.0, no_speech_seconds=120.0, at=IN_NOVEMBER)
    world.complete("joon", seconds=600.0, at=IN_NOVEMBER, project="news")
    settlement = service.settle(world.wb, world.admin, NOVEMBER_30)
    # 10 source minutes × 600 + 8 speech minutes × 200; the other project has no bonus.
    assert line_of(settlement, "mina")["gross"] == 6_000 + 1_600
    assert line_of(settlement, "joon")["gross"] == 6_000
    bonuses = service.project_rate_history(world.wb, world.admin)
    assert list(bonuses[["project", "won_per_minute", "basis"]].itertuples(index=False, name=None)) == [
        ("drama", 200, "speech")]


# --- settling ---------------------------------------------------------------------------


def test_dry_run_then_commit_then_nothing_new(world):
    world.complete("mina", seconds=600.0, at=IN_NOVEMBER)
    world.complete("yuna", seconds=90.5, at=IN_NOVEMBER)
    world.clock.now = AFTER_NOVEMBER

    dry = service.settle(world.wb, world.admin, NOVEMBER_30)
    assert (dry.committed, dry.created) == (False, False)
    assert counts(world) == (0, 0, 0)
    mina, yuna = line_of(dry, "mina"), line_of(dry, "yuna")
    assert (mina["gross"], mina["income_tax"], mina["local_tax"], mina["net"]) == (6_000, 180, 10, 5_810)
    assert (yuna["gross"], yuna["status"], yuna["carried_out"]) == (2_262, "carried", 2_262)   # 90.5 s × 1 500 / 60

    committed = service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    assert (committed.committed, committed.created) == (True, True)
    assert counts(world) == (1, 2, 2)
    pd.testing.assert_frame_equal(committed.lines, dry.lines)

    again = service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    assert (again.committed, again.created, again.committed_by) == (True, False, "admin")
    assert counts(world) == (1, 2, 2)
    assert list(again.lines["net"]) == list(committed.lines["net"])
    assert sorted(again.items["task_id"]) == sorted(committed.items["task_id"])


def test_carry_over_is_paid_once_the_minimum_is_reached(world):
    world.complete("yuna", seconds=120.0, at=IN_NOVEMBER)                           # 3 000: carried
    world.clock.now = AFTER_NOVEMBER
    first = service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    assert line_of(first, "yuna")["status"] == "carried"
    world.complete("yuna", seconds=120.0, at=datetime(2026, 12, 3, tzinfo=SEOUL))   # 3 000 more
    world.clock.now = datetime(2026, 12, 15, 9, tzinfo=SEOUL)
    second = line_of(service.settle(world.wb, world.admin, DECEMBER_15, commit=True), "yuna")
    assert (second["carried_in"], second["gross"], second["net"], second["carried_out"]) == (3_000, 3_000, 5_810, 0)


def test_penalties_larger_than_gross_carry_a_negative_balance(world):
    world.complete("mina", seconds=60.0, at=IN_NOVEMBER, penalty_at=IN_NOVEMBER - timedelta(hours=2))
    world.clock.now = AFTER_NOVEMBER
    mina = line_of(service.settle(world.wb, world.admin, NOVEMBER_30, commit=True), "mina")
    assert (mina["gross"], mina["penalties"], mina["net"], mina["carried_out"]) == (600, 1_000, 0, -400)
    world.complete("mina", seconds=1200.0, at=datetime(2026, 12, 3, tzinfo=SEOUL))
    world.clock.now = datetime(2026, 12, 15, 9, tzinfo=SEOUL)
    december = line_of(service.settle(world.wb, world.admin, DECEMBER_15, commit=True), "mina")
    # 12 000 − 400 carried = 11 600: tax 348 → 340 and 34 → 30.
    assert (december["penalties"], december["balance"], december["net"]) == (0, 11_600, 11_230)


def test_a_task_accepted_exactly_at_the_cutoff_waits_for_the_next_payday(world):
    at_cutoff = pay_period(NOVEMBER_30).cutoff
    world.complete("mina", seconds=600.0, at=at_cutoff)
    world.complete("joon", seconds=600.0, at=at_cutoff - timedelta(seconds=1))
    world.clock.now = AFTER_NOVEMBER
    november = service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    assert list(november.lines["username"]) == ["joon"]
    world.clock.now = datetime(2026, 12, 15, 9, tzinfo=SEOUL)
    december = service.settle(world.wb, world.admin, DECEMBER_15, commit=True)
    assert list(december.lines["username"]) == ["mina"]


@pytest.mark.parametrize(
    "payday, now, message",
    [
        (date(2026, 11, 29), AFTER_NOVEMBER, "not a payday"),
        (NOVEMBER_30, datetime(2026, 11, 29, 23, 59, tzinfo=SEOUL), "still open"),
    ],
)
def test_commits_that_cannot_be_right_are_refused(world, payday, now, message):
    world.complete("mina", seconds=600.0, at=IN_NOVEMBER)
    world.clock.now = now
    with pytest.raises(InvalidInput, match=message):
        service.settle(world.wb, world.admin, payday, commit=True)
    assert counts(world) == (0, 0, 0)


def test_an_earlier_payday_cannot_be_committed_after_a_later_one(world):
    world.complete("mina", seconds=600.0, at=datetime(2026, 11, 5, tzinfo=SEOUL))
    world.clock.now = AFTER_NOVEMBER
    service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    with pytest.raises(InvalidInput, match="already committed"):
        service.settle(world.wb, world.admin, NOVEMBER_13, commit=True)
    assert counts(world) == (1, 1, 1)


def test_only_an_admin_settles_and_reads_reports(world):
    mina = world.people["mina"]
    for call in (lambda: service.settle(world.wb, mina, NOVEMBER_30),
                 lambda: service.period_report(world.wb, mina),
                 lambda: service.language_report(world.wb, mina),
                 lambda: service.set_rate(world.wb, mina, "ko", 10_000, RAISE_AT)):
        with pytest.raises(PermissionDenied):
            call()


# --- statements and reports -----------------------------------------------------------------


def test_statement_lists_settled_and_pending_items(world):
    settled_task = world.complete("mina", seconds=600.0, at=IN_NOVEMBER, penalty_at=IN_NOVEMBER - timedelta(hours=1))
    world.clock.now = AFTER_NOVEMBER
    service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    pending_task = world.complete("mina", seconds=90.0, at=datetime(2026, 12, 2, 15, 30, tzinfo=SEOUL))
    statement = service.statement(world.wb, world.people["mina"], "mina")
    assert list(statement["task_id"]) == [pending_task, settled_task]
    assert list(statement["status"]) == ["pending", "settled"]
    assert list(statement["payday"]) == [DECEMBER_15, NOVEMBER_30]
    assert list(statement["minutes"]) == [1.5, 10.0]
    assert list(statement["rate"]) == [600, 600]
    assert list(statement["amount"]) == [900, 6_000]
    assert list(statement["penalties"]) == [0, 1_000]
    assert statement.loc[0, "accepted_at"] == pd.Timestamp(datetime(2026, 12, 2, 15, 30, tzinfo=SEOUL))
    lines = service.statement_lines(world.wb, world.people["mina"], "mina")
    # 5 000 after the penalty would be 4 840 after tax, under the minimum: carried.
    assert list(lines[["payday", "gross", "penalties", "tax", "net", "carried_out", "status"]].itertuples(
        index=False, name=None)) == [(NOVEMBER_30, 6_000, 1_000, 0, 0, 5_000, "carried")]


def test_a_worker_sees_only_their_own_statement(world, tmp_path):
    world.complete("joon", seconds=60.0, at=IN_NOVEMBER)
    with pytest.raises(PermissionDenied):
        service.statement(world.wb, world.people["mina"], "joon")
    with pytest.raises(PermissionDenied):
        service.export_statement(world.wb, world.people["mina"], "joon", tmp_path / "joon.csv")
    assert not (tmp_path / "joon.csv").exists()
    written = service.export_statement(world.wb, world.people["joon"], "joon", tmp_path / "joon.xlsx")
    assert openpyxl.load_workbook(written).sheetnames == ["settlements", "items"]
    assert len(service.statement(world.wb, world.admin, "joon")) == 1
    assert service.statement(world.wb, world.people["mina"], "mina").empty
    with pytest.raises(NotFound):
        service.statement(world.wb, world.admin, "nobody")


def test_reports_and_their_files(world, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    world.complete("mina", seconds=600.0, at=IN_NOVEMBER)
    world.complete("yuna", seconds=240.0, at=IN_NOVEMBER)
    world.clock.now = AFTER_NOVEMBER
    service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    report = service.period_report(world.wb, world.admin)
    assert list(report[["username", "minutes", "gross", "net", "status"]].itertuples(index=False, name=None)) == [
        ("mina", 10.0, 6_000, 5_810, "paid"), ("yuna", 4.0, 6_000, 5_810, "paid")]
    languages = service.language_report(world.wb, world.admin)
    assert list(languages[["language", "minutes", "gross"]].itertuples(index=False, name=None)) == [
        ("en", 4.0, 6_000), ("ko", 10.0, 6_000)]
    assert len(plot_periods(report).axes[0].patches) == 1

    book = openpyxl.load_workbook(service.export_report(world.wb, world.admin, out / "pay.xlsx"))
    assert book.sheetnames == ["workers", "languages", "totals"]
    csv = pd.read_csv(service.export_report(world.wb, world.admin, out / "pay.csv", table="languages"))
    assert list(csv["gross"]) == [6_000, 6_000]
    with pytest.raises(InvalidInput, match="Unknown report"):
        service.export_report(world.wb, world.admin, out / "x.csv", table="nope")
    with pytest.raises(PermissionDenied):
        service.export_report(world.wb, world.people["mina"], out / "y.csv")
    assert sorted(p.name for p in out.iterdir()) == ["pay.csv", "pay.xlsx"]


# --- never paid twice -------------------------------------------------------------------


def test_the_database_refuses_a_task_in_two_settlements(world):
    world.complete("mina", seconds=60.0, at=IN_NOVEMBER)
    world.clock.now = AFTER_NOVEMBER
    november = service.settle(world.wb, world.admin, NOVEMBER_30, commit=True)
    from sqlalchemy.exc import IntegrityError

    period = pay_period(DECEMBER_15)
    with pytest.raises(IntegrityError), world.wb.store.session() as session:
        pay_store.insert_settlement(
            session, payday=DECEMBER_15, period_start=period.start, cutoff=period.cutoff, minimum_payout=0,
            committed_by_id=world.admin.id, committed_at=AFTER_NOVEMBER, lines=[],
            work=_records(november.items), penalties=[],
        )
    assert counts(world) == (1, 1, 1)


@pytest.mark.postgres
def test_two_concurrent_commits_of_one_payday_record_it_once(postgres_url, tmp_path):
    world = PayWorld.open(postgres_url, tmp_path / "data")
    for username, seconds in (("mina", 600.0), ("joon", 300.0), ("yuna", 240.0)):
        world.complete(username, seconds=seconds, at=IN_NOVEMBER)
    world.clock.now = AFTER_NOVEMBER
    workbenches = [Workbench.open(database_url=postgres_url, data_dir=tmp_path / "data", clock=world.clock,
                                  queue=ImmediateQueue(), policy=TEST_POLICY) for _ in range(2)]
    start = threading.Barrier(len(workbenches))
    results, errors = [], []

    def commit(wb):
        start.wait()
        try:
            results.append(service.settle(wb, world.admin, NOVEMBER_30, commit=True))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=commit, args=(wb,)) for wb in workbenches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(result.created for result in results) == [False, True]
    assert [list(result.lines["net"]) for result in results][0] == [list(result.lines["net"]) for result in results][1]
    assert counts(world) == (1, 3, 3)
    for wb in workbenches:
        wb.close()
    world.wb.close()


@pytest.fixture(scope="module")
def template_store(tmp_path_factory):
    """A SQLite store with work accepted over three periods, built once and copied per example."""
    root = tmp_path_factory.mktemp("pay-template")
    world = PayWorld.open(f"sqlite:///{root / 'workbench.db'}", root / "data")
    for username, seconds, day in (("mina", 600.0, 3), ("yuna", 120.0, 5), ("joon", 45.5, 12),
                                   ("mina", 30.0, 20), ("yuna", 200.0, 27), ("joon", 900.0, 29),
                                   ("mina", 61.0, 30), ("yuna", 80.0, 35)):
        world.complete(username, seconds=seconds, at=datetime(2026, 11, 1, 12, tzinfo=SEOUL) + timedelta(days=day))
    world.wb.close()
    return root


PAYDAYS = [NOVEMBER_13, NOVEMBER_30, DECEMBER_15]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(PAYDAYS), st.booleans()), min_size=1, max_size=5))
def test_no_task_is_ever_in_two_committed_settlements(template_store, tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("pay-example")
    shutil.copy(template_store / "workbench.db", root / "workbench.db")
    clock = SettableClock(datetime(2027, 1, 1, tzinfo=UTC))
    wb = Workbench.open(database_url=f"sqlite:///{root / 'workbench.db'}", data_dir=root / "data", clock=clock,
                        queue=ImmediateQueue(), policy=TEST_POLICY)
    admin = wb.actor("admin")
    try:
        committed: dict[date, set[int]] = {}
        for payday, commit in steps:
            try:
                settlement = service.settle(wb, admin, payday, commit=commit)
            except InvalidInput:
                assert commit and committed and max(committed) > payday
                continue
            paid = set(settlement.items["task_id"])
            if settlement.created:
                assert payday not in committed
                assert not paid & set().union(*committed.values())
                committed[payday] = paid
            elif payday in committed:
                assert settlement.committed and paid == committed[payday]    # nothing new
            lines = settlement.lines
            tax = lines["income_tax"] + lines["local_tax"]
            assert (lines["gross"] == lines["net"] + tax + lines["penalties"]
                    + lines["carried_out"] - lines["carried_in"]).all()
        with wb.store.session() as session:
            items = pay_store.settled_work(session)
        task_ids = [row.SettlementItem.task_id for row in items]
        assert len(task_ids) == len(set(task_ids))
    finally:
        wb.close()
