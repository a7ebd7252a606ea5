"""Review: a reviewer of the language (never of their own work) hears each segment,
accepts or returns it; returns go back to the same transcriber; acceptance of the
last segment completes the task and stamps the pay moment. Penalties, grades, audit."""

import pytest

from tests.listening import hear
from workbench.store import repo
from workbench.workflow.errors import InvalidInput, InvalidTransition, PermissionDenied
from workbench.workflow.policy import Policy

TEXTS = ["안녕하세요.", "반갑습니다.", "네 좋아요."]

# Input validation happens before any query, so one backend is enough for these tables.
ONE_BACKEND = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)



def submit(wb, transcriber, task_id):
    segments = wb.open_task(transcriber, task_id).segments
    for segment, text in zip(segments, TEXTS):
        if segment.status not in ("accepted",) and segment.text != text:
            wb.save_text(transcriber, segment.id, text, base_version=segment.version)
    wb.submit_task(transcriber, task_id)
    return task_id


@pytest.fixture
def submitted(wb, wb_people, wb_clip):
    """A three-segment ko task tina transcribed and submitted."""
    wb_clip()
    return submit(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)


def play_all(wb, reviewer, view):
    hear(wb, reviewer, view.segments, wb.clock)


def test_a_reviewer_never_reviews_their_own_work(wb, wb_people, wb_clip):
    wb_clip()
    task_id = submit(wb, wb_people.bo, wb.claim_next(wb_people.bo).id)
    assert [t.id for t in wb.review_queue(wb_people.bo)] == []
    with pytest.raises(PermissionDenied, match="own work"):
        wb.start_review(wb_people.bo, task_id)
    assert [t.id for t in wb.review_queue(wb_people.rita)] == [task_id]


@ONE_BACKEND
@pytest.mark.parametrize("who", ["eve", "tom", "ed"])
def test_only_reviewers_of_the_tasks_language_review(wb, wb_people, submitted, who):
    with pytest.raises(PermissionDenied):
        wb.start_review(getattr(wb_people, who), submitted)
    assert wb.open_task(wb_people.tina, submitted).task.state == "submitted"


def test_a_second_reviewer_cannot_take_a_task_in_review(wb, wb_people, submitted):
    wb.start_review(wb_people.rita, submitted)
    with pytest.raises(InvalidTransition, match="another reviewer"):
        wb.start_review(wb_people.bo, submitted)
    again = wb.start_review(wb_people.rita, submitted)
    assert (again.task.state, again.task.reviewer, again.task.review_round) == ("in_review", "rita", 1)


def test_accepting_needs_the_segment_heard(wb, wb_people, submitted, wb_clock):
    segment = wb.start_review(wb_people.rita, submitted).segments[0]
    wb.record_audio_sent(wb_people.rita, segment.id, bounds=(segment.start, segment.end), sent=(0, segment.duration))
    wb_clock.advance(seconds=segment.duration)
    partly = wb.record_play(wb_people.rita, segment.id, intervals=[(0, segment.duration / 2)])
    assert (partly.heard, partly.heard_share) == (False, 0.5)
    with pytest.raises(InvalidTransition, match="heard 50% of it, 95% is needed"):
        wb.accept_segment(wb_people.rita, segment.id)
    assert wb.record_play(wb_people.rita, segment.id, intervals=[(0.9, segment.duration - 0.1)]).heard
    assert wb.accept_segment(wb_people.rita, segment.id).status == "accepted"


def test_a_reviewers_correction_is_their_own_revision(wb, wb_people, submitted):
    segment = wb.start_review(wb_people.rita, submitted).segments[0]
    hear(wb, wb_people.rita, [segment], wb.clock)
    accepted = wb.accept_segment(wb_people.rita, segment.id, text="안녕하세요!")
    assert (accepted.text, accepted.status, accepted.version) == ("안녕하세요!", "accepted", 2)
    history = wb.segment_history(wb_people.tina, segment.id)
    assert [(r.author, r.role, r.kind) for r in history] == [("tina", "transcriber", "save"),
                                                             ("rita", "reviewer", "correction")]


def test_finishing_needs_a_decision_on_every_segment(wb, wb_people, submitted):
    view = wb.start_review(wb_people.rita, submitted)
    play_all(wb, wb_people.rita, view)
    wb.accept_segment(wb_people.rita, view.segments[0].id)
    with pytest.raises(InvalidTransition, match="2 segment"):
        wb.finish_review(wb_people.rita, submitted)
    assert wb.open_task(wb_people.rita, submitted).task.state == "in_review"


def test_return_rework_resubmit_accept_complete(wb, wb_people, submitted, wb_clock):
    view = wb.start_review(wb_people.rita, submitted)
    play_all(wb, wb_people.rita, view)
    with pytest.raises(InvalidInput):
        wb.return_segment(wb_people.rita, view.segments[1].id, "")
    wb.return_segment(wb_people.rita, view.segments[1].id, "'반가워요'로 들립니다")
    assert wb.accept_all_played(wb_people.rita, submitted) == 2
    returned = wb.finish_review(wb_people.rita, submitted)
    assert (returned.state, returned.returned_comments) == ("returned", ((2, "'반가워요'로 들립니다"),))

    queue = wb.my_queue(wb_people.tina)
    assert [t.id for t in queue.returned] == [submitted]
    segments = wb.open_task(wb_people.tina, submitted).segments
    with pytest.raises(InvalidTransition, match="accepted"):
        wb.save_text(wb_people.tina, segments[0].id, "바꿀 수 없음.", base_version=segments[0].version)
    fixed = wb.save_text(wb_people.tina, segments[1].id, "반가워요.", base_version=segments[1].version)
    assert fixed.review_comment == "'반가워요'로 들립니다"
    wb.submit_task(wb_people.tina, submitted)

    assert [t.id for t in wb.review_queue(wb_people.bo)] == []  # it waits for its reviewer (for a day)
    second = wb.start_review(wb_people.rita, submitted)
    assert second.task.review_round == 2
    assert [(s.status, s.reviewed_text) for s in second.segments] == [
        ("accepted", "안녕하세요."), ("saved", "반갑습니다."), ("accepted", "네 좋아요.")]
    assert not second.segments[1].heard  # the transcriber changed it: it must be heard again
    hear(wb, wb_people.rita, [second.segments[1]], wb_clock)
    wb.accept_segment(wb_people.rita, segments[1].id)
    wb_clock.advance(hours=9)
    done = wb.finish_review(wb_people.rita, submitted)
    assert (done.state, done.completed_at) == ("complete", wb_clock.now)
    with pytest.raises(InvalidTransition):
        wb.start_review(wb_people.rita, submitted)


def test_a_resubmission_waits_a_day_for_its_reviewer_then_any_reviewer_may_take_it(wb, wb_people, submitted,
                                                                                    wb_clock):
    return_round(wb, wb_people.rita, wb_people.tina, submitted, position=2)
    assert wb.review_queue(wb_people.bo) == []
    with pytest.raises(InvalidTransition, match="with another reviewer"):
        wb.start_review(wb_people.bo, submitted)
    wb_clock.advance(hours=23, minutes=59)
    assert wb.review_queue(wb_people.bo) == []
    wb_clock.advance(minutes=1)
    assert [t.id for t in wb.review_queue(wb_people.bo)] == [submitted]
    taken = wb.start_review(wb_people.bo, submitted)
    assert (taken.task.reviewer, taken.task.review_round) == ("bo", 2)
    with pytest.raises(InvalidTransition, match="in_review"):
        wb.start_review(wb_people.rita, submitted)


def return_round(wb, reviewer, transcriber, task_id, position):
    """One review round returning the segment at ``position`` and accepting the rest."""
    view = wb.start_review(reviewer, task_id)
    play_all(wb, reviewer, view)
    for segment in view.segments:
        if segment.position == position:
            wb.return_segment(reviewer, segment.id, "다시 들어 보세요")
    wb.accept_all_played(reviewer, task_id)
    wb.finish_review(reviewer, task_id)
    segment = next(s for s in wb.open_task(transcriber, task_id).segments if s.position == position)
    wb.save_text(transcriber, segment.id, segment.text + " ", base_version=segment.version)
    wb.submit_task(transcriber, task_id)


def test_a_segment_returned_again_after_its_first_rework_costs_a_penalty_and_grade(
        wb, wb_people, submitted, wb_clock, wb_reopen):
    graded = wb_reopen(grade_min_segments=3, penalty_won=700)
    return_round(graded, wb_people.rita, wb_people.tina, submitted, 2)
    first = graded.worker_summary(wb_people.admin, "tina")
    assert (first.penalties, first.score, first.return_rate) == (0, pytest.approx(2 / 3), pytest.approx(1 / 3))

    return_round(graded, wb_people.rita, wb_people.tina, submitted, 2)
    second = graded.worker_summary(wb_people.admin, "tina")
    assert (second.penalties, second.penalties_won) == (1, 700)
    assert second.score == pytest.approx(1 / 3) and second.score < first.score
    with graded.store.session() as session:
        penalty, = repo.penalties_of(session, wb_people.tina.id)
        assert (penalty.amount_won, penalty.task_id, penalty.created_at) == (700, submitted, wb_clock.now)


@pytest.mark.parametrize("score, grade, max_tasks", [
    (None, "new", 2), (1.0, "A", 5), (0.95, "A", 5), (0.9, "B", 3), (0.7, "C", 2), (0.2, "D", 1)])
def test_higher_grades_may_hold_more_tasks(score, grade, max_tasks):
    band = Policy().grade_for(score)
    assert (band.grade, band.max_tasks) == (grade, max_tasks)


def test_a_perfect_record_raises_the_task_limit(wb, wb_people, submitted, wb_reopen):
    graded = wb_reopen(grade_min_segments=3)
    view = graded.start_review(wb_people.rita, submitted)
    play_all(graded, wb_people.rita, view)
    graded.accept_all_played(wb_people.rita, submitted)
    graded.finish_review(wb_people.rita, submitted)
    queue = graded.my_queue(wb_people.tina)
    assert (queue.grade, queue.max_tasks) == ("A", 5)


def test_every_state_change_is_in_the_audit_log_with_who_and_when(wb, wb_people, submitted, wb_clock):
    wb_clock.advance(minutes=30)
    view = wb.start_review(wb_people.rita, submitted)
    started = wb_clock.now
    play_all(wb, wb_people.rita, view)
    wb.accept_all_played(wb_people.rita, submitted)
    wb.finish_review(wb_people.rita, submitted)
    entries = wb.audit_log(wb_people.admin, task_id=submitted)
    actions = [(e.actor, e.action) for e in reversed(entries) if e.entity == "task"]
    assert actions == [("admin", "task.created"), ("tina", "task.claimed"), ("tina", "task.submitted"),
                       ("rita", "task.review_started"), ("rita", "task.completed")]
    assert [e.at for e in reversed(entries) if e.actor == "rita" and e.entity == "task"] == [started, wb_clock.now]
    with pytest.raises(PermissionDenied):
        wb.audit_log(wb_people.tom, task_id=submitted)


@ONE_BACKEND
@pytest.mark.parametrize("who", ["eve", "tom"])
def test_segment_media_is_permission_checked(wb, wb_people, submitted, who):
    segment = wb.open_task(wb_people.tina, submitted).segments[0]
    for fetch in (wb.segment_audio_path, wb.segment_spectrogram_path):
        with pytest.raises(PermissionDenied):
            fetch(getattr(wb_people, who), segment.id)


def test_a_reviewer_changing_their_mind_within_the_round_does_not_count_as_a_return(
        wb, wb_people, submitted, wb_reopen):
    graded = wb_reopen(grade_min_segments=3)
    view = graded.start_review(wb_people.rita, submitted)
    play_all(graded, wb_people.rita, view)
    graded.return_segment(wb_people.rita, view.segments[0].id, "잘못 눌렀어요")
    graded.accept_all_played(wb_people.rita, submitted)
    graded.accept_segment(wb_people.rita, view.segments[0].id)
    assert graded.finish_review(wb_people.rita, submitted).state == "complete"
    assert graded.worker_summary(wb_people.tina).score == 1.0


def test_an_admin_takes_back_work_from_people_who_left(wb, wb_people, submitted, wb_clip):
    wb.start_review(wb_people.rita, submitted)
    with pytest.raises(PermissionDenied):
        wb.release_task(wb_people.bo, submitted, reason="rita is on leave")
    released = wb.release_task(wb_people.admin, submitted, reason="rita is on leave")
    assert (released.state, released.reviewer) == ("submitted", None)
    assert wb.start_review(wb_people.bo, submitted).task.reviewer == "bo"

    wb_clip()
    claimed = wb.claim_next(wb_people.tom).id
    segment = wb.open_task(wb_people.tom, claimed).segments[0]
    wb.save_text(wb_people.tom, segment.id, "남겨 둔 글.", base_version=0)
    assert wb.release_task(wb_people.admin, claimed, reason="tom left").state == "open"
    assert wb.claim_next(wb_people.tina).id == claimed
    assert wb.open_task(wb_people.tina, claimed).segments[0].text == "남겨 둔 글."
    with pytest.raises(InvalidInput, match="why"):
        wb.release_task(wb_people.admin, claimed, reason=" ")
    wb.release_task(wb_people.admin, claimed, reason="tina left too")
    with pytest.raises(InvalidTransition, match="nobody holds it"):
        wb.release_task(wb_people.admin, claimed, reason="again")


def test_closing_an_account_offers_every_task_it_held_again_with_its_text(wb, wb_people, wb_clip):
    # rita returned tina's first task, which tina resubmitted: it waits for rita alone.
    first = wb_clip()
    submit(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)
    view = wb.start_review(wb_people.rita, first)
    play_all(wb, wb_people.rita, view)
    wb.return_segment(wb_people.rita, view.segments[0].id, "다시 들어 보세요.")
    wb.accept_all_played(wb_people.rita, first)
    wb.finish_review(wb_people.rita, first)
    submit(wb, wb_people.tina, first)
    # ... and rita is reviewing tom's task, while tina holds a third with a typed draft.
    second = wb_clip(priority=1)
    submit(wb, wb_people.tom, wb.claim_next(wb_people.tom).id)
    wb.start_review(wb_people.rita, second)
    third = wb_clip(priority=2)
    claimed = wb.claim_next(wb_people.tina).id
    draft = wb.open_task(wb_people.tina, claimed).segments[0]
    wb.save_text(wb_people.tina, draft.id, "쓰던 글.", base_version=0)

    closed = wb.deactivate_user(wb_people.admin, "rita", reason="left the project")
    assert (closed.user.status, closed.released_tasks) == ("deactivated", (first, second))
    states = {t.id: (t.state, t.reviewer) for t in wb.list_tasks(wb_people.admin)}
    assert states[first] == ("submitted", None) and states[second] == ("submitted", None)
    assert wb.start_review(wb_people.bo, first).task.reviewer == "bo"

    closed = wb.deactivate_user(wb_people.admin, "tina", reason="moved on")
    assert closed.released_tasks == (claimed,) and claimed == third
    assert wb.claim_next(wb_people.tom).id == claimed
    assert wb.open_task(wb_people.tom, claimed).segments[0].text == "쓰던 글."
    released = [e for e in wb.audit_log(wb_people.admin) if e.action == "task.released"]
    assert len(released) == 3 and all("account was closed" in e.detail for e in released)


def test_a_closed_account_can_be_reopened_and_work_again(wb, wb_people, wb_clip):
    wb.deactivate_user(wb_people.admin, "tina", reason="left")
    with pytest.raises(PermissionDenied):
        wb.open_session(wb.actor("tina"))
    with pytest.raises(InvalidInput, match="why"):
        wb.reactivate_user(wb_people.admin, "tina", reason=" ")
    with pytest.raises(PermissionDenied):
        wb.reactivate_user(wb_people.tom, "tina", reason="back")
    assert wb.reactivate_user(wb_people.admin, "tina", reason="came back").status == "approved"
    assert wb.resolve_session(wb.open_session(wb.actor("tina"))) == "tina"
    wb_clip()
    assert wb.claim_next(wb.actor("tina")).transcriber == "tina"
    with pytest.raises(InvalidTransition, match="only a closed account"):
        wb.reactivate_user(wb_people.admin, "tina", reason="again")

