"""A clip's lifecycle, through the Workbench on both databases: a duplicate upload (same
bytes) is asked about, a clip is withdrawn or corrected before work is done, a failed clip is
dismissed, a transcriber sends a clip back as the wrong language, and the admin's task
screen releases, reassigns and measures throughput."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.builders import SPANS, TEXTS, take_through_review, transcribe
from tests.listening import hear
from tests.test_states import clip_of, stored_state, task_in
from workbench.domain.states import TaskState
from workbench.store import repo
from workbench.workflow.errors import (
    DuplicateClip,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    WorkbenchError,
)

AUDIO = b"RIFF" + bytes(range(256)) * 4


def data_files(wb) -> list[Path]:
    return sorted(p.relative_to(wb.data_dir) for p in wb.data_dir.rglob("*")
                  if p.is_file() and not p.name.startswith(("workbench.db", "queue.db")))


def detail(entry) -> dict:
    return json.loads(entry.detail)


def import_audio(wb, actor, *, name="a.wav", source=AUDIO, **options):
    return wb.import_clip(actor, filename=name, source=source, language="ko", project="acme", **options)


def everything(wb, admin):
    """What a refused call must leave as it was: clips (dismissed too), tasks, audit, files."""
    return ([(c.id, c.status, c.language, c.project, c.withdrawn_at, c.dismissed_at, c.task_state)
             for c in wb.list_clips(admin, include_dismissed=True)],
            [(t.id, t.state, t.language, t.transcriber) for t in wb.list_tasks(admin)],
            len(wb.audit_log(admin, limit=10_000)), data_files(wb), list(wb.queue.queued))


# --- duplicates by content hash ---------------------------------------------------------------


@pytest.mark.parametrize("as_file", [False, True], ids=["bytes", "file"])
def test_a_second_upload_of_the_same_bytes_is_refused_naming_the_clip_and_writes_nothing(wb, wb_people, tmp_path,
                                                                                         as_file):
    source = AUDIO
    if as_file:
        source = tmp_path / "upload.wav"
        source.write_bytes(AUDIO)
    first = import_audio(wb, wb_people.admin, source=source)
    before = everything(wb, wb_people.admin)
    with pytest.raises(DuplicateClip, match=f"clip #{first.id} \\(a.wav, project acme\\)") as refused:
        import_audio(wb, wb_people.admin, name="renamed.wav", source=source)
    assert refused.value.clip_id == first.id
    assert everything(wb, wb_people.admin) == before


def test_upload_anyway_imports_the_duplicate_and_the_audit_names_the_original(wb, wb_people):
    first = import_audio(wb, wb_people.admin)
    second = import_audio(wb, wb_people.admin, allow_duplicate=True)
    assert second.id != first.id and wb.queue.queued == [first.id, second.id]
    imported = [e for e in wb.audit_log(wb_people.admin) if e.action == "clip.imported"]
    assert [detail(e)["duplicate_of"] for e in reversed(imported)] == [None, first.id]


def test_other_bytes_under_the_same_name_are_not_a_duplicate(wb, wb_people):
    import_audio(wb, wb_people.admin)
    assert import_audio(wb, wb_people.admin, source=AUDIO + b"\x00").status == "queued"


def test_the_bytes_of_a_withdrawn_clip_may_be_uploaded_again(wb, wb_people):
    first = import_audio(wb, wb_people.admin)
    wb.withdraw_clip(wb_people.admin, first.id, reason="uploaded under the wrong project")
    assert import_audio(wb, wb_people.admin).id != first.id


def test_two_uploads_of_the_same_bytes_at_once_make_one_clip(wb, wb_people, monkeypatch):
    """The second upload reaches the duplicate check only after the first is stored: while
    the first waits inside the check, the second never arrives there (the lock holds it)."""
    looked = repo.clip_with_content
    arrived, calls = threading.Event(), []

    def slow_look(session, digest):
        calls.append(digest)
        if len(calls) == 1:
            arrived.wait(timeout=2)  # without the lock the second upload gets here meanwhile
        else:
            arrived.set()
        return looked(session, digest)

    monkeypatch.setattr(repo, "clip_with_content", slow_look)
    outcomes = []

    def upload(name):
        try:
            outcomes.append(import_audio(wb, wb_people.admin, name=name).id)
        except Exception as error:  # noqa: BLE001 - whatever went wrong shows in the assertion
            outcomes.append(error)

    threads = [threading.Thread(target=upload, args=(f"{n}.wav",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["DuplicateClip", "int"]
    assert len(wb.list_clips(wb_people.admin)) == 1


# --- withdraw -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [s for s in TaskState if s != TaskState.HELD])
def test_a_withdrawn_clip_leaves_every_queue_unless_its_task_is_complete(wb, wb_people, wb_clip, state):
    people = wb_people
    task_id = task_in(wb, people, wb_clip, state)
    clip_id = clip_of(wb, task_id)
    if state == TaskState.COMPLETE:
        before = everything(wb, people.admin)
        with pytest.raises(InvalidTransition, match="complete"):
            wb.withdraw_clip(people.admin, clip_id, reason="cancelled")
        assert everything(wb, people.admin) == before
        return
    clip = wb.withdraw_clip(people.admin, clip_id, reason="the client cancelled it")
    assert clip.withdrawn_at is not None and stored_state(wb, task_id) == TaskState.HELD
    mine = wb.my_queue(people.tina)
    assert task_id not in [t.id for t in (*mine.open, *mine.returned)]
    assert task_id not in [t.id for t in wb.review_queue(people.rita)]
    with pytest.raises(WorkbenchError):
        wb.claim_next_id(people.tom)
    entry = next(e for e in wb.audit_log(people.admin) if e.action == "clip.withdrawn")
    assert detail(entry) == {"reason": "the client cancelled it", "task_state": state}


def test_a_clip_is_withdrawn_once_and_not_while_processing_and_never_retried(wb, wb_people):
    clip = import_audio(wb, wb_people.admin)
    with wb.store.session() as session:
        repo.get_clip(session, clip.id).status = "processing"
    with pytest.raises(InvalidTransition, match="being processed"):
        wb.withdraw_clip(wb_people.admin, clip.id, reason="x")
    with wb.store.session() as session:
        repo.get_clip(session, clip.id).status = "failed"
    wb.withdraw_clip(wb_people.admin, clip.id, reason="x")
    with pytest.raises(InvalidTransition, match="already withdrawn"):
        wb.withdraw_clip(wb_people.admin, clip.id, reason="x")
    with pytest.raises(InvalidTransition, match="withdrawn"):
        wb.retry_clip(wb_people.admin, clip.id)


def test_a_queued_clip_withdrawn_before_its_worker_runs_is_not_processed(wb, wb_people):
    clip = import_audio(wb, wb_people.admin)
    wb.withdraw_clip(wb_people.admin, clip.id, reason="uploaded by mistake")
    assert wb.process_clip(clip.id).status == "queued"
    assert wb.clip(wb_people.admin, clip.id).task_id is None


# --- correct language or project -----------------------------------------------------------------

# (what happened to the ko task first, the correction, what follows: None for accepted, else
# the error and a word of its message)
CORRECTIONS = [
    ("open", dict(language="en"), None),
    ("open", dict(project="globex"), None),
    ("open", dict(language="en", project="globex"), None),
    ("claimed", dict(language="en"), None),
    ("claimed", dict(project="globex"), None),
    ("typed", dict(language="en"), (InvalidTransition, "work was already done")),
    ("no speech", dict(project="globex"), (InvalidTransition, "work was already done")),
    ("submitted", dict(language="en"), (InvalidTransition, "work was already done")),
    ("withdrawn", dict(language="en"), (InvalidTransition, "withdrawn")),
    ("open", dict(language="ko", project="acme"), (InvalidInput, "already has")),
    ("open", dict(language="fr"), (InvalidInput, "language")),
    ("open", dict(project=" "), (InvalidInput, "project")),
]


def bring(wb, people, task_id: int, step: str) -> None:
    if step == "open":
        return
    wb.claim_next_id(people.tina)
    segment = wb.open_task(people.tina, task_id).segments[0]
    if step == "typed":
        wb.save_text(people.tina, segment.id, TEXTS[0], base_version=segment.version)
    elif step == "no speech":
        wb.mark_no_speech(people.tina, segment.id, "silence or noise", base_version=segment.version)
    elif step == "submitted":
        transcribe(wb, people.tina, task_id)
    elif step == "withdrawn":
        wb.withdraw_clip(people.admin, clip_of(wb, task_id), reason="cancelled")


@pytest.mark.parametrize("step, change, refusal", CORRECTIONS,
                         ids=[f"{s}-{'+'.join(f'{k}={v}' for k, v in c.items())}" for s, c, _ in CORRECTIONS])
def test_a_clip_is_corrected_only_before_any_work_is_done(wb, wb_people, wb_clip, step, change, refusal):
    task_id = wb_clip()
    bring(wb, wb_people, task_id, step)
    clip_id = clip_of(wb, task_id)
    if refusal is not None:
        before = everything(wb, wb_people.admin)
        with pytest.raises(refusal[0], match=refusal[1]):
            wb.correct_clip(wb_people.admin, clip_id, reason="labelled wrongly", **change)
        assert everything(wb, wb_people.admin) == before
        return
    clip = wb.correct_clip(wb_people.admin, clip_id, reason="labelled wrongly", **change)
    expected = {"language": "ko", "project": "acme", **change}
    assert (clip.language, clip.project) == (expected["language"], expected["project"])
    task = wb.list_tasks(wb_people.admin)[0]
    assert task.language == expected["language"]
    if "language" in change:  # in the new language's queue, out of the old one's hands
        assert task.state == TaskState.OPEN
        assert wb.claim_next_id(wb_people.ed) == task_id
    entry = next(e for e in wb.audit_log(wb_people.admin) if e.action == "clip.corrected")
    assert detail(entry)["reason"] == "labelled wrongly"
    assert {k: v["new"] for k, v in detail(entry).items() if isinstance(v, dict)} == change


def test_a_machine_draft_is_not_work_done(wb, wb_people, wb_clip):
    from workbench.store.models import Revision, Segment

    task_id = wb_clip()
    with wb.store.session() as session:
        segment = session.query(Segment).filter_by(task_id=task_id, position=1).one()
        segment.version, segment.text = 1, "기계 초안"
        session.add(Revision(segment_id=segment.id, version=1, base_version=0, text="기계 초안", no_speech=False,
                             author_id=None, role="machine", kind="draft", created_at=wb.now()))
    assert wb.correct_clip(wb_people.admin, clip_of(wb, task_id), language="en", reason="English").language == "en"


# --- dismiss failed clips -----------------------------------------------------------------------


def test_a_failed_clip_is_dismissed_from_the_list_and_kept_in_the_store_and_the_log(wb, wb_people):
    failed = import_audio(wb, wb_people.admin)
    wb.process_clip(failed.id)  # not audio: it fails
    assert wb.clip(wb_people.admin, failed.id).status == "failed"
    ready = wb.register_processed_clip(wb_people.admin, filename="b.wav", language="ko", project="acme",
                                       duration=10, segments=SPANS)
    with pytest.raises(InvalidTransition, match="only a failed clip"):
        wb.dismiss_clip(wb_people.admin, ready.id)
    wb.dismiss_clip(wb_people.admin, failed.id)
    assert [c.id for c in wb.list_clips(wb_people.admin)] == [ready.id]
    assert [c.id for c in wb.list_clips(wb_people.admin, include_dismissed=True)] == [ready.id, failed.id]
    assert any(e.action == "clip.dismissed" and e.entity_id == failed.id for e in wb.audit_log(wb_people.admin))
    with pytest.raises(InvalidTransition, match="already dismissed"):
        wb.dismiss_clip(wb_people.admin, failed.id)
    wb.retry_clip(wb_people.admin, failed.id)  # a retry brings it back
    assert failed.id in [c.id for c in wb.list_clips(wb_people.admin)]


# --- wrong language for the whole clip ----------------------------------------------------------


def test_a_clip_sent_back_as_the_wrong_language_waits_for_the_admin_then_reaches_the_right_queue(wb, wb_people,
                                                                                                wb_clip):
    people = wb_people
    task_id = wb_clip()
    wb.claim_next_id(people.tina)
    assert wb.send_back_wrong_language(people.tina, task_id).state == TaskState.HELD
    assert wb.my_queue(people.tina).open == ()
    with pytest.raises(WorkbenchError):
        wb.claim_next_id(people.tom)
    with pytest.raises(PermissionDenied):
        wb.open_task(people.tina, task_id)
    clip = wb.list_clips(people.admin)[0]
    assert (clip.language_report_by, clip.task_state) == ("tina", TaskState.HELD)
    wb.correct_clip(people.admin, clip.id, language="en", reason="English speech throughout")
    assert wb.list_clips(people.admin)[0].language_report_by is None
    assert wb.claim_next_id(people.ed) == task_id


def test_an_admin_who_finds_the_label_right_puts_the_clip_back_as_it_was(wb, wb_people, wb_clip):
    task_id = wb_clip()
    wb.claim_next_id(wb_people.tina)
    wb.send_back_wrong_language(wb_people.tina, task_id)
    wb.correct_clip(wb_people.admin, clip_of(wb, task_id), reason="it is Korean; the opening is English")
    assert wb.claim_next_id(wb_people.tom) == task_id


# (who sends back, the task's state first, the refusal)
SEND_BACKS = [
    ("tom", "tina's", PermissionDenied),     # another transcriber's task
    ("ed", "tina's", PermissionDenied),      # another language's task
    ("rita", "tina's", PermissionDenied),    # a reviewer only
    ("admin", "tina's", PermissionDenied),   # an admin is no transcriber
    ("tina", "submitted", InvalidTransition),
    ("tina", "open", PermissionDenied),      # not claimed by anyone
]


@pytest.mark.parametrize("who, task, refusal", SEND_BACKS, ids=[f"{w}-{t}" for w, t, _ in SEND_BACKS])
def test_only_the_transcriber_working_on_a_task_sends_it_back(wb, wb_people, wb_clip, who, task, refusal):
    task_id = wb_clip()
    if task != "open":
        wb.claim_next_id(wb_people.tina)
    if task == "submitted":
        transcribe(wb, wb_people.tina, task_id)
    before = everything(wb, wb_people.admin)
    with pytest.raises(refusal):
        wb.send_back_wrong_language(getattr(wb_people, who), task_id)
    assert everything(wb, wb_people.admin) == before


# --- task screen: reassign and throughput --------------------------------------------------------

# (state of the task first, given to, the refusal or None)
REASSIGNMENTS = [
    ("open", "tom", None),
    ("tina's", "tom", None),
    ("returned", "tom", None),
    ("tina's", "ed", InvalidInput),           # another language
    ("tina's", "rita", InvalidInput),         # not a transcriber
    ("tina's", "tina", InvalidInput),         # already hers
    ("tina's", "nobody", NotFound),
    ("submitted", "tom", InvalidTransition),
    ("complete", "tom", InvalidTransition),
    ("returned", "bo", InvalidInput),          # bo reviewed it: never her own review
]


@pytest.mark.parametrize("task, to, refusal", REASSIGNMENTS, ids=[f"{t}-{w}" for t, w, _ in REASSIGNMENTS])
def test_an_admin_reassigns_an_open_or_held_task_to_a_transcriber_of_its_language(wb, wb_people, wb_clip,
                                                                                  task, to, refusal):
    state = {"open": TaskState.OPEN, "tina's": TaskState.IN_PROGRESS, "returned": TaskState.RETURNED,
             "submitted": TaskState.SUBMITTED, "complete": TaskState.COMPLETE}[task]
    if to == "bo":
        task_id = wb_clip()
        wb.claim_next_id(wb_people.tina)
        transcribe(wb, wb_people.tina, task_id)
        view = wb.start_review(wb_people.bo, task_id)
        hear(wb, wb_people.bo, view.segments, wb.clock)
        wb.return_segment(wb_people.bo, view.segments[0].id, "다시 들어 보세요")
        wb.accept_all_played(wb_people.bo, task_id)
        wb.finish_review(wb_people.bo, task_id)
    else:
        task_id = task_in(wb, wb_people, wb_clip, state)
    if refusal is not None:
        before = everything(wb, wb_people.admin)
        with pytest.raises(refusal):
            wb.reassign_task(wb_people.admin, task_id, username=to, reason="tina is away")
        assert everything(wb, wb_people.admin) == before
        return
    summary = wb.reassign_task(wb_people.admin, task_id, username=to, reason="tina is away")
    assert (summary.transcriber, summary.state) == (to, state if state != TaskState.OPEN else TaskState.IN_PROGRESS)
    assert task_id in [t.id for t in (*wb.my_queue(wb_people.tom).open, *wb.my_queue(wb_people.tom).returned)]
    entry = next(e for e in wb.audit_log(wb_people.admin) if e.action == "task.reassigned")
    assert detail(entry)["reason"] == "tina is away"


def test_throughput_counts_the_audio_minutes_each_transcriber_submitted_and_got_accepted(wb, wb_people, wb_clip):
    spans = [(0.0, 4.0), (4.0, 8.0), (8.0, 12.0)]  # 0.2 minutes of speech
    wb_clip(spans)
    wb_clip(spans, priority=-1)
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=wb.claim_next_id(wb_people.tina))
    transcribe(wb, wb_people.tina, wb.claim_next_id(wb_people.tina))
    [tina] = wb.worker_throughput(wb_people.admin, days=7)
    assert (tina.username, tina.tasks_submitted) == ("tina", 2)
    assert (tina.submitted_minutes, tina.accepted_minutes) == pytest.approx((0.4, 0.2))
    assert tina.submitted_per_day == pytest.approx(0.4 / 7) and tina.submitted_per_hour is None
    wb.clock.advance(days=8)
    assert wb.worker_throughput(wb_people.admin, days=7) == []


def test_the_task_list_shows_the_clip_duration(wb, wb_people, wb_clip):
    wb_clip([(0.0, 2.0)])
    assert [t.clip_duration for t in wb.list_tasks(wb_people.admin)] == [3.0]


@pytest.mark.parametrize("call", [
    lambda wb, p: wb.withdraw_clip(p.tina, 1, reason="x"),
    lambda wb, p: wb.correct_clip(p.tina, 1, language="en", reason="x"),
    lambda wb, p: wb.dismiss_clip(p.tina, 1),
    lambda wb, p: wb.reassign_task(p.tina, 1, username="tom", reason="x"),
    lambda wb, p: wb.worker_throughput(p.tina),
], ids=["withdraw", "correct", "dismiss", "reassign", "throughput"])
def test_a_transcriber_calling_an_admin_action_is_refused_and_changes_nothing(wb, wb_people, wb_clip, call):
    wb_clip()
    before = everything(wb, wb_people.admin)
    with pytest.raises(PermissionDenied):
        call(wb, wb_people)
    assert everything(wb, wb_people.admin) == before


# --- what the admin page shows -------------------------------------------------------------------


def test_the_admin_clip_list_says_who_sent_a_clip_back_and_keeps_it_on_the_list(wb, wb_people, wb_clip):
    from workbench.ui.admin.clips import clips_html
    from workbench.ui.handlers import admin, lifecycle

    task_id = wb_clip()
    wb.claim_next_id(wb_people.tina)
    wb.send_back_wrong_language(wb_people.tina, task_id)
    for n in range(10):  # newer ready clips push old ready ones off the list, not this one
        wb_clip(priority=n + 1)
    shown = admin.processing_clips(wb, wb_people.admin)
    assert clip_of(wb, task_id) in [c.id for c in shown]
    assert "sent back by tina" in clips_html(shown) and "correct its language" in clips_html(shown)
    [row] = [r for r in lifecycle.task_rows(wb.list_tasks(wb_people.admin)) if r[0] == task_id]
    assert row[4:7] == ["held", "—", "0.2"]  # state, holder, clip minutes (10 s)


def test_the_admin_pages_clip_action_refuses_junk_with_a_clear_message(wb, wb_people, wb_clip):
    from workbench.ui.handlers import lifecycle

    wb_clip()
    for clip_id, action, message in [(None, "withdraw", "clip's number"), (0, "withdraw", "clip"),
                                     (2**70, "dismiss", "clip"), (1, "explode", "Unknown clip action")]:
        with pytest.raises(InvalidInput, match=message):
            lifecycle.clip_action(wb, wb_people.admin, clip_id, action, reason="x")
    with pytest.raises(InvalidInput, match="task's number"):
        lifecycle.release_or_reassign(wb, wb_people.admin, None, to="", reason="x")
