"""Defect-rate rules per project (workflow/quality.py, quality_rules.py): the thresholds, the
Seoul day, two warnings, lifting, reversed work, rules that never fire twice, and the rework
deadline, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tests.builders import processed_clip
from tests.quality_support import quality_rules, resubmit_unchanged, reviewed_task  # noqa: F401 (fixture)
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from workbench.workflow.quality_rules import QualitySettings, day_bounds, judge_day, quality_settings, seoul_day

DAY = date(2026, 3, 2)  # the conftest clock's Seoul day (2026-03-02 13:59 KST)


# --- the judgement of a day, as a table --------------------------------------------------

@pytest.mark.parametrize(("checked", "defects", "window", "warnings", "outcome", "rule"), [
    (10, 0, (10, 0), 0, "none", ""),
    (10, 0, (10, 0), 1, "none", ""),
    (10, 1, (10, 1), 0, "warning", "warn_rate"),        # 10 %: a warning
    (100, 9, (100, 9), 0, "none", ""),                  # 9 %: nothing
    (10, 1, (40, 2), 1, "suspension", "warnings"),      # the second warning bars
    (10, 2, (10, 2), 0, "suspension", "suspend_rate"),  # 20 %
    (10, 1, (50, 10), 0, "suspension", "suspend_rate"),  # 10 % today, 20 % over the window
    (10, 4, (10, 4), 0, "suspension", "instant_rate"),  # 40 % in one day: at once
    (9, 9, (9, 9), 0, "too_few", ""),                   # fewer than min_checked: no rate
    (0, 0, (0, 0), 0, "too_few", ""),
    (5, 5, (50, 15), 0, "suspension", "suspend_rate"),  # a thin day still counts in the window
])
def test_a_day_is_judged_by_the_defaults_from_crowdworks(checked, defects, window, warnings, outcome, rule):
    judged = judge_day(QualitySettings(), checked=checked, defects=defects, window_checked=window[0],
                       window_defects=window[1], open_warnings=warnings)
    assert (judged.outcome, judged.rule) == (outcome, rule)
    assert bool(judged.reason) == (outcome in ("warning", "suspension"))


@pytest.mark.parametrize(("settings", "defects", "outcome"), [
    ({"warn_rate": 0.05}, 1, "warning"),
    ({"warn_rate": 0.15, "suspend_rate": 0.3, "instant_rate": 0.5}, 1, "none"),
    ({"suspend_rate": 0.3, "instant_rate": 0.5}, 2, "warning"),
    ({"suspend_rate": 0.3, "instant_rate": 0.5}, 3, "suspension"),
    ({"warnings_to_suspend": 1}, 1, "suspension"),
    ({"min_checked": 20}, 4, "too_few"),
])
def test_every_threshold_is_set_per_project(settings, defects, outcome):
    judged = judge_day(QualitySettings(**settings), checked=10, defects=defects, window_checked=10,
                       window_defects=defects, open_warnings=0)
    assert judged.outcome == outcome


@pytest.mark.parametrize("table", [
    {"warn_rate": 1.5}, {"warn_rate": "high"}, {"window_days": 0}, {"window_days": 2.5}, {"min_checked": True},
    {"rework_hours": 0}, {"warn_rate": 0.3, "suspend_rate": 0.2}, {"senior_share": -0.1}, {"colour": 1},
])
def test_a_malformed_quality_table_is_refused_with_the_project_named(quality_rules, table):
    quality_rules(acme=table)
    with pytest.raises(ValueError, match="acme"):
        quality_settings("acme")


def test_a_project_not_listed_gets_the_defaults_and_a_listed_one_its_own(quality_rules):
    quality_rules(acme={"rework_hours": 2, "min_checked": 5})
    assert quality_settings("other") == QualitySettings()
    assert quality_settings("acme").rework_deadline == timedelta(hours=2)
    assert quality_settings("acme").min_checked == 5 and quality_settings("acme").warn_rate == 0.10


@pytest.mark.parametrize(("instant", "day"), [
    (datetime(2026, 3, 1, 14, 59, 59, tzinfo=timezone.utc), date(2026, 3, 1)),  # 23:59:59 in Seoul
    (datetime(2026, 3, 1, 15, 0, tzinfo=timezone.utc), date(2026, 3, 2)),       # midnight in Seoul
    (datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc), date(2026, 3, 2)),
])
def test_a_day_is_a_day_in_asia_seoul(instant, day):
    assert seoul_day(instant) == day
    start, end = day_bounds(day)
    assert start <= instant < end and end - start == timedelta(days=1)


# --- the daily check on a real store ------------------------------------------------------

@pytest.fixture
def people(wb, wb_people, quality_rules):
    quality_rules()
    return wb_people


@pytest.mark.parametrize(("returns", "kind", "rule"), [
    (0, None, None), (1, "warning", "warn_rate"), (2, "suspension", "suspend_rate"), (3, "suspension", "suspend_rate"),
    (4, "suspension", "instant_rate"), (10, "suspension", "instant_rate"),
])
def test_a_days_defect_rate_brings_a_warning_or_a_suspension(wb, people, returns, kind, rule):
    _, returned = reviewed_task(wb, people.admin, people.tina, people.rita, returns=returns)
    wb.clock.advance(days=1)
    given = wb.run_quality_rules()
    assert [(a.username, a.project, a.kind, a.rule, a.segment_ids) for a in given] == (
        [("tina", "acme", kind, rule, tuple(sorted(returned)))] if kind else [])
    rates = wb.defect_rates(people.admin)
    assert [(r.day, r.username, r.checked, r.defects) for r in rates] == [(DAY.isoformat(), "tina", 10, returns)]


def test_a_day_is_judged_only_once_it_is_over_in_seoul(wb, people):
    reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    assert wb.run_quality_rules() == []  # today is not over
    with pytest.raises(InvalidInput):
        wb.run_quality_rules(people.admin, day=DAY)
    wb.clock.now = day_bounds(DAY)[1] - timedelta(seconds=1)  # 23:59:59 in Seoul
    assert wb.run_quality_rules() == []
    wb.clock.advance(seconds=1)
    assert [a.kind for a in wb.run_quality_rules()] == ["warning"]


def test_rules_never_fire_twice_for_the_same_day(wb, people):
    reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=1)
    assert len(wb.run_quality_rules()) == 1
    assert wb.run_quality_rules() == [] and wb.run_quality_rules(people.admin, day=DAY) == []
    assert len(wb.quality_actions(people.admin)) == 1


def test_two_warnings_bar_the_worker_and_a_segment_counts_in_one_step_only(wb, people):
    task_id, first = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=1)
    assert [a.kind for a in wb.run_quality_rules()] == ["warning"]
    # The same segment returned again the next day is not counted again; a new one is.
    wb.submit_task(people.tina, task_id)
    wb.start_review(people.rita, task_id)
    wb.return_segment(people.rita, first[0], "Still wrong.")
    wb.finish_review(people.rita, task_id)
    wb.clock.advance(days=1)
    assert wb.run_quality_rules() == []
    assert [(r.checked, r.defects) for r in wb.defect_rates(people.admin)][-1] == (1, 0)
    reviewed_task(wb, people.admin, people.tom, people.rita, returns=0)  # someone else's day changes nothing
    _, second = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=1)
    assert [(a.kind, a.rule, a.segment_ids) for a in wb.run_quality_rules()] == [
        ("suspension", "warnings", tuple(second))]


def test_a_return_a_later_review_reversed_does_not_count(wb, people):
    task_id, _ = reviewed_task(wb, people.admin, people.tina, people.rita, returns=2)
    resubmit_unchanged(wb, people.tina, people.rita, task_id)
    wb.clock.advance(days=1)
    assert wb.run_quality_rules() == []
    assert [(r.checked, r.defects) for r in wb.defect_rates(people.admin)] == [(10, 0)]


def test_a_suspension_takes_the_worker_off_the_projects_queue_until_an_admin_lifts_it(wb, people):
    task_id, _ = reviewed_task(wb, people.admin, people.tina, people.rita, returns=4)
    wb.release_task(people.admin, task_id, reason="She is away")  # she holds nothing now
    wb.clock.advance(days=1)
    (suspension,) = wb.run_quality_rules()
    barred = processed_clip(wb, people.admin, filename="barred.wav", project="acme", priority=5000)
    with pytest.raises(NotFound, match="suspended"):
        wb.claim_next(people.tina)
    other = processed_clip(wb, people.admin, filename="other.wav", project="other")
    assert wb.claim_next(people.tina).id == other  # the higher-priority acme task is skipped
    assert wb.claim_next(people.tom).id == barred  # and stays offered to everyone else
    wb.release_task(people.admin, other, reason="Frees her hands for the next claim")
    with pytest.raises(PermissionDenied):
        wb.lift_suspension(people.tina, suspension.id, reason="I promise")
    with pytest.raises(InvalidInput):
        wb.lift_suspension(people.admin, suspension.id, reason="  ")
    lifted = wb.lift_suspension(people.admin, suspension.id, reason="Reviewed the returns with her")
    assert (lifted.lifted_by, lifted.lift_reason) == ("admin", "Reviewed the returns with her")
    again = processed_clip(wb, people.admin, filename="barred-2.wav", project="acme", priority=6000)
    assert wb.claim_next(people.tina).id == again
    with pytest.raises(InvalidTransition):
        wb.lift_suspension(people.admin, suspension.id, reason="again")
    log = [(e.action, e.entity_id) for e in wb.audit_log(people.admin)]
    assert ("quality.suspension", people.tina.id) in log and ("quality.lifted", people.tina.id) in log


@pytest.mark.parametrize("junk", [0, -1, "1", None, 2**63, 1.5, 99_999])
def test_lifting_junk_is_refused_and_changes_nothing(wb, people, junk):
    before = wb.audit_log(people.admin)
    with pytest.raises((InvalidInput, NotFound)):
        wb.lift_suspension(people.admin, junk, reason="why not")
    assert wb.audit_log(people.admin) == before


def test_a_worker_sees_their_own_open_steps_only(wb, people):
    _, returned = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=1)
    wb.run_quality_rules()
    (notice,) = wb.my_quality_notices(people.tina)
    assert notice.kind == "warning" and notice.segment_ids == tuple(returned) and "10%" in notice.reason
    assert wb.my_quality_notices(people.tom) == []
    with pytest.raises(PermissionDenied):
        wb.quality_actions(people.tina)
    with pytest.raises(PermissionDenied):
        wb.defect_rates(people.tina)


# --- the rework deadline --------------------------------------------------------------------

@pytest.mark.parametrize(("hours", "settings", "released"), [
    (25.9, {}, False), (26, {}, True), (30, {}, True),
    (1.9, {"rework_hours": 2}, False), (2, {"rework_hours": 2}, True),
])
def test_rework_not_resubmitted_in_time_goes_back_to_the_queue_with_its_history(
        wb, people, quality_rules, hours, settings, released):
    quality_rules(acme=settings)
    task_id, returned = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    texts = [s.text for s in wb.open_task(people.admin, task_id).segments]
    wb.clock.advance(hours=hours)
    assert wb.expire_rework() == ([task_id] if released else [])
    assert wb.expire_rework() == []  # idempotent
    task = wb.open_task(people.admin, task_id)
    assert task.task.state == ("open" if released else "returned")
    assert [s.text for s in task.segments] == texts  # the text and history stay
    marks = [(a.kind, a.task_id, a.segment_ids) for a in wb.my_quality_notices(people.tina)]
    assert marks == ([("unfixed", task_id, tuple(returned))] if released else [])
    if released:
        assert wb.claim_next(people.tom).id == task_id


def test_three_rejections_left_unfixed_bar_the_worker(wb, people, quality_rules):
    quality_rules(acme={"rework_hours": 1})
    for _ in range(3):
        reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
        wb.clock.advance(hours=2)
        wb.expire_rework()
    kinds = sorted(a.kind for a in wb.my_quality_notices(people.tina))
    assert kinds == ["suspension", "unfixed", "unfixed", "unfixed"]
    (suspension,) = [a for a in wb.quality_actions(people.admin, open_only=True) if a.kind == "suspension"]
    assert suspension.rule == "unfixed_to_block"
    wb.lift_suspension(people.admin, suspension.id, reason="Talked it through")
    assert wb.my_quality_notices(people.tina) == []  # the marks that led to it close with it


def test_only_an_admin_or_the_system_runs_the_sweeps(wb, people):
    for call in (wb.run_quality_rules, wb.expire_rework):
        with pytest.raises(PermissionDenied):
            call(people.tina)
        call(people.admin)
        call()


def test_a_claim_asks_for_suspensions_in_one_statement_and_filters_only_when_there_are_some(wb, people):
    from tests.test_store_round_trips import counted

    processed_clip(wb, people.admin, filename="plain.wav", project="acme")
    with counted(wb.store.engine) as statements:
        wb.claim_next_id(people.tom)
    asked = [s for s in statements if "quality_actions" in s]
    assert len(asked) == 1, "\n".join(statements)
    assert not any("clips.project IN" in s for s in statements)  # no suspension: the pick is as before
    reviewed_task(wb, people.admin, people.tina, people.rita, returns=4)
    wb.clock.advance(days=1)
    wb.run_quality_rules()
    processed_clip(wb, people.admin, filename="other.wav", project="other")
    with counted(wb.store.engine) as statements:
        wb.claim_next_id(people.tina)
    assert sum("quality_actions" in s for s in statements) == 1


def test_the_clip_workers_sweep_releases_overdue_rework_and_judges_the_day(wb, people):
    from workbench.worker import jobs_of

    task_id, _ = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=2)
    jobs_of(wb).sweep()
    assert wb.open_task(people.admin, task_id).task.state == "open"
    assert sorted(a.kind for a in wb.my_quality_notices(people.tina)) == ["unfixed", "warning"]
    jobs_of(wb).sweep()
    assert len(wb.quality_actions(people.admin)) == 2
