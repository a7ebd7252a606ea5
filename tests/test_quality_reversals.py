"""A return a later review round reverses after its day was judged (workflow/quality_reversals.py):
the day is judged again without it, a step that would not have fired is closed (audited
``quality.reversed``), a suspension that would only have been a warning becomes one, a step
that still stands stays, and nothing fires twice. Pure tables first, then the sweep on SQLite
and PostgreSQL. A suspension a reversal closes (or turns into a warning) no longer mutes the
days judged while it was open: they are judged again as if it had never been given."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace as V

import pytest

from tests.listening import hear
from tests.quality_support import (  # noqa: F401 (fixture)
    quality_rules,
    resubmit_unchanged,
    review,
    reviewed_task,
    submitted_task,
)
from workbench.workflow.quality_rules import QualitySettings, muted_by_reversed, rejudge_step, reversed_returns

T0 = datetime(2026, 3, 1, 15, tzinfo=timezone.utc)  # 2026-03-02 00:00 in Seoul
DAY = (T0, T0 + timedelta(days=1))


def verdict(segment, round_, decision, version, hours=1):
    return V(segment_id=segment, review_round=round_, decision=decision, segment_version=version,
             created_at=T0 + timedelta(hours=hours))


@pytest.mark.parametrize(("verdicts", "reversed_"), [
    ([verdict(1, 1, "returned", 3), verdict(1, 2, "accepted", 3, hours=30)], {1}),  # accepted unchanged later
    ([verdict(1, 1, "returned", 3), verdict(1, 2, "accepted", 4, hours=30)], set()),  # reworked, then accepted
    ([verdict(1, 1, "returned", 3), verdict(1, 1, "accepted", 3, hours=2)], set()),  # changed within the round
    ([verdict(1, 1, "returned", 3, hours=-5), verdict(1, 2, "accepted", 3, hours=30)], set()),  # another day's return
    ([verdict(1, 1, "returned", 3), verdict(1, 2, "returned", 3, hours=30)], set()),  # returned again
    ([verdict(1, 1, "returned", 3), verdict(1, 2, "returned", 3, hours=30), verdict(1, 3, "accepted", 3, hours=60)],
     {1}),
    ([verdict(1, 1, "returned", 3), verdict(2, 1, "returned", 1), verdict(2, 2, "accepted", 1, hours=30)], {2}),
])
def test_a_return_is_reversed_when_a_later_round_accepts_the_same_version(verdicts, reversed_):
    assert reversed_returns(verdicts, *DAY) == reversed_


@pytest.mark.parametrize(("kind", "figures", "earlier", "fate"), [
    # (checked, defects, window checked, window defects) as they stand with the reversed returns taken out
    ("warning", (9, 0, 9, 0), 0, "closes"),  # the day's one return reversed (too few left, too)
    ("warning", (19, 1, 19, 1), 0, "closes"),  # 2 of 20 returned, one reversed: 5 % is nothing
    ("warning", (19, 2, 19, 2), 0, "stands"),  # 3 of 20 returned, one reversed: still over 10 %
    ("suspension", (19, 8, 19, 8), 0, "stands"),  # 9 of 20 (instant), one reversed: 42 % still bars at once
    ("suspension", (19, 3, 19, 3), 0, "warning"),  # 4 of 20 (suspend_rate), one reversed: 16 % is a warning
    ("suspension", (19, 3, 19, 3), 1, "stands"),  # ... but with a warning still standing, two warnings bar
    ("suspension", (10, 1, 30, 2), 0, "warning"),  # a warnings-rule suspension whose earlier warning was reversed
    ("suspension", (19, 0, 19, 0), 0, "closes"),
    ("suspension", (4, 1, 4, 1), 0, "closes"),  # too few checked left to judge
])
def test_a_step_judged_again_stands_closes_or_becomes_a_warning(kind, figures, earlier, fate):
    checked, defects, window_checked, window_defects = figures
    assert rejudge_step(QualitySettings(), kind, checked=checked, defects=defects, window_checked=window_checked,
                        window_defects=window_defects, earlier_warnings=earlier).fate == fate


def suspension(id_, created, lifted=None, by=None, day="2026-03-01"):
    return V(id=id_, day=day, created_at=T0 + timedelta(hours=created),
             lifted_at=None if lifted is None else T0 + timedelta(hours=lifted), lifted_by_id=by)


@pytest.mark.parametrize(("suspensions", "muted"), [
    # 2026-03-02 judged at T0 + 10 h; suspension 1 was closed by a reversal just now (at 50 h)
    ([suspension(1, 0, 50)], True),
    ([suspension(1, 10, 50)], True),  # given in the run that judged the day, before it
    ([suspension(1, 10, 50, day="2026-03-02")], False),  # given for the day itself: the day gave it
    ([suspension(1, 11, 50)], False),  # given after the day was judged: it muted nothing
    ([suspension(1, 0, 50), suspension(2, 0)], False),  # another one, still open, muted it too
    ([suspension(1, 0, 50), suspension(2, 0, 20, by=7)], False),  # ... or one an admin lifted afterwards
    ([suspension(1, 0, 50), suspension(2, 0, 5, by=7)], True),  # one an admin lifted before the day: not
    ([suspension(1, 0, 50), suspension(2, 0, 40)], True),  # one an earlier reversal closed: never was
    ([suspension(2, 0, 40)], False),  # only an earlier reversal's: that one judged the day again then
    ([suspension(1, 0, 50, by=7)], False),  # lifted by an admin (not a reversal): left as it is
])
def test_a_day_is_judged_again_when_only_suspensions_a_reversal_closed_muted_it(suspensions, muted):
    assert muted_by_reversed("2026-03-02", T0 + timedelta(hours=10), suspensions, {1}) is muted


# --- the sweep --------------------------------------------------------------------------

@pytest.fixture
def people(wb, wb_people, quality_rules):
    quality_rules(acme={"min_checked": 5})  # a ten-segment day less a reversed return is still judged
    return wb_people


def rereview(wb, transcriber, reviewer, task_id, *, accept):
    """The transcriber resubmits as it stands; the reviewer accepts the returned segments
    ``accept`` (unchanged: reversed) and returns the others again."""
    wb.submit_task(transcriber, task_id)
    view = wb.start_review(reviewer, task_id)
    waiting = [s for s in view.segments if s.status != "accepted"]
    hear(wb, reviewer, waiting, wb.clock)
    for segment in waiting:
        if segment.id in accept:
            wb.accept_segment(reviewer, segment.id)
        else:
            wb.return_segment(reviewer, segment.id, "Still wrong.")
    wb.finish_review(reviewer, task_id)


def reversed_entries(wb, admin):
    return [e for e in wb.audit_log(admin) if e.action == "quality.reversed"]


def open_steps(wb, admin):
    return [(a.kind, a.rule) for a in wb.quality_actions(admin, open_only=True)]


def test_a_return_reversed_before_its_day_is_judged_never_counts(wb, people):
    task_id, _ = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    resubmit_unchanged(wb, people.tina, people.rita, task_id)
    wb.clock.advance(days=1)
    assert wb.run_quality_rules() == [] and reversed_entries(wb, people.admin) == []


def test_a_warning_whose_return_is_reversed_after_the_day_was_judged_is_closed_once(wb, people):
    task_id, returned = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=1)
    (warning,) = wb.run_quality_rules()
    resubmit_unchanged(wb, people.tina, people.rita, task_id)
    assert wb.run_quality_rules() == []
    assert open_steps(wb, people.admin) == [] and wb.my_quality_notices(people.tina) == []
    (closed,) = wb.quality_actions(people.admin)
    assert (closed.id, closed.lifted_by) == (warning.id, None) and str(returned[0]) in closed.lift_reason
    (entry,) = reversed_entries(wb, people.admin)
    assert entry.entity_id == people.tina.id and f'"segments": [{returned[0]}]' in entry.detail
    assert [(r.checked, r.defects, r.outcome) for r in wb.defect_rates(people.admin)] == [(9, 0, "none")]
    wb.run_quality_rules()  # idempotent: nothing is judged or closed twice
    assert len(reversed_entries(wb, people.admin)) == 1
    assert len([e for e in wb.audit_log(people.admin) if e.action == "quality.rejudged"]) == 1


def test_a_suspension_that_would_only_have_been_a_warning_becomes_one_and_frees_the_queue(wb, people, wb_clip):
    task_id, returned = reviewed_task(wb, people.admin, people.tina, people.rita, returns=2)
    wb.clock.advance(days=1)
    (suspension,) = wb.run_quality_rules()
    assert suspension.rule == "suspend_rate"
    rereview(wb, people.tina, people.rita, task_id, accept={returned[0]})  # one return of two was wrong
    (warning,) = wb.run_quality_rules()
    assert (warning.kind, warning.rule, warning.segment_ids) == ("warning", "warn_rate", (returned[1],))
    assert open_steps(wb, people.admin) == [("warning", "warn_rate")]
    acme = wb_clip(priority=9000)
    assert wb.claim_next(people.tina).id == acme  # off the suspension at once


def test_a_step_that_still_stands_stays(wb, people):
    task_id, returned = reviewed_task(wb, people.admin, people.tina, people.rita, returns=5)
    wb.clock.advance(days=1)
    (suspension,) = wb.run_quality_rules()
    assert suspension.rule == "instant_rate"
    rereview(wb, people.tina, people.rita, task_id, accept={returned[0]})
    assert wb.run_quality_rules() == []
    assert open_steps(wb, people.admin) == [("suspension", "instant_rate")]  # 4 of 9 still bars at once
    assert reversed_entries(wb, people.admin) == []
    assert [(r.checked, r.defects) for r in wb.defect_rates(people.admin)] == [(9, 4)]


def test_a_warnings_suspension_that_loses_its_earlier_warning_becomes_a_warning(wb, people):
    first_task, _ = reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=1)
    assert [a.kind for a in wb.run_quality_rules()] == ["warning"]
    reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    wb.clock.advance(days=1)
    assert [(a.kind, a.rule) for a in wb.run_quality_rules()] == [("suspension", "warnings")]
    resubmit_unchanged(wb, people.tina, people.rita, first_task)  # the first day's return was wrong
    assert [(a.kind, a.rule) for a in wb.run_quality_rules()] == [("warning", "warn_rate")]
    assert open_steps(wb, people.admin) == [("warning", "warn_rate")]
    assert [e.entity_id for e in reversed_entries(wb, people.admin)] == [people.tina.id] * 2


def test_a_suspension_an_admin_lifted_is_left_as_the_admin_left_it(wb, people):
    task_id, _ = reviewed_task(wb, people.admin, people.tina, people.rita, returns=4)
    wb.clock.advance(days=1)
    (suspension,) = wb.run_quality_rules()
    wb.lift_suspension(people.admin, suspension.id, reason="Talked it through")
    resubmit_unchanged(wb, people.tina, people.rita, task_id)
    assert wb.run_quality_rules() == []
    (step,) = wb.quality_actions(people.admin)
    assert (step.lifted_by, step.lift_reason) == ("admin", "Talked it through")
    assert reversed_entries(wb, people.admin) == []
    assert [(r.checked, r.defects) for r in wb.defect_rates(people.admin)] == [(6, 0)]


# --- days a reversed suspension muted ---------------------------------------------------

def muted_day(wb, people, *, returns: int, later_returns=(1,)):
    """Day 0: task A reviewed with ``returns`` returns brings a suspension; tasks submitted the
    same day are reviewed on the days after (``later_returns`` returns each, one day each)
    and judged ``none`` while it is open. (suspension, A, A's returns, [the later days' returns])."""
    first = submitted_task(wb, people.admin, people.tina)
    later = [submitted_task(wb, people.admin, people.tina) for _ in later_returns]
    returned = review(wb, people.rita, first, returns=returns)
    wb.clock.advance(days=1)
    (step,) = wb.run_quality_rules()
    assert step.kind == "suspension"
    muted = []
    for task_id, count in zip(later, later_returns, strict=True):
        muted.append(review(wb, people.rita, task_id, returns=count))
        wb.clock.advance(days=1)
        assert wb.run_quality_rules() == []
    assert [r.outcome for r in wb.defect_rates(people.admin)][1:] == ["none"] * len(later)
    return step, first, returned, muted


def rejudged_days(wb, admin):
    """The days judged again for a closed suspension, in the order they were (the log is newest first)."""
    return [json.loads(e.detail)["day"] for e in reversed(wb.audit_log(admin))
            if e.action == "quality.rejudged" and "outcome" in json.loads(e.detail)]


def test_a_day_a_reversed_suspension_muted_is_judged_again_and_gets_the_warning_it_earned(wb, people):
    suspension, first, _, (muted,) = muted_day(wb, people, returns=4)  # 4 of 10: barred at once
    resubmit_unchanged(wb, people.tina, people.rita, first)  # all four returns were wrong
    (warning,) = wb.run_quality_rules()  # the next day: 1 of 10 returned, 1 of 16 over the window
    assert (warning.kind, warning.rule, warning.segment_ids) == ("warning", "warn_rate", tuple(muted))
    day = wb.defect_rates(people.admin)[1]
    assert (warning.day, day.checked, day.defects, day.outcome) == (day.day, 10, 1, "warning")
    assert open_steps(wb, people.admin) == [("warning", "warn_rate")]
    assert [n.id for n in wb.my_quality_notices(people.tina)] == [warning.id]
    assert [a.lifted_by for a in wb.quality_actions(people.admin) if a.id == suspension.id] == [None]
    assert rejudged_days(wb, people.admin) == [day.day]
    assert wb.run_quality_rules() == [] and rejudged_days(wb, people.admin) == [day.day]  # never twice
    assert len(wb.quality_actions(people.admin)) == 2


def test_a_suspension_turned_into_a_warning_makes_a_muted_warning_day_the_second_warning(wb, people):
    _, first, returned, (muted,) = muted_day(wb, people, returns=2)  # 2 of 10: the window's 20 % bars
    rereview(wb, people.tina, people.rita, first, accept={returned[0]})  # one of the two was wrong
    given = wb.run_quality_rules()
    assert [(a.kind, a.rule, a.segment_ids) for a in given] == [
        ("warning", "warn_rate", (returned[1],)), ("suspension", "warnings", tuple(muted))]
    assert open_steps(wb, people.admin) == [("suspension", "warnings"), ("warning", "warn_rate")]
    assert [r.outcome for r in wb.defect_rates(people.admin)] == ["warning", "suspension"]


def test_a_suspension_a_muted_day_gives_mutes_the_days_after_it_as_it_would_have(wb, people):
    _, first, returned, _ = muted_day(wb, people, returns=2, later_returns=(1, 1))
    rereview(wb, people.tina, people.rita, first, accept={returned[0]})
    assert [(a.kind, a.rule) for a in wb.run_quality_rules()] == [("warning", "warn_rate"), ("suspension", "warnings")]
    days = wb.defect_rates(people.admin)
    assert [(r.defects, r.outcome) for r in days][1:] == [(1, "suspension"), (1, "none")]
    assert rejudged_days(wb, people.admin) == [days[1].day, days[2].day]  # the second, muted anew, is audited too
    assert wb.run_quality_rules() == [] and len(rejudged_days(wb, people.admin)) == 2


@pytest.mark.parametrize("how", ["lifted by an admin", "still standing"])
def test_the_days_a_suspension_muted_stay_none_when_it_was_not_reversed(wb, people, how):
    suspension, first, returned, _ = muted_day(wb, people, returns=5)  # 5 of 10: barred at once
    if how == "lifted by an admin":
        wb.lift_suspension(people.admin, suspension.id, reason="Talked it through")
        resubmit_unchanged(wb, people.tina, people.rita, first)  # every return reversed, after the lift
    else:
        rereview(wb, people.tina, people.rita, first, accept={returned[0]})  # 4 of 9 still bars at once
    assert wb.run_quality_rules() == []
    assert [r.outcome for r in wb.defect_rates(people.admin)][1:] == ["none"]
    assert rejudged_days(wb, people.admin) == []
