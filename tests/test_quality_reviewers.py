"""Checks on reviewers (workflow/reviewer_checks.py): the senior role an admin grants, samples
of accepted segments re-reviewed by a senior, accuracy and what it limits, gold accepted
wrongly, and the daily rules applied to reviewers; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.builders import processed_clip, take_through_review, transcribe
from tests.listening import hear
from tests.quality_support import look, quality_rules, reviewed_task  # noqa: F401 (fixture)
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied


@pytest.fixture
def people(wb, wb_people, quality_rules):
    """Every accepted segment of acme is sampled; bo (ko reviewer and transcriber) is senior."""
    quality_rules(acme={"senior_share": 1.0, "min_checked": 3, "reviewer_min_checks": 3,
                        "reviewer_min_accuracy": 0.9})
    wb.grant_senior(wb_people.admin, "bo")
    return wb_people


@pytest.mark.parametrize(("share", "sampled"), [(1.0, 10), (0.0, 0)])
def test_a_share_of_each_reviewers_acceptances_goes_to_a_senior(wb, people, quality_rules, share, sampled):
    quality_rules(acme={"senior_share": share})
    reviewed_task(wb, people.admin, people.tina, people.rita)
    checks = wb.senior_queue(people.bo)
    assert len(checks) == sampled and all(c.reviewer == "rita" for c in checks)


def test_a_senior_never_checks_their_own_verdicts_or_work(wb, people):
    reviewed_task(wb, people.admin, people.bo, people.rita)  # bo transcribed it
    (check, *_) = wb.senior_queue(people.bo)
    with pytest.raises(PermissionDenied):
        wb.decide_senior_check(people.bo, check.id, confirmed=True)
    wb.grant_senior(people.admin, "rita")
    reviewed_task(wb, people.admin, people.tina, people.rita)
    assert {c.reviewer for c in wb.senior_queue(people.rita)} == set()  # only rita's own are waiting


def test_accuracy_is_the_share_of_verdicts_a_senior_confirms(wb, people):
    reviewed_task(wb, people.admin, people.tina, people.rita)
    checks = wb.senior_queue(people.bo)
    for n, check in enumerate(checks[:4]):
        look(wb, people.bo, check, n != 0, None if n else "Misheard word.")
    (rita,) = wb.reviewer_accuracy(people.admin, username="rita", project="acme")
    assert (rita.checked, rita.confirmed, rita.accuracy, rita.limited) == (4, 3, 0.75, True)
    with pytest.raises(InvalidTransition):
        wb.decide_senior_check(people.bo, checks[0].id, confirmed=True)  # decided once


def test_a_reviewer_below_the_accuracy_threshold_may_hold_one_review_at_once(wb, people):
    reviewed_task(wb, people.admin, people.tina, people.rita)
    for check in wb.senior_queue(people.bo)[:3]:
        look(wb, people.bo, check, False)
    first = processed_clip(wb, people.admin, filename="one.wav", priority=900)
    second = processed_clip(wb, people.admin, filename="two.wav", priority=800)
    for task_id in (first, second):
        assert wb.claim_next(people.tom).id == task_id
        transcribe(wb, people.tom, task_id)
    wb.start_review(people.rita, first)
    with pytest.raises(InvalidTransition, match="accuracy"):
        wb.start_review(people.rita, second)
    hear(wb, people.rita, wb.open_task(people.rita, first).segments, wb.clock)
    wb.accept_all_played(people.rita, first)
    wb.finish_review(people.rita, first)
    assert wb.start_review(people.rita, second).task.state == "in_review"


def test_a_reviewer_the_seniors_overturn_is_caught_by_the_daily_rules(wb, people):
    reviewed_task(wb, people.admin, people.tina, people.rita)
    for check in wb.senior_queue(people.bo)[:4]:
        look(wb, people.bo, check, False)
    wb.clock.advance(days=1)
    (suspension,) = wb.run_quality_rules()
    assert (suspension.username, suspension.role, suspension.kind, suspension.rule) == (
        "rita", "reviewer", "suspension", "instant_rate")
    task_id = processed_clip(wb, people.admin, filename="after.wav", priority=900)
    transcribe(wb, people.tom, wb.claim_next(people.tom).id)
    assert [t.id for t in wb.review_queue(people.rita)] == []
    with pytest.raises(PermissionDenied, match="suspended"):
        wb.start_review(people.rita, task_id)
    assert wb.my_quality_notices(people.tina) == []  # rita's suspension is hers alone
    wb.lift_suspension(people.admin, suspension.id, reason="Retrained")
    assert wb.start_review(people.rita, task_id).task.state == "in_review"


def test_a_reviewer_who_accepts_gold_that_differs_from_its_reference_is_caught(wb, people, quality_rules):
    quality_rules(acme={"senior_share": 0.0, "min_checked": 3})
    processed_clip(wb, people.admin, filename="source.wav", priority=950)
    source = take_through_review(wb, people.tina, people.rita)
    clip_id = wb.open_task(people.admin, source).task.clip_id
    wb.mark_gold(people.admin, clip_id=clip_id)
    copy = wb.offer_gold_copy(people.admin, clip_id=clip_id, project="acme", priority=900)
    assert wb.claim_next(people.tom).id == copy
    transcribe(wb, people.tom, copy, texts=["전혀 다른 말입니다."])  # nothing like the reference
    hear(wb, people.bo, wb.start_review(people.bo, copy).segments, wb.clock)
    wb.accept_all_played(people.bo, copy)
    wb.finish_review(people.bo, copy)
    wb.clock.advance(days=1)
    given = {(a.username, a.role): a for a in wb.run_quality_rules()}
    assert given[("bo", "reviewer")].kind == "suspension"
    (bo,) = wb.reviewer_accuracy(people.admin, username="bo")
    assert (bo.checked, bo.confirmed) == (3, 0)


# --- who may do what, and junk ----------------------------------------------------------------

def test_only_an_admin_grants_or_takes_back_the_senior_role(wb, people):
    with pytest.raises(PermissionDenied):
        wb.grant_senior(people.rita, "rita")
    with pytest.raises(PermissionDenied):
        wb.revoke_senior(people.bo, "bo")
    with pytest.raises(PermissionDenied):
        wb.senior_queue(people.rita)
    with pytest.raises(PermissionDenied):
        wb.reviewer_accuracy(people.rita)
    with pytest.raises(InvalidInput):
        wb.grant_senior(people.admin, "tina")  # not a reviewer
    with pytest.raises(NotFound):
        wb.grant_senior(people.admin, "nobody")
    wb.revoke_senior(people.admin, "bo")
    with pytest.raises(PermissionDenied):
        wb.senior_queue(people.bo)
    with pytest.raises(InvalidTransition):
        wb.revoke_senior(people.admin, "bo")
    actions = [e.action for e in wb.audit_log(people.admin)]
    assert "quality.senior_granted" in actions and "quality.senior_revoked" in actions


@pytest.mark.parametrize(("check_id", "confirmed", "comment"), [
    (0, True, None), (-3, True, None), ("abc", True, None), (1.5, True, None), (999_999, True, None), (None, True, None),
    (1, "yes", None), (1, 1, None), (1, None, None), (1, True, "x" * 100_000), (1, True, 42),
])
def test_a_junk_senior_decision_is_refused_and_changes_nothing(wb, people, check_id, confirmed, comment):
    reviewed_task(wb, people.admin, people.tina, people.rita)
    before = wb.senior_queue(people.bo)
    with pytest.raises((InvalidInput, NotFound)):
        wb.decide_senior_check(people.bo, check_id, confirmed=confirmed, comment=comment)
    assert wb.senior_queue(people.bo) == before
