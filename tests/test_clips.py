"""Clips: an upload is kept safe under the data directory, processed by the queue worker
into one task, and a failure is recorded with its reason and can be retried."""

import json
from pathlib import Path

import pytest
import soundfile as sf

from tests.builders import open_processing_workbench, open_workbench
from workbench.audio.errors import AudioError
from workbench.queue import HueyQueue
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from workbench.worker import jobs_of

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"

# Input validation happens before any query, so one backend is enough for these tables.
ONE_BACKEND = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)



def data_files(wb):
    return sorted(p.relative_to(wb.data_dir) for p in wb.data_dir.rglob("*")
                  if p.is_file() and not p.name.startswith(("workbench.db", "queue.db")))


def test_an_import_keeps_the_upload_under_a_safe_name_and_queues_processing(wb, wb_people):
    clip = wb.import_clip(wb_people.admin, filename="회의 녹음 (1).wav", source=b"RIFF....", language="ko",
                          project="acme", priority=3)
    assert (clip.status, clip.filename, clip.priority, clip.task_id) == ("queued", "회의_녹음_1_.wav", 3, None)
    assert data_files(wb) == [Path("uploads", str(clip.id), "회의_녹음_1_.wav")]
    assert wb.queue.queued == [clip.id]


@ONE_BACKEND
@pytest.mark.parametrize("change, message", [
    (dict(language="fr"), "Unknown language"),
    (dict(filename="../../etc/cron.d/evil.wav"), "path"),
    (dict(filename="/abs/clip.wav"), "path"),
    (dict(filename="..\\\\clip.wav"), "path"),
    (dict(source=b"x" * 1025), "limit"),
    (dict(source=b""), "empty"),
    (dict(source=Path("/nonexistent/clip.wav")), "Cannot read"),
    (dict(source=Path(__file__).parent), "not a file"),
    (dict(project="  "), "project"),
])
def test_a_bad_import_changes_nothing(wb, wb_people, change, message, wb_reopen):
    small = wb_reopen(max_upload_bytes=1024)
    values = dict(filename="clip.wav", source=b"RIFF....", language="ko", project="acme") | change
    with pytest.raises(InvalidInput, match=message):
        small.import_clip(wb_people.admin, **values)
    assert small.list_clips(wb_people.admin) == [] and wb.queue.queued == []
    assert data_files(wb) == []


def test_only_an_admin_imports(wb, wb_people):
    with pytest.raises(PermissionDenied):
        wb.import_clip(wb_people.tina, filename="a.wav", source=b"RIFF", language="ko", project="acme")
    assert data_files(wb) == []


def test_a_failure_keeps_its_reason_and_stage_and_the_upload_and_can_be_retried(wb, wb_people, monkeypatch):
    def broken_pipeline(input_path, out_dir, *, language, progress=None, settings=None):
        progress("decode", 0.1)
        progress("denoise", 0.5)
        raise AudioError("the file holds no audio stream")

    monkeypatch.setattr("workbench.audio.pipeline.process_file", broken_pipeline)
    clip = wb.import_clip(wb_people.admin, filename="a.wav", source=b"not audio", language="ko", project="acme")
    failed = wb.process_clip(clip.id)
    assert (failed.status, failed.stage, failed.percent) == ("failed", "denoise", 50.0)
    assert failed.error == "the file holds no audio stream" and failed.task_id is None
    assert (wb.data_dir / "uploads" / str(clip.id) / "a.wav").read_bytes() == b"not audio"
    assert wb.retry_clip(wb_people.admin, clip.id).status == "queued"
    assert wb.queue.queued == [clip.id, clip.id]
    with pytest.raises(InvalidTransition, match="only a failed clip"):
        wb.retry_clip(wb_people.admin, clip.id)


def test_a_crash_in_processing_is_recorded_too(wb, wb_people, monkeypatch):
    def crashing_pipeline(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr("workbench.audio.pipeline.process_file", crashing_pipeline)
    clip = wb.import_clip(wb_people.admin, filename="a.wav", source=b"RIFF", language="ko", project="acme")
    assert "MemoryError" in wb.process_clip(clip.id).error


@ONE_BACKEND
@pytest.mark.parametrize("spans", [[(0, 2), (1.5, 3)], [(2, 1)], [(0, 12)], [(-1, 1)]])
def test_registering_a_clip_refuses_an_inconsistent_timeline(wb, wb_people, spans):
    with pytest.raises(InvalidInput):
        wb.register_processed_clip(wb_people.admin, filename="a.wav", language="ko", project="acme", duration=10,
                                   segments=spans)
    assert wb.list_clips(wb_people.admin) == []


@ONE_BACKEND
def test_retrying_an_unknown_clip_is_not_found(wb, wb_people):
    with pytest.raises(NotFound):
        wb.retry_clip(wb_people.admin, 404)


def test_a_real_clip_goes_through_the_huey_queue_into_one_task_with_audio(sqlite_url, tmp_path):
    wb = open_workbench(tmp_path / "data", database_url=sqlite_url)
    assert isinstance(wb.queue, HueyQueue)
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    tina = wb.create_user(admin, username="tina", password="quiet-lantern-57", name="Tina", roles={"transcriber"},
                          language="ko")
    clip = wb.import_clip(admin, filename="ko_interview.wav", source=SAMPLES / "ko_interview.wav",
                          language="ko", project="acme")
    assert wb.queue.pending() == 1 and clip.status == "queued"

    assert wb.queue.run_one(jobs_of(wb))
    ready = wb.list_clips(admin)[0]
    truth = json.loads((SAMPLES / "clips.json").read_text())["ko_interview.wav"]
    assert (ready.status, ready.percent, ready.error) == ("ready", 100.0, None)
    assert ready.duration == pytest.approx(truth["duration"], abs=0.05)
    assert ready.segment_count == ready.report["segments"]["count"] >= 1

    task = wb.open_task(tina, wb.claim_next(tina).id)
    first = task.segments[0]
    clean = wb.segment_audio_path(tina, first.id)
    assert sf.info(str(clean)).duration == pytest.approx(first.duration, abs=0.02)
    original = wb.segment_audio_path(tina, first.id, variant="original")
    assert wb.data_dir / "cache" in original.parents
    assert sf.info(str(original)).duration == pytest.approx(first.duration, abs=0.02)
    assert wb.segment_spectrogram_path(tina, first.id).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # After a split the pipeline's cut no longer fits: each part is cut from clean.flac.
    halves = wb.split_segment(tina, first.id, first.start + first.duration / 2)
    for half in halves:
        path = wb.segment_audio_path(tina, half.id)
        assert wb.data_dir / "cache" in path.parents
        assert sf.info(str(path)).duration == pytest.approx(half.duration, abs=0.02)
    wb.close()


def test_an_uploaded_clip_is_cut_with_the_settings_of_its_language(sqlite_url, tmp_path):
    wb = open_workbench(tmp_path / "data", database_url=sqlite_url)
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    for language, sample in (("ja", "ja_podcast.ogg"), ("ko", "ko_call.mp3")):
        wb.import_clip(admin, filename=sample, source=SAMPLES / sample, language=language, project="acme")
        assert wb.queue.run_one(jobs_of(wb))
    pauses = {clip.language: clip.report["settings"]["min_pause_s"] for clip in wb.list_clips(admin)}
    assert pauses == {"ja": 0.25, "ko": 0.3}
    wb.close()


def test_a_duplicate_job_leaves_a_clip_that_is_no_longer_queued_alone(wb, wb_people, monkeypatch):
    runs = []
    monkeypatch.setattr("workbench.audio.pipeline.process_file", lambda *a, **k: runs.append(a) or 1 / 0)
    clip = wb.import_clip(wb_people.admin, filename="a.wav", source=b"RIFF", language="ko", project="acme")
    assert wb.process_clip(clip.id).status == "failed"
    assert wb.process_clip(clip.id).status == "failed" and len(runs) == 1


@pytest.mark.parametrize("queue_url, kind", [("", "SqliteHuey"), ("redis://127.0.0.1:6399/0", "RedisHuey")])
def test_the_queue_is_sqlite_in_the_data_dir_or_redis_when_configured(tmp_path, queue_url, kind):
    from workbench.config import Settings
    from workbench.queue import make_huey

    huey = make_huey(Settings(data_dir=tmp_path, database_url="sqlite://", queue_url=queue_url))
    assert type(huey).__name__ == kind
    if kind == "SqliteHuey":
        assert huey.storage.filename == str(tmp_path / "queue.db")


def test_an_immediate_queue_processes_at_import_for_scripts_and_the_demo(sqlite_url, tmp_path, monkeypatch):
    from types import SimpleNamespace

    def fake_pipeline(input_path, out_dir, *, language, progress=None, settings=None):
        out_dir.mkdir(parents=True)
        segments = (SimpleNamespace(start=0.5, end=2.0, audio_filepath="segments/a.flac"),)
        return SimpleNamespace(segments=segments, report={"input": {"duration": 3.0}, "segments": {"count": 1}})

    monkeypatch.setattr("workbench.audio.pipeline.process_file", fake_pipeline)
    wb = open_processing_workbench(tmp_path / "data", database_url=sqlite_url)
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    clip = wb.import_clip(admin, filename="a.wav", source=b"RIFF", language="ko", project="acme")
    assert (clip.status, clip.duration, clip.segment_count, clip.report["segments"]) == ("ready", 3.0, 1, {"count": 1})
    wb.close()
