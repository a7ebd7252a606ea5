"""Checks on reviewers (workflow/reviewer_checks.py): the senior role an admin grants, samples
of accepted segments re-reviewed by a senior, accuracy and what it limits, gold accepted
wrongly, and the daily rules applied to reviewers; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.builders import processed_clip, take_through_review, transcribe
from tests.listening import hear, hear_check
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


@pytest.mark.parametrize(("confirmed", "limited"), [
    ({"acme": 3, "beta": 0}, {"beta"}),  # accurate in acme, wrong every time in beta
    ({"acme": 0, "beta": 3}, {"acme"}),
    ({"acme": 3, "beta": 3}, set()),
    ({"acme": 0, "beta": 0}, {"acme", "beta"}),
    ({"acme": 3, "beta": 2}, {"beta"}),  # 67 % in beta, below its 90 %
])
def test_a_reviewers_accuracy_and_the_limit_it_sets_are_per_project(wb, people, quality_rules, confirmed, limited):
    rules = {"senior_share": 1.0, "reviewer_min_checks": 3, "reviewer_min_accuracy": 0.9}
    quality_rules(acme=rules, beta=rules)
    for project in confirmed:
        reviewed_task(wb, people.admin, people.tina, people.rita, project=project)
    for project, right in confirmed.items():
        for n, check in enumerate([c for c in wb.senior_queue(people.bo) if c.project == project][:3]):
            look(wb, people.bo, check, n < right)
    standings = {s.project: s for s in wb.reviewer_accuracy(people.admin, username="rita")}
    assert {p: (s.checked, s.confirmed) for p, s in standings.items()} == {p: (3, n) for p, n in confirmed.items()}
    assert {p for p, s in standings.items() if s.limited} == limited
    # rita holds one review elsewhere; a second one is refused only where her accuracy limits her.
    held = processed_clip(wb, people.admin, filename="held.wav", project="gamma", priority=900)
    waiting = {p: processed_clip(wb, people.admin, filename=f"{p}.wav", project=p, priority=800 - n)
               for n, p in enumerate(confirmed)}
    for task_id in (held, *waiting.values()):
        assert wb.claim_next(people.tom).id == task_id
        transcribe(wb, people.tom, task_id)
    wb.start_review(people.rita, held)
    refused = set()
    for project, task_id in waiting.items():
        try:
            wb.start_review(people.rita, task_id)
            wb.release_task(people.admin, task_id, reason="Back to the queue")
        except InvalidTransition:
            refused.add(project)
    assert refused == limited
    assert [s.project for s in wb.reviewer_accuracy(people.admin, username="rita", project="gamma")] == ["gamma"]
    assert [s.checked for s in wb.reviewer_accuracy(people.admin, username="rita", project="gamma")] == [0]


def test_the_dashboard_admin_tab_and_export_show_accuracy_per_project(wb, people, quality_rules):
    from workbench.quality.gather import quality_figures
    from workbench.ui.handlers.quality import accuracy_table

    quality_rules(acme={"senior_share": 1.0}, beta={"senior_share": 1.0})
    for project, right in (("acme", True), ("beta", False)):
        reviewed_task(wb, people.admin, people.tina, people.rita, project=project)
        look(wb, people.bo, next(c for c in wb.senior_queue(people.bo) if c.project == project), right)
    table = accuracy_table(wb, people.admin)
    rita = table[table["reviewer"] == "rita"].set_index("project")
    assert (rita.loc["acme", "accuracy"], rita.loc["beta", "accuracy"]) == (1.0, 0.0)
    assert table[table["reviewer"] == "bo"]["project"].tolist() == [""]  # nothing of bo's checked yet
    exported = quality_figures(wb, people.admin).to_json()["reviewer_accuracy"]
    assert sorted((r["language"], r["project"], r["checked"], r["accuracy"]) for r in exported) == [
        ("ko", "acme", 1, 1.0), ("ko", "beta", 1, 0.0)]
    assert all("username" not in r for r in exported)


def test_a_senior_decides_only_a_check_they_have_heard_to_the_end(wb, people):
    reviewed_task(wb, people.admin, people.tina, people.rita)
    check = wb.senior_queue(people.bo)[0]
    with pytest.raises(InvalidTransition, match="Play the segment"):
        wb.decide_senior_check(people.bo, check.id, confirmed=True)
    wb.record_check_audio_sent(people.bo, check.id, bounds=check.bounds, sent=(0.0, check.duration))
    halfway = wb.record_check_play(people.bo, check.id, intervals=[(0.0, check.duration / 2)])
    assert (halfway.heard, halfway.heard_share) == (False, pytest.approx(0.5))
    with pytest.raises(InvalidTransition, match="50%"):
        wb.decide_senior_check(people.bo, check.id, confirmed=True)
    wb.clock.advance(seconds=5)
    assert wb.record_check_play(people.bo, check.id, intervals=[(0.0, check.duration)]).heard
    assert wb.decide_senior_check(people.bo, check.id, confirmed=True).confirmed is True
    assert "quality.senior_checked" in [e.action for e in wb.audit_log(people.admin)]


def test_the_senior_sees_the_accepted_text_what_the_reviewer_corrected_and_the_segments_around_it(wb, people):
    task_id = processed_clip(wb, people.admin, filename="context.wav", priority=900)
    assert wb.claim_next(people.tina).id == task_id
    transcribe(wb, people.tina, task_id, texts=["하나입니다.", "둘입니다.", "셋입니다."])
    segments = wb.start_review(people.rita, task_id).segments
    hear(wb, people.rita, segments, wb.clock)
    wb.accept_segment(people.rita, segments[1].id, text="둘이에요.")
    wb.accept_all_played(people.rita, task_id)
    wb.finish_review(people.rita, task_id)
    checks = {c.segment_id: c for c in wb.senior_queue(people.bo)}
    first, middle, last = (checks[s.id] for s in segments)
    assert (middle.text, middle.corrected_from, middle.before, middle.after) == ("둘이에요.", "둘입니다.", "하나입니다.", "셋입니다.")
    assert (first.corrected_from, first.before, last.after) == (None, None, None)
    assert middle.to_dict()["audio"] == f"/media/senior-check/{middle.id}.wav"
    assert "reviewer" not in middle.to_dict()


def test_a_decided_check_is_neither_heard_nor_played_again(wb, people):
    reviewed_task(wb, people.admin, people.tina, people.rita)
    check = wb.senior_queue(people.bo)[0]
    hear_check(wb, people.bo, check, wb.clock)
    wb.decide_senior_check(people.bo, check.id, confirmed=False)
    assert wb.record_check_audio_sent(people.bo, check.id, bounds=check.bounds, sent=(0.0, 1.0)) is False
    with pytest.raises(InvalidTransition):
        wb.record_check_play(people.bo, check.id, intervals=[(0.0, 1.0)])
    with pytest.raises(InvalidTransition):
        wb.check_audio(people.bo, check.id)


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
