"""A job lost before any worker took the clip's lease (Redis flushed or restarted without
persistence, a worker killed between taking the job and the lease) does not leave its clip
queued for ever: the clip workers' sweep queues it again once it has waited a lease with no
job in the queue, once, audited, and the clip is still processed only once."""

import pytest
import redis
from drafts_support import clip_with_audio, fake_engines

from tests.builders import open_workbench
from tests.serving import REPO
from workbench.worker import jobs_of

SAMPLE = REPO / "sample_data" / "ko_call.mp3"
LEASE_S = 60  # the default policy's clip lease: how long a clip waits before its job is taken for lost


def clip_steps(wb, admin, clip_id: int) -> list[str]:
    return [e.action for e in reversed(wb.audit_log(admin)) if e.entity == "clip" and e.entity_id == clip_id]


@pytest.fixture
def queued(request, database_url, tmp_path, monkeypatch, wb_clock):
    """(workbench, admin, clip id, queue URL): a clip imported onto the huey queue named by
    the test's ``queue`` parameter (``redis`` or ``embedded``, the SQLite file), not processed."""
    queue_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    monkeypatch.setenv("WORKBENCH_QUEUE_URL", queue_url)
    wb = open_workbench(tmp_path / "data", database_url=database_url, clock=wb_clock)
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    clip = wb.import_clip(admin, filename=SAMPLE.name, source=SAMPLE, language="ko", project="acme")
    assert wb.queue.pending() == 1
    yield wb, admin, clip.id, queue_url
    wb.close()


@pytest.mark.parametrize("queued", ["redis", "embedded"], indirect=True)
def test_a_clip_whose_queue_was_flushed_is_queued_again_once_by_the_sweep_and_processed_once(queued, wb_clock):
    wb, admin, clip_id, queue_url = queued
    if queue_url:
        redis.Redis.from_url(queue_url).flushdb()  # Redis restarted without persistence
    else:
        wb.queue.huey.flush()
    assert wb.queue.pending() == 0

    wb_clock.advance(seconds=LEASE_S - 1)
    assert wb.requeue_lost_jobs() == []  # not yet: its job may be on its way
    wb_clock.advance(seconds=2)
    jobs_of(wb).sweep()  # the clip worker's periodic sweep
    assert wb.queue.pending() == 1 and clip_steps(wb, admin, clip_id) == ["clip.imported", "clip.job_requeued"]
    assert wb.requeue_lost_jobs() == []  # once: its job is in the queue now
    wb_clock.advance(seconds=LEASE_S + 1)
    assert wb.requeue_lost_jobs() == []  # waiting behind other clips is not lost

    jobs = jobs_of(wb)
    assert wb.queue.run_one(jobs) and not wb.queue.run_one(jobs)
    assert wb.clip(admin, clip_id).status == "ready"
    assert clip_steps(wb, admin, clip_id) == ["clip.imported", "clip.job_requeued", "clip.processing", "clip.ready"]
    wb_clock.advance(seconds=LEASE_S + 1)
    assert wb.requeue_lost_jobs() == []


@pytest.mark.parametrize("queued", ["embedded"], indirect=True)
def test_a_job_taken_by_a_worker_killed_before_the_lease_is_queued_again_and_a_late_copy_changes_nothing(
        queued, wb_clock):
    wb, admin, clip_id, _ = queued
    taken = wb.queue.huey.dequeue()  # the worker took the job, then died before the clip's lease
    assert taken is not None and wb.queue.pending() == 0
    wb_clock.advance(seconds=LEASE_S + 1)
    assert wb.requeue_lost_jobs() == [clip_id]

    wb.queue.huey.enqueue(taken)  # the lost job turns up after all: two jobs for one clip
    jobs = jobs_of(wb)
    assert wb.queue.run_one(jobs) and wb.queue.run_one(jobs) and not wb.queue.run_one(jobs)
    assert wb.clip(admin, clip_id).status == "ready"
    assert clip_steps(wb, admin, clip_id).count("clip.processing") == 1


def test_a_clip_in_flight_is_not_queued_again(wb, wb_people, wb_clock, monkeypatch):
    def held(input_path, out_dir, *, language, progress=None, settings=None):
        wb_clock.advance(seconds=LEASE_S * 10)  # long past any bound, while the lease is renewed
        progress("decode", 0.5)
        seen["requeued"] = wb.requeue_lost_jobs()
        raise RuntimeError("stop here")

    seen = {}
    monkeypatch.setattr("workbench.audio.pipeline.process_file", held)
    clip = wb.import_clip(wb_people.admin, filename="a.wav", source=b"RIFF", language="ko", project="acme")
    wb.queue.queued.clear()  # its job was taken: by this process, below
    wb.process_clip(clip.id)
    assert seen["requeued"] == [] and wb.queue.queued == []


def test_a_clip_whose_drafting_job_was_lost_is_queued_for_drafting_again_once(wb, wb_people, wb_clock, tmp_path):
    fake_engines(wb)
    clip = clip_with_audio(wb, wb_people.admin, tmp_path)
    assert wb.queue.drafts == [] and wb.redraft_clip(wb_people.admin, clip.id).draft_state == "queued"
    wb.queue.drafts.clear()  # the drafts queue lost it
    wb_clock.advance(seconds=LEASE_S + 1)
    assert wb.requeue_lost_jobs() == [clip.id] and wb.queue.drafts == [clip.id]
    assert wb.requeue_lost_jobs() == []
    wb.draft_clip(clip.id)
    assert wb.clip(wb_people.admin, clip.id).draft_state == "done"
    steps = clip_steps(wb, wb_people.admin, clip.id)
    assert steps.count("clip.draft_job_requeued") == 1 and steps.count("clip.drafting") == 1


def test_two_sweeps_that_read_the_queue_at_the_same_moment_queue_a_lost_clip_once(wb, wb_people, wb_clock,
                                                                                   monkeypatch):
    clip = wb.import_clip(wb_people.admin, filename="a.wav", source=b"RIFF", language="ko", project="acme")
    wb.queue.queued.clear()  # lost
    wb_clock.advance(seconds=LEASE_S + 1)
    monkeypatch.setattr(wb.queue, "queued_clip_ids", lambda queue: set())  # both saw it without a job
    assert wb.requeue_lost_jobs() == [clip.id]
    assert wb.requeue_lost_jobs() == [] and wb.queue.queued == [clip.id]
