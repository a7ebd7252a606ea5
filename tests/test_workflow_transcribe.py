"""Transcribing: claims by language and priority within the grade's limit, append-only
revisions with a version check, no-speech marks, split/merge, and the guideline-checked submit."""

import pytest

from workbench.store import repo
from workbench.workflow.errors import (
    GuidelineViolation,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
)

# Input validation happens before any query, so one backend is enough for these tables.
ONE_BACKEND = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)



def revision_count(wb, segment_id):
    with wb.store.session() as session:
        return len(repo.revisions_of(session, segment_id))


def timeline(wb, actor, task_id):
    return [(s.position, s.start, s.end) for s in wb.open_task(actor, task_id).segments]


def assert_consistent(spans, start, end):
    """Positions 1..n, in order, no overlaps, covering exactly [start, end]."""
    assert [p for p, _, _ in spans] == list(range(1, len(spans) + 1))
    assert spans[0][1] == start and spans[-1][2] == end
    assert all(a_end <= b_start for (_, _, a_end), (_, b_start, _) in zip(spans, spans[1:]))


# --- claims -------------------------------------------------------------------------------


def test_claims_go_to_transcribers_of_the_language_highest_priority_first(wb, wb_people, wb_clip):
    low, high, english = wb_clip(priority=1), wb_clip(priority=5), wb_clip(language="en", priority=9)
    assert wb.claim_next(wb_people.tina).id == high
    assert wb.claim_next(wb_people.tom).id == low
    with pytest.raises(NotFound, match="No ko task"):
        wb.claim_next(wb_people.bo)
    assert wb.claim_next(wb_people.ed).id == english


@ONE_BACKEND
@pytest.mark.parametrize("who", ["rita", "eve", "admin"])
def test_only_transcribers_claim(wb, wb_people, wb_clip, who):
    wb_clip()
    with pytest.raises(PermissionDenied):
        wb.claim_next(getattr(wb_people, who))


def test_a_transcriber_holds_at_most_what_the_grade_allows(wb, wb_people, wb_clip):
    for priority in range(4):
        wb_clip(priority=priority)
    queue = wb.my_queue(wb_people.tina)
    assert (queue.grade, queue.max_tasks, queue.available, queue.can_claim) == ("new", 2, 4, True)
    wb.claim_next(wb_people.tina)
    wb.claim_next(wb_people.tina)
    with pytest.raises(InvalidTransition, match="allows 2"):
        wb.claim_next(wb_people.tina)
    queue = wb.my_queue(wb_people.tina)
    assert (len(queue.open), queue.available, queue.can_claim) == (2, 2, False)


def test_another_transcribers_task_is_out_of_reach(wb, wb_people, wb_clip):
    task_id = wb.claim_next(wb_people.tina).id if wb_clip() else None
    segment = wb.open_task(wb_people.tina, task_id).segments[0]
    for attempt in (lambda: wb.open_task(wb_people.tom, task_id),
                    lambda: wb.save_text(wb_people.tom, segment.id, "남의 글", base_version=0),
                    lambda: wb.segment_history(wb_people.tom, segment.id),
                    lambda: wb.segment_audio_path(wb_people.tom, segment.id),
                    lambda: wb.submit_task(wb_people.tom, task_id)):
        with pytest.raises(PermissionDenied):
            attempt()
    assert revision_count(wb, segment.id) == 0


# --- saving ------------------------------------------------------------------------------


@pytest.fixture
def claimed(wb, wb_people, wb_clip):
    """tina's claimed three-segment ko task: (task_id, segments)."""
    wb_clip()
    task_id = wb.claim_next(wb_people.tina).id
    return task_id, wb.open_task(wb_people.tina, task_id).segments


def test_every_save_is_a_new_revision_and_nothing_is_overwritten(wb, wb_people, claimed):
    _, segments = claimed
    first = wb.save_text(wb_people.tina, segments[0].id, "안녕하세요.", base_version=0)
    second = wb.save_text(wb_people.tina, segments[0].id, "  안녕하세요,   여러분. ", base_version=first.version)
    assert (second.text, second.version, second.status) == ("안녕하세요, 여러분.", 2, "saved")
    history = wb.segment_history(wb_people.tina, segments[0].id)
    assert [(r.version, r.text, r.author, r.kind) for r in history] == [
        (1, "안녕하세요.", "tina", "save"), (2, "안녕하세요, 여러분.", "tina", "save")]


def test_a_stale_tab_cannot_overwrite_newer_text(wb, wb_people, claimed):
    _, segments = claimed
    wb.save_text(wb_people.tina, segments[0].id, "새 탭에서 쓴 글.", base_version=0)
    with pytest.raises(StaleVersion) as raised:
        wb.save_text(wb_people.tina, segments[0].id, "옛 탭에서 쓴 글.", base_version=0)
    assert (raised.value.current.text, raised.value.current.version) == ("새 탭에서 쓴 글.", 1)
    assert revision_count(wb, segments[0].id) == 1
    assert wb.open_task(wb_people.tina, segments[0].task_id).segments[0].text == "새 탭에서 쓴 글."


def test_a_retried_save_is_idempotent(wb, wb_people, claimed):
    _, segments = claimed
    first = wb.save_text(wb_people.tina, segments[0].id, "한 번만 저장.", base_version=0)
    again = wb.save_text(wb_people.tina, segments[0].id, "한 번만 저장.", base_version=0)
    same_base = wb.save_text(wb_people.tina, segments[0].id, "한 번만 저장.", base_version=1)
    assert first == again == same_base and revision_count(wb, segments[0].id) == 1


def test_no_speech_needs_a_reason_and_saving_text_clears_it(wb, wb_people, claimed):
    _, segments = claimed
    with pytest.raises(InvalidInput, match="why"):
        wb.mark_no_speech(wb_people.tina, segments[1].id, "  ", base_version=0)
    marked = wb.mark_no_speech(wb_people.tina, segments[1].id, "music only", base_version=0)
    assert (marked.status, marked.no_speech_reason, marked.version) == ("no_speech", "music only", 1)
    assert wb.mark_no_speech(wb_people.tina, segments[1].id, "music only", base_version=0) == marked
    cleared = wb.save_text(wb_people.tina, segments[1].id, "노래 가사가 아니라 말이네요.", base_version=1)
    assert (cleared.status, cleared.no_speech_reason) == ("saved", None)


# --- split and merge ----------------------------------------------------------------------


def test_split_keeps_the_timeline_consistent_and_the_history(wb, wb_people, claimed):
    task_id, segments = claimed
    wb.save_text(wb_people.tina, segments[1].id, "첫 문장. 둘째 문장.", base_version=0)
    first, second = wb.split_segment(wb_people.tina, segments[1].id, 3.7)
    assert (first.id, first.start, first.end, first.text, first.version) == (segments[1].id, 2.5, 3.7, "첫 문장. 둘째 문장.", 2)
    assert (second.position, second.start, second.end, second.text, second.version) == (3, 3.7, 5.0, "", 0)
    spans = timeline(wb, wb_people.tina, task_id)
    assert_consistent(spans, 0.0, 9.0) and len(spans) == 4
    assert [r.kind for r in wb.segment_history(wb_people.tina, first.id)] == ["save", "split"]
    with pytest.raises(StaleVersion):
        wb.save_text(wb_people.tina, first.id, "옛 경계에서 쓴 글.", base_version=1)


@ONE_BACKEND
@pytest.mark.parametrize("at", [2.5, 2.55, 5.0, 7.0, 1.0])
def test_a_split_point_must_lie_inside_the_segment(wb, wb_people, claimed, at):
    task_id, segments = claimed
    before = timeline(wb, wb_people.tina, task_id)
    with pytest.raises(InvalidInput, match="inside segment"):
        wb.split_segment(wb_people.tina, segments[1].id, at)
    assert timeline(wb, wb_people.tina, task_id) == before


def test_merge_joins_neighbours_and_retires_the_second_with_its_history(wb, wb_people, claimed):
    task_id, segments = claimed
    wb.save_text(wb_people.tina, segments[0].id, "안녕하세요", base_version=0)
    wb.save_text(wb_people.tina, segments[1].id, "반갑습니다.", base_version=0)
    merged = wb.merge_with_next(wb_people.tina, segments[0].id)
    assert (merged.start, merged.end, merged.text, merged.version) == (0.0, 5.0, "안녕하세요 반갑습니다.", 2)
    assert timeline(wb, wb_people.tina, task_id) == [(1, 0.0, 5.0), (2, 6.0, 9.0)]
    assert [r.kind for r in wb.segment_history(wb_people.tina, segments[1].id)] == ["save", "merge"]
    with pytest.raises(NotFound):
        wb.save_text(wb_people.tina, segments[1].id, "사라진 구간.", base_version=2)
    with pytest.raises(InvalidInput, match="last one"):
        wb.merge_with_next(wb_people.tina, segments[2].id)


def test_split_at_the_caret_keeps_the_text_before_and_moves_the_text_after(wb, wb_people, claimed):
    task_id, segments = claimed
    wb.save_text(wb_people.tina, segments[1].id, "첫 문장. 둘째 문장.", base_version=0)
    first, second = wb.split_segment(wb_people.tina, segments[1].id, 3.7,
                                     texts=("첫 문장. ", " 둘째  문장."), base_version=1)
    assert (first.text, first.status, first.version) == ("첫 문장.", "saved", 2)
    assert (second.text, second.status, second.version, second.position) == ("둘째 문장.", "saved", 1, 3)
    assert [r.kind for r in wb.segment_history(wb_people.tina, second.id)] == ["split"]
    # All the text before the caret: the new half starts empty, as before.
    third, fourth = wb.split_segment(wb_people.tina, second.id, 4.5, texts=("둘째 문장.", ""), base_version=1)
    assert (third.text, third.version, fourth.text, fourth.status, fourth.version) == ("둘째 문장.", 2, "", "todo", 0)
    assert_consistent(timeline(wb, wb_people.tina, task_id), 0.0, 9.0)


def test_a_split_of_text_typed_on_an_old_version_is_refused_and_changes_nothing(wb, wb_people, claimed):
    task_id, segments = claimed
    wb.save_text(wb_people.tina, segments[1].id, "다른 탭에서 쓴 글.", base_version=0)
    before = timeline(wb, wb_people.tina, task_id)
    with pytest.raises(StaleVersion) as raised:
        wb.split_segment(wb_people.tina, segments[1].id, 3.7, texts=("옛 ", "글."), base_version=0)
    assert raised.value.current.text == "다른 탭에서 쓴 글."
    assert timeline(wb, wb_people.tina, task_id) == before
    assert revision_count(wb, segments[1].id) == 1


@ONE_BACKEND
@pytest.mark.parametrize(("texts", "base_version", "message"), [
    (("하나", "둘", "셋"), 0, "two texts"),
    ("하나둘", 0, "two texts"),
    ((1, "둘"), 0, "must be text"),
    (("하나", None), 0, "must be text"),
    (("하나", "둘"), None, "base version"),
    (("하나", "둘"), -1, "base version"),
    (("하나", "둘"), "0", "base version"),
    (("하나\x00", "둘"), 0, "control character"),
    (("가" * 100_000, ""), 0, "too long|at most"),
])
def test_junk_split_texts_are_refused_and_change_nothing(wb, wb_people, claimed, texts, base_version, message):
    task_id, segments = claimed
    before = timeline(wb, wb_people.tina, task_id)
    with pytest.raises(InvalidInput, match=message):
        wb.split_segment(wb_people.tina, segments[1].id, 3.7, texts=texts, base_version=base_version)
    assert timeline(wb, wb_people.tina, task_id) == before
    assert revision_count(wb, segments[1].id) == 0


def test_a_split_of_another_transcribers_segment_is_refused(wb, wb_people, claimed):
    task_id, segments = claimed
    with pytest.raises(PermissionDenied):
        wb.split_segment(wb_people.tom, segments[1].id, 3.7, texts=("남의 ", "글"), base_version=0)
    assert len(timeline(wb, wb_people.tina, task_id)) == 3


def test_split_then_merge_restores_the_span(wb, wb_people, claimed):
    task_id, segments = claimed
    before = timeline(wb, wb_people.tina, task_id)
    wb.split_segment(wb_people.tina, segments[2].id, 7.5)
    wb.merge_with_next(wb_people.tina, segments[2].id)
    assert timeline(wb, wb_people.tina, task_id) == before


# --- submit -------------------------------------------------------------------------------


def test_guideline_errors_block_submit_with_segment_and_rule(wb, wb_people, claimed):
    task_id, segments = claimed
    wb.save_text(wb_people.tina, segments[0].id, "안녕하세요.", base_version=0)
    wb.save_text(wb_people.tina, segments[1].id, "hello there", base_version=0)
    with pytest.raises(GuidelineViolation) as raised:
        wb.submit_task(wb_people.tina, task_id)
    errors = {(p.position, p.rule) for p in raised.value.problems if p.severity == "error"}
    assert errors == {(2, "script"), (3, "empty-text")}
    assert "segment 2" in str(raised.value)
    assert wb.open_task(wb_people.tina, task_id).task.state == "in_progress"


def test_warnings_do_not_block_submit(wb, wb_people, claimed):
    task_id, segments = claimed
    for segment, text in zip(segments, ["안녕하세요.", "반갑습니다.", "네 좋아요."]):
        wb.save_text(wb_people.tina, segment.id, text, base_version=0)
    warnings = wb.submit_task(wb_people.tina, task_id)
    assert warnings and {p.severity for p in warnings} == {"warning"}
    assert wb.open_task(wb_people.tina, task_id).task.state == "submitted"


def test_a_projects_severities_decide_what_blocks_its_submit(wb, wb_people, wb_clip, tmp_path, monkeypatch):
    import shutil

    from workbench.workflow.guidelines import GUIDELINES_DIR_ENV, guidelines_dir

    for path in guidelines_dir().iterdir():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "projects.toml").write_text('[projects."call-centre"]\nchars-per-second = "warning"\n')
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(tmp_path))
    tasks = {}
    for priority, project in enumerate(["acme", "call-centre"]):
        wb_clip([(0.0, 2.8)], priority=priority, project=project)
    for project in ["call-centre", "acme"]:  # claimed highest priority first
        task_id = wb.claim_next(wb_people.tina).id
        [segment] = wb.open_task(wb_people.tina, task_id).segments
        wb.save_text(wb_people.tina, segment.id, "네.", base_version=0)  # 0.4 characters per second
        tasks[project] = task_id
    # The page shows the problem with the project's severity, and a submit follows it.
    [shown] = wb.open_task(wb_people.tina, tasks["call-centre"]).segments[0].problems
    assert (shown.rule, shown.severity) == ("chars-per-second", "warning")
    assert [(p.rule, p.severity) for p in wb.check_task(wb_people.tina, tasks["acme"])] == [("chars-per-second", "error")]
    assert [p.severity for p in wb.submit_task(wb_people.tina, tasks["call-centre"])] == ["warning"]
    with pytest.raises(GuidelineViolation):
        wb.submit_task(wb_people.tina, tasks["acme"])
    assert wb.open_task(wb_people.tina, tasks["acme"]).task.state == "in_progress"


def test_a_submitted_task_is_read_only_and_cannot_be_submitted_again(wb, wb_people, claimed):
    task_id, segments = claimed
    for segment in segments[:2]:
        wb.save_text(wb_people.tina, segment.id, "안녕하세요 여러분.", base_version=0)
    wb.mark_no_speech(wb_people.tina, segments[2].id, "silence", base_version=0)
    wb.submit_task(wb_people.tina, task_id)
    for attempt in (lambda: wb.submit_task(wb_people.tina, task_id),
                    lambda: wb.save_text(wb_people.tina, segments[0].id, "고침.", base_version=1),
                    lambda: wb.split_segment(wb_people.tina, segments[0].id, 1.0)):
        with pytest.raises(InvalidTransition, match="submitted"):
            attempt()
    view = wb.open_task(wb_people.tina, task_id)
    assert view.task.state == "submitted" and [s.version for s in view.segments] == [1, 1, 1]
