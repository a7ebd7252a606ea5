"""Machine drafts in the workflow: queued on their own queue after processing, written as
revisions by the engine, never over a human's text, and kept out where they would mislead."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest

from drafts_support import clip_with_audio, draft_now, fake_engines
from workbench.drafts.errors import DraftEngineError
from workbench.store.models import DraftHoldback
from workbench.workflow.errors import InvalidInput, StaleVersion


def test_a_processed_clip_queues_its_drafting_on_the_drafts_queue_not_the_clip_queue(wb, wb_people, monkeypatch):
    fake_engines(wb)

    def pipeline(input_path, out_dir, *, language, progress=None, settings=None):
        out_dir.mkdir(parents=True)
        segments = (SimpleNamespace(start=0.5, end=2.0, audio_filepath="segments/a.flac"),)
        return SimpleNamespace(segments=segments, report={"input": {"duration": 3.0}})

    monkeypatch.setattr("workbench.audio.pipeline.process_file", pipeline)
    clip = wb.import_clip(wb_people.admin, filename="a.wav", source=b"RIFF", language="ko", project="acme")
    assert wb.queue.queued == [clip.id] and wb.queue.drafts == []
    done = wb.process_clip(clip.id)
    assert wb.queue.queued == [clip.id] and wb.queue.drafts == [clip.id]
    assert (done.status, done.draft_state, done.draft_progress) == ("ready", "queued", "queued 0/1")


def test_without_an_engine_for_the_project_and_language_nothing_is_queued(wb, wb_people, tmp_path):
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    with pytest.raises(InvalidInput, match="No draft engine"):
        wb.redraft_clip(wb_people.admin, clip.id)
    assert wb.queue.drafts == [] and wb.clip(wb_people.admin, clip.id).draft_progress == ""


def test_a_draft_is_a_revision_by_the_engine_that_prefills_the_text(wb, wb_people, tmp_path):
    fake = fake_engines(wb, probabilities={"of": 0.2})
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    done = draft_now(wb, wb_people.admin, clip.id)
    assert (done.draft_state, done.draft_progress) == ("done", "done 3/3")
    assert fake.calls and fake.calls[0][1] == "ko"

    task = wb.open_task(wb_people.tina, wb.claim_next(wb_people.tina).id)
    first = task.segments[0]
    assert (first.text, first.version, first.status) == (f"draft of {first.id}", 1, "todo")
    assert first.draft.untouched and first.draft.engine == fake.engine_id
    assert [(w.text, w.probability) for w in first.draft.words] == [
        ("draft", 0.95), ("of", 0.2), (str(first.id), 0.95)]
    (revision,) = wb.segment_history(wb_people.tina, first.id)
    assert (revision.author, revision.role, revision.kind) == (fake.engine_id, "machine", "draft")
    assert revision.author.startswith("asr:fake@")


def test_a_human_save_after_a_draft_is_an_ordinary_revision_and_the_draft_is_kept(wb, wb_people, tmp_path):
    fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    draft_now(wb, wb_people.admin, clip.id)
    first = wb.open_task(wb_people.tina, wb.claim_next(wb_people.tina).id).segments[0]
    saved = wb.save_text(wb_people.tina, first.id, "네 맞아요.", base_version=first.version, typed_chars=7)
    assert (saved.text, saved.version, saved.status, saved.draft.untouched) == ("네 맞아요.", 2, "saved", False)
    history = wb.segment_history(wb_people.tina, first.id)
    assert [(r.role, r.kind, r.text) for r in history] == [
        ("machine", "draft", f"draft of {first.id}"), ("transcriber", "save", "네 맞아요.")]


@pytest.mark.parametrize("language", ["ko", "en"])  # ko is re-cut first, as the job does
def test_a_draft_that_repeats_itself_is_withheld_and_its_segment_is_typed_from_the_audio(wb, wb_people, tmp_path,
                                                                                         language):
    loop = "산묵, " * 21  # how Whisper loops at temperature 0 on bad audio
    fake_engines(wb, texts={"1": loop.strip(), "2": "la la la, I said the blue one.", "3": "no, no, no."})
    clip = clip_with_audio(wb, wb_people.admin, tmp_path, language=language)
    done = draft_now(wb, wb_people.admin, clip.id)
    assert done.draft_progress == ("done 3/3: 1 draft withheld: the engine repeated itself; "
                                   "those segments are typed from the audio")

    tina = wb_people.tina if language == "ko" else wb_people.ed
    first, second, third = wb.open_task(tina, wb.claim_next(tina).id).segments
    assert (first.text, first.version, first.draft) == ("", 0, None)
    assert wb.segment_history(tina, first.id) == []
    assert (second.text, second.version) == ("la la la, I said the blue one.", 1)
    assert (third.text, third.version) == ("no, no, no.", 1)  # a genuine repeat is a draft
    drafted = next(e for e in wb.audit_log(wb_people.admin) if e.action == "clip.drafted")
    assert json.loads(drafted.detail)["withheld"] == 1


def test_a_queued_draft_job_leaves_a_segment_a_human_has_typed_alone(wb, wb_people, tmp_path):
    fake = fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    task = wb.open_task(wb_people.tina, wb.claim_next(wb_people.tina).id)
    typed = task.segments[0]
    wb.save_text(wb_people.tina, typed.id, "사람이 쓴 문장.", base_version=0)
    draft_now(wb, wb_people.admin, clip.id)
    after = wb.open_task(wb_people.tina, task.task.id).segments
    assert (after[0].text, after[0].version, after[0].draft) == ("사람이 쓴 문장.", 1, None)
    assert [s.text for s in after[1:]] == [f"draft of {s.id}" for s in after[1:]]
    assert str(typed.id) not in fake.calls[0][0]


def test_a_human_who_types_while_the_engine_drafts_keeps_their_text(wb, wb_people, tmp_path):
    fake = fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    first = wb.open_task(wb_people.tina, wb.claim_next(wb_people.tina).id).segments[0]
    drafting = fake.draft

    def slow_draft(segments, language):
        wb.save_text(wb_people.tina, first.id, "먼저 쓴 문장.", base_version=0)  # typed mid-job
        return drafting(segments, language)

    fake.draft = slow_draft
    assert draft_now(wb, wb_people.admin, clip.id).draft_state == "done"
    kept = wb.open_task(wb_people.tina, first.task_id).segments[0]
    assert (kept.text, kept.version, kept.draft) == ("먼저 쓴 문장.", 1, None)
    assert [r.role for r in wb.segment_history(wb_people.tina, first.id)] == ["transcriber"]


def test_a_stale_save_of_a_drafted_segment_answers_with_the_stored_segment_and_its_draft(wb, wb_people, tmp_path):
    fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    page = wb.open_task(wb_people.tina, wb.claim_next(wb_people.tina).id)  # opened before the draft came
    first, second = page.segments[:2]
    assert (first.version, first.draft) == (0, None)
    draft_now(wb, wb_people.admin, clip.id)
    with pytest.raises(StaleVersion) as typed_before_the_draft:
        wb.save_text(wb_people.tina, first.id, "먼저 쓴 문장.", base_version=0)
    stored = typed_before_the_draft.value.current
    assert (stored.text, stored.version, stored.draft.text, stored.draft.untouched) == (
        f"draft of {first.id}", 1, f"draft of {first.id}", True)

    saved = wb.save_text(wb_people.tina, second.id, "고친 문장.", base_version=1)
    with pytest.raises(StaleVersion) as from_another_tab:
        wb.save_text(wb_people.tina, second.id, "다른 탭의 문장.", base_version=1)
    stored = from_another_tab.value.current
    assert (stored.text, stored.version, stored.draft) == ("고친 문장.", 2, saved.draft)
    assert (stored.draft.text, stored.draft.untouched) == (f"draft of {second.id}", False)


@pytest.mark.parametrize("barred", ["held back after drafting", "a hook"])
def test_an_autosave_shows_a_draft_exactly_where_the_task_page_does(wb, wb_people, tmp_path, barred):
    fake_engines(wb)
    draft_now(wb, wb_people.admin, clip_with_audio(wb, wb_people.admin, tmp_path).id)
    task_id = wb.claim_next(wb_people.tina).id
    if barred == "a hook":
        wb.drafts_allowed = lambda task, segment: segment.position != 2
    else:  # the task is held back once drafted (a holdback is drawn at creation: the rule, not the path)
        with wb.store.session() as session:
            session.add(DraftHoldback(task_id=task_id, created_at=wb.now()))
    page = wb.open_task(wb_people.tina, task_id).segments
    assert [s.draft is None for s in page] == ([False, True, False] if barred == "a hook" else [True, True, True])
    saved = [wb.save_text(wb_people.tina, s.id, "새 문장.", base_version=s.version) for s in page]
    assert [s.draft for s in saved] == [s.draft and dataclasses.replace(s.draft, untouched=False) for s in page]
    assert [s.draft for s in saved] == [s.draft for s in wb.open_task(wb_people.tina, task_id).segments]


def test_a_segment_drafts_are_not_allowed_on_gets_no_draft_and_shows_none(wb, wb_people, tmp_path):
    fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    wb.drafts_allowed = lambda task, segment: segment.position != 2  # e.g. a gold segment
    draft_now(wb, wb_people.admin, clip.id)
    segments = wb.open_task(wb_people.tina, wb.claim_next(wb_people.tina).id).segments
    assert [(s.version, s.draft is None) for s in segments] == [(1, False), (0, True), (1, False)]


def test_an_engine_that_fails_fails_the_drafting_with_its_reason_and_the_clip_stays_ready(wb, wb_people, tmp_path):
    fake = fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)

    def broken(segments, language):
        raise DraftEngineError("Whisper model file model.bin has sha256 0000, expected d01c; refusing to load it")

    fake.draft = broken
    failed = draft_now(wb, wb_people.admin, clip.id)
    assert (failed.status, failed.draft_state) == ("ready", "failed")
    assert failed.draft_progress.startswith("drafts failed: Whisper model file model.bin")
    segments = wb.open_task(wb_people.tina, wb.claim_next(wb_people.tina).id).segments
    assert [s.version for s in segments] == [0, 0, 0]


def test_a_duplicate_draft_job_does_nothing(wb, wb_people, tmp_path):
    fake = fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    draft_now(wb, wb_people.admin, clip.id)
    wb.draft_clip(clip.id)
    assert len(fake.calls) == 1


def test_a_drafting_job_sends_whole_packed_windows_so_no_batch_leaves_a_half_empty_window(wb, wb_people, tmp_path):
    # 36 segments of 6.9 s: four fill a 29.5 s window (with 0.5 s gaps), so the clip packs
    # into 9 windows. Batches of "about two minutes" (18 segments) would pack into 2 x 5
    # windows, each batch's last one half empty but as costly as a full one.
    from workbench.drafts.packing import window_groups

    fake = fake_engines(wb)
    spans = [(n * 7.5, n * 7.5 + 6.9) for n in range(36)]
    clip = clip_with_audio(wb, wb_people.admin, tmp_path, spans=spans)
    assert draft_now(wb, wb_people.admin, clip.id).draft_progress == "done 36/36"
    batches = [len(ids) for ids, _ in fake.calls]
    assert batches == [16, 16, 4]
    assert sum(len(window_groups([6.9] * n)) for n in batches) == len(window_groups([6.9] * 36)) == 9


def test_the_cli_chooses_the_engine_per_project_and_language_and_a_drafts_worker_drafts(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from workbench.cli import app
    from workbench.worker import jobs_of, open_immediate
    from workbench.worker import open_queued

    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)
    run = CliRunner().invoke
    assert run(app, ["drafts", "set", "fake", "--language", "ko"]).exit_code == 0
    off = run(app, ["drafts", "set", "off", "--project", "call-center", "--language", "ko"])
    assert off.exit_code == 0, off.output
    refused = run(app, ["drafts", "set", "fake", "--language", "th"])
    assert refused.exit_code == 1 and "unknown language 'th'" in refused.output
    assert run(app, ["drafts", "set", "nemo"]).output.startswith("error: Unknown draft backend 'nemo'")

    for junk, says in ((["whisper", "--option", "loop_reread_ngram=-1"], "loop_reread_ngram must be a whole number"),
                       (["whisper", "--option", "beam_size=five"], "beam_size must be a whole number"),
                       (["whisper", "--option", "window_seconds=300"], "window_seconds must be a number from 0"),
                       (["whisper", "--option", "beams=5"], "unknown whisper option(s) beams"),
                       (["openai", "--option", "url=ftp://x", "--option", "model=m"], "must start with http"),
                       (["openai", "--option", "url=http://x", "--option", "model=m", "--option", "timeout=soon"],
                        "options are refused")):
        refused = run(app, ["drafts", "set", *junk, "--language", "en"])
        assert (refused.exit_code, refused.output.startswith("error: ")) == (1, True), refused.output
        assert says in refused.output
    chosen = run(app, ["drafts", "set", "whisper", "--option", "loop_reread_ngram=0", "--language", "ja"])
    assert chosen.exit_code == 0, chosen.output

    wb = open_immediate()
    assert wb.draft_engines.choice_for("acme", "ko").name == "fake"
    assert wb.draft_engines.choice_for("call-center", "ko") is None
    assert wb.draft_engines.choice_for("acme", "en") is None  # nothing refused was kept
    assert wb.draft_engines.choice_for("acme", "ja").options == {"loop_reread_ngram": 0}
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    clip = clip_with_audio(wb, admin, tmp_path)
    wb.close()
    shown = run(app, ["clips", "draft", str(clip.id)])
    assert (shown.exit_code, shown.output) == (0, f"clip {clip.id}: queued 0/3\n")

    worker = open_queued()  # a `workbench worker --queue drafts` process
    assert worker.queue.pending("drafts") == 1 and worker.queue.pending("clips") == 0
    assert not worker.queue.run_one(jobs_of(worker)) and worker.queue.run_one(jobs_of(worker), queue="drafts")
    worker.close()
    assert "done 3/3" in run(app, ["clips", "list"]).output
