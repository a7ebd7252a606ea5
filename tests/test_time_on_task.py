"""Time on task: active time the task pages report, bounded by the wall clock, set against
the audio minutes paid and the legal minimum hourly wage in force."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.listening import hear
from tests.test_pay_service import IN_NOVEMBER, SEOUL, PayWorld
from workbench.cli import app
from workbench.pay import service
from workbench.pay.engine import PayInputError
from workbench.pay.time_on_task import minimum_wage_at, time_on_task_report
from workbench.queue import RecordingQueue
from workbench.store import pay_store
from workbench.ui.handlers import earnings
from workbench.ui.server import create_app
from workbench.workflow.errors import InvalidInput, InvalidTransition, PermissionDenied
from workbench.workflow.policy import Policy, merge_minimum_wages, parse_minimum_wages
from workbench.workflow.service import Workbench

UTC = timezone.utc
WAGES = ((date(2025, 1, 1), 10_030), (date(2026, 1, 1), 10_320))


# --- the minimum wage in force ------------------------------------------------------------------


@pytest.mark.parametrize("instant, wage", [
    (datetime(2024, 12, 31, 23, 59, tzinfo=SEOUL), None),
    (datetime(2025, 1, 1, 0, 0, tzinfo=SEOUL), 10_030),
    (datetime(2025, 12, 31, 23, 59, tzinfo=SEOUL), 10_030),
    (datetime(2025, 12, 31, 15, 0, tzinfo=UTC), 10_320),      # 00:00 on 1 January in Seoul
    (datetime(2026, 11, 20, tzinfo=SEOUL), 10_320),
])
def test_the_minimum_wage_in_force_changes_at_midnight_in_seoul(instant, wage):
    assert minimum_wage_at(WAGES, instant) == wage


def test_the_default_minimum_wages_are_the_published_figures():
    assert dict(Policy().minimum_wages)[date(2026, 1, 1)] == 10_320
    assert dict(Policy().minimum_wages)[date(2025, 1, 1)] == 10_030


def test_a_deployment_adds_or_corrects_minimum_wages_in_its_environment():
    policy = Policy.from_env({"WORKBENCH_MINIMUM_WAGES": "2027-01-01=10600, 2026-01-01=10321"})
    assert policy.minimum_wages[-2:] == ((date(2026, 1, 1), 10_321), (date(2027, 1, 1), 10_600))
    assert merge_minimum_wages(WAGES, ()) == WAGES


@pytest.mark.parametrize("text", ["2027-01-01", "2027-01-01=ten", "2027-13-01=10600", "=10600"])
def test_a_malformed_minimum_wage_setting_is_refused(text):
    with pytest.raises(ValueError):
        parse_minimum_wages(text)


# --- the report, a pure function ----------------------------------------------------------------


def times(*rows):
    return pd.DataFrame([dict(zip(("user_id", "username", "task_id", "role", "language", "project",
                                   "active_seconds", "last_at"), row)) for row in rows])


def paid(*rows):
    return pd.DataFrame([dict(zip(("user_id", "task_id", "role", "audio_ms", "amount"), row)) for row in rows])


AT = datetime(2026, 11, 20, 10, tzinfo=SEOUL)


@pytest.mark.parametrize("active_s, audio_ms, amount, expected", [
    # 40 min on a 10-min clip paid 6 000: 4 min per audio minute, 9 000 won/h < 10 320.
    (2_400.0, 600_000, 6_000, (4.0, 9_000, 6_880, False)),
    # 20 min on the same: 2 min per audio minute, 18 000 won/h.
    (1_200.0, 600_000, 6_000, (2.0, 18_000, 3_440, True)),
    # Exactly the minimum: one hour paid 10 320.
    (3_600.0, 600_000, 10_320, (6.0, 10_320, 10_320, True)),
])
def test_minutes_per_audio_minute_and_the_effective_hourly_pay(active_s, audio_ms, amount, expected):
    report = time_on_task_report(times((1, "mina", 7, "transcriber", "ko", "drama", active_s, AT)),
                                 paid((1, 7, "transcriber", audio_ms, amount)), minimum_wages=WAGES)
    row = report.iloc[0]
    assert (row["minutes_per_audio_minute"], row["won_per_hour"], row["minimum_for_time"],
            bool(row["meets_minimum"])) == expected
    assert row["minimum_wage"] == 10_320


def test_time_on_work_not_yet_paid_waits_and_review_rounds_add_up():
    report = time_on_task_report(
        times((1, "mina", 7, "transcriber", "ko", "drama", 600.0, AT),
              (1, "mina", 8, "transcriber", "ko", "drama", 900.0, AT),          # not complete yet
              (2, "rev", 7, "reviewer", "ko", "drama", 600.0, AT)),
        paid((1, 7, "transcriber", 300_000, 3_000), (2, 7, "reviewer", 300_000, 1_000),
             (2, 7, "reviewer", 60_000, 200)),
        minimum_wages=WAGES, by=("role", "language"))
    assert list(report["role"]) == ["reviewer", "transcriber"]
    reviewer, transcriber = report.iloc[0], report.iloc[1]
    assert (reviewer["tasks"], reviewer["audio_minutes"], reviewer["earned"]) == (1, 6.0, 1_200)
    assert (transcriber["tasks"], transcriber["active_minutes"]) == (1, 10.0)


def test_a_bad_grouping_is_refused():
    with pytest.raises(PayInputError, match="group by"):
        time_on_task_report(times(), paid(), minimum_wages=WAGES, by=("password",))


# --- recording what the page reports -------------------------------------------------------------


@pytest.fixture
def world(database_url, tmp_path):
    world = PayWorld.open(database_url, tmp_path / "data")
    yield world
    world.wb.close()


def claimed(world, username="mina", seconds=600.0) -> int:
    world.wb.register_processed_clip(world.admin, filename=f"{username}-{seconds}.wav", language="ko",
                                     project="drama", duration=seconds, segments=[(0.0, seconds / 2),
                                                                                  (seconds / 2, seconds)])
    return world.wb.claim_next(world.people[username]).id


def stored(world) -> list[tuple]:
    with world.wb.store.session() as session:
        return [(row.username, row.task_id, row.role, round(row.active_seconds, 3))
                for row in pay_store.task_times(session)]


def test_active_spans_are_credited_once_however_they_overlap(world):
    task = claimed(world)
    world.clock.advance(seconds=600)
    credited = world.wb.record_activity(world.people["mina"], task,
                                        spans=[[0, 60_000], [30_000, 90_000], [200_000, 200_000]])
    assert credited == 90.0
    assert stored(world) == [("mina", task, "transcriber", 90.0)]


def test_no_more_is_credited_than_the_wall_clock_allows(world):
    task = claimed(world)
    world.clock.advance(seconds=3_600)
    # The first report: at most policy.max_activity_report (15 min) whatever it claims.
    assert world.wb.record_activity(world.people["mina"], task, spans=[[0, 3_600_000]]) == 900.0
    world.clock.advance(seconds=10)
    # Ten seconds later, ten seconds at most, however many reports claim more.
    assert world.wb.record_activity(world.people["mina"], task, spans=[[0, 600_000]]) == 10.0
    assert world.wb.record_activity(world.people["mina"], task, spans=[[0, 600_000]]) == 0.0
    assert stored(world) == [("mina", task, "transcriber", 910.0)]


def test_the_wall_clock_is_one_per_person_across_tasks(world):
    first, second = claimed(world, seconds=600.0), claimed(world, seconds=300.0)
    world.clock.advance(seconds=60)
    assert world.wb.record_activity(world.people["mina"], first, spans=[[0, 60_000]]) == 60.0
    world.clock.advance(seconds=30)
    assert world.wb.record_activity(world.people["mina"], second, spans=[[0, 60_000]]) == 30.0


@pytest.mark.parametrize("spans, message", [
    ("0-60000", "list of"),
    ([[0]], "two numbers"),
    ([["a", "b"]], "two numbers"),
    ([[math.nan, 10.0]], "not a stretch"),
    ([[0, math.inf]], "not a stretch"),
    ([[-5, 10]], "not a stretch"),
    ([[10, 5]], "not a stretch"),
    ([[0, 1]] * 201, "at most 200"),
])
def test_junk_activity_is_refused_and_records_nothing(world, spans, message):
    task = claimed(world)
    world.clock.advance(seconds=60)
    with pytest.raises(InvalidInput, match=message):
        world.wb.record_activity(world.people["mina"], task, spans=spans)
    assert stored(world) == []


def test_only_time_on_work_the_worker_holds_counts(world):
    task = claimed(world)
    world.clock.advance(seconds=60)
    for who in ("joon", "rev_ko", "yuna"):
        with pytest.raises(PermissionDenied):
            world.wb.record_activity(world.people[who], task, spans=[[0, 1_000]])
    world._transcribe(world.people["mina"], task, first=True)
    world.wb.submit_task(world.people["mina"], task)
    with pytest.raises(InvalidTransition, match="not working on"):
        world.wb.record_activity(world.people["mina"], task, spans=[[0, 1_000]])
    world.wb.start_review(world.people["rev_ko"], task)
    world.clock.advance(seconds=60)
    assert world.wb.record_activity(world.people["rev_ko"], task, spans=[[0, 30_000]]) == 30.0
    assert stored(world) == [("rev_ko", task, "reviewer", 30.0)]


# --- the report over the store -------------------------------------------------------------------


def work(world, *, transcribing_s: float, reviewing_s: float, seconds: float = 600.0) -> int:
    """mina transcribes a ko clip of ``seconds`` and rev_ko accepts it at IN_NOVEMBER, each
    reporting their active time in reports of at most ten minutes as the clock runs."""
    world.clock.now = IN_NOVEMBER - timedelta(hours=5)
    mina, reviewer = world.people["mina"], world.people["rev_ko"]
    task = claimed(world, seconds=seconds)

    def report(who, active_s):
        while active_s > 0:
            piece = min(active_s, 600.0)
            world.clock.advance(seconds=piece)
            world.wb.record_activity(who, task, spans=[[0, piece * 1000]])
            active_s -= piece

    report(mina, transcribing_s)
    world._transcribe(mina, task, first=True)
    world.wb.submit_task(mina, task)
    view = world.wb.start_review(reviewer, task)
    hear(world.wb, reviewer, view.segments, world.clock)
    report(reviewer, reviewing_s)
    world.wb.accept_all_played(reviewer, task)
    world.clock.now = IN_NOVEMBER
    world.wb.finish_review(reviewer, task)
    return task


def test_the_admin_sees_minutes_per_audio_minute_and_hourly_pay_per_role_and_language(world):
    service.set_reviewer_rate(world.wb, world.admin, "ko", 200, datetime(2026, 11, 1, tzinfo=SEOUL))
    work(world, transcribing_s=2_400, reviewing_s=900)
    report = service.time_on_task(world.wb, world.admin, by=("role", "language"))
    rows = {row["role"]: row for row in report.to_dict("records")}
    # mina: 40 min on 10 audio minutes paid 6 000 → 9 000 won/h, under 10 320.
    assert (rows["transcriber"]["minutes_per_audio_minute"], rows["transcriber"]["earned"],
            rows["transcriber"]["won_per_hour"], rows["transcriber"]["meets_minimum"]) == (4.0, 6_000, 9_000, False)
    # rev_ko: 15 min on 10 minutes reviewed paid 2 000 → 8 000 won/h.
    assert (rows["reviewer"]["minutes_per_audio_minute"], rows["reviewer"]["won_per_hour"]) == (1.5, 8_000)
    by_project = service.time_on_task(world.wb, world.admin, by=("language", "project"))
    assert list(by_project[["language", "project", "tasks"]].itertuples(index=False, name=None)) == [
        ("ko", "drama", 1)]


def test_the_cli_prints_time_on_task_per_group_and_refuses_a_bad_grouping(world, database_url):
    work(world, transcribing_s=2_400, reviewing_s=900)
    world.wb.close()
    env = {"WORKBENCH_DATA_DIR": str(world.wb.data_dir), "WORKBENCH_DATABASE_URL": database_url}
    result = CliRunner().invoke(app, ["pay", "time", "--by", "role,language"], env=env)
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    # role language tasks active audio per-audio-minute earned won/h minimum owed meets
    assert ["transcriber", "ko", "1", "40.0", "10.0", "4.0", "6000", "9000", "10320", "6880", "False"] in rows
    refused = CliRunner().invoke(app, ["pay", "time", "--by", "password"], env=env)
    assert refused.exit_code == 1 and "group by" in refused.output and "Traceback" not in refused.output


def test_a_reviewer_without_a_rate_shows_their_time_earning_nothing(world):
    work(world, transcribing_s=600, reviewing_s=600)
    report = service.time_on_task(world.wb, world.people["rev_ko"], username="rev_ko")
    assert list(report[["role", "earned", "won_per_hour", "meets_minimum"]].itertuples(index=False, name=None)) == [
        ("reviewer", 0, 0, False)]


def test_a_worker_sees_only_their_own_time_on_task(world):
    work(world, transcribing_s=600, reviewing_s=300)
    assert list(service.time_on_task(world.wb, world.people["mina"], username="mina")["username"]) == ["mina"]
    with pytest.raises(PermissionDenied):
        service.time_on_task(world.wb, world.people["mina"], username="rev_ko")
    with pytest.raises(PermissionDenied):
        service.time_on_task(world.wb, world.people["mina"])


def test_the_earnings_page_shows_the_workers_own_time_on_task(world):
    work(world, transcribing_s=1_200, reviewing_s=300)
    page = earnings.my_earnings(world.wb, world.people["mina"])
    assert list(page.time_on_task[["language", "minutes_per_audio_minute", "won_per_hour"]].itertuples(
        index=False, name=None)) == [("ko", 2.0, 18_000)]
    assert "18,000 won an hour" in page.time_summary and "10,320" in page.time_summary


# --- the route, attacked over HTTP ---------------------------------------------------------------

PASSWORD = "quiet-lantern-57"


@pytest.fixture
def served(tmp_path):
    """The real app over a SQLite file: minji holds a ko task; jisoo is another transcriber."""
    wb = Workbench.open(database_url=f"sqlite:///{tmp_path / 'workbench.db'}", data_dir=tmp_path / "data",
                        queue=RecordingQueue(), policy=Policy(password_time_cost=1, password_memory_kib=1024))
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    for username, role in (("minji", "transcriber"), ("jisoo", "transcriber"), ("hyun", "reviewer")):
        wb.create_user(admin, username=username, password=PASSWORD, name=username, roles={role}, language="ko")
    wb.register_processed_clip(admin, filename="a.wav", language="ko", project="p", duration=4.0,
                               segments=[(0.0, 2.0), (2.0, 4.0)])
    task = wb.claim_next(wb.actor("minji")).id
    yield create_app(wb, secret=b"k" * 32), wb, task
    wb.close()


def signed_in(app, username: str | None) -> TestClient:
    client = TestClient(app)
    if username is not None:
        response = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
        assert response.status_code == 303
    return client


def rows(wb) -> list:
    with wb.store.session() as session:
        return pay_store.task_times(session)


def test_the_page_reports_its_activity_and_is_credited(served):
    app, wb, task = served
    response = signed_in(app, "minji").post(f"/api/work/tasks/{task}/activity", json={"spans": [[0, 1_500]]})
    assert response.status_code == 200
    assert 0 <= response.json()["credited_s"] <= 1.5
    assert [(row.username, row.role) for row in rows(wb)] == [("minji", "transcriber")]


@pytest.mark.parametrize("username, body, status", [
    (None, {"spans": [[0, 1_000]]}, 401),                    # signed out
    ("jisoo", {"spans": [[0, 1_000]]}, 403),                 # someone else's task
    ("hyun", {"spans": [[0, 1_000]]}, 403),                  # a reviewer not holding it
    ("minji", {"spans": [[5, 1]]}, 422),                     # reversed
    ("minji", {"spans": [[-1, 1]]}, 422),                    # negative
    ("minji", {"spans": [[0, 1, 2]]}, 422),                  # not a pair
    ("minji", {"spans": "all day"}, 422),
    ("minji", {"spans": [[0, 1]] * 201}, 422),               # too many
    ("minji", {}, 422),
])
def test_activity_reports_that_are_not_the_workers_or_are_junk_are_refused(served, username, body, status):
    app, wb, task = served
    response = signed_in(app, username).post(f"/api/work/tasks/{task}/activity", json=body)
    assert response.status_code == status
    assert response.json()["detail"]
    assert rows(wb) == []


def test_nan_and_infinite_spans_are_refused(served):
    app, wb, task = served
    for junk in ("NaN", "Infinity", "1e999"):
        response = signed_in(app, "minji").post(
            f"/api/work/tasks/{task}/activity", content=f'{{"spans": [[0, {junk}]]}}',
            headers={"Content-Type": "application/json"})
        assert response.status_code == 422, junk
    assert rows(wb) == []


def test_a_huge_activity_report_is_refused_before_it_is_read(served):
    app, wb, task = served
    body = json.dumps({"spans": [[0, 1]] * 200_000})
    response = signed_in(app, "minji").post(f"/api/work/tasks/{task}/activity", content=body,
                                            headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert rows(wb) == []
