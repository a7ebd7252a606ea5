"""A job lost before any worker took the clip's lease (Redis flushed or restarted without
persistence, a worker killed between taking the job and the lease) does not leave its clip
queued for ever: the clip workers' sweep queues it again once it has waited a lease with no
job in the queue, once, audited, and the clip is still processed only once. Nor does a
drafting job killed in the middle leave its clip drafting for ever: once its heartbeat has
stood still for the policy's bound the sweep queues it again, and each segment is drafted once."""

import pytest
import redis
from drafts_support import clip_with_audio, fake_engines

from tests.builders import cheap_policy, open_workbench
from tests.serving import REPO
from workbench.drafts.errors import DraftEngineError
from workbench.worker import jobs_of
from workbench.workflow.errors import InvalidTransition

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


# --- a drafting job killed in the middle ------------------------------------------------

STALL_S = 5 * 60  # the default policy's draft_stall: how long drafting may stand still
SPANS = [(n * 7.5, n * 7.5 + 6.9) for n in range(36)]  # 9 packed windows: batches of 16, 16 and 4 segments


@pytest.fixture(params=["redis", "embedded"])
def drafts_queue(request, database_url, tmp_path, monkeypatch, wb_clock):
    """(workbench, admin, clip id, fake engine): a processed clip of 36 segments on the huey
    queue named by the parameter, its drafting queued on the drafts queue, not run."""
    monkeypatch.setenv("WORKBENCH_QUEUE_URL", request.getfixturevalue("redis_url") if request.param == "redis" else "")
    # Mandarin, which this policy does not re-cut, so every batch stores all its drafts (a
    # re-cut holds a batch's last draft for the next one), and the counts below are the batches'.
    wb = open_workbench(tmp_path / "data", database_url=database_url, clock=wb_clock,
                        policy=cheap_policy(recut_languages=("en", "ja", "ko")))
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    fake = fake_engines(wb)
    clip = clip_with_audio(wb, admin, tmp_path, spans=SPANS, language="zh")
    assert wb.redraft_clip(admin, clip.id).draft_state == "queued" and wb.queue.pending("drafts") == 1
    yield wb, admin, clip.id, fake
    wb.close()


def drafts_written(wb, clip_id: int) -> dict[int, int]:
    """{segment id: its draft revisions} over the clip's segments."""
    from sqlalchemy import func, select

    from workbench.store.models import Revision, Segment, Task

    with wb.store.reading() as session:
        return dict(session.execute(
            select(Segment.id, func.count(Revision.id)).join(Task, Task.id == Segment.task_id)
            .outerjoin(Revision, (Revision.segment_id == Segment.id) & (Revision.kind == "draft"))
            .where(Task.clip_id == clip_id).group_by(Segment.id)).all())


def stop_after_first_batch(fake, stop: BaseException):
    """Make ``fake`` draft one batch, then raise ``stop`` at the next (the worker stops)."""
    drafting = fake.draft

    def draft(segments, language):
        if fake.calls:
            fake.draft = drafting
            raise stop
        return drafting(segments, language)

    fake.draft = draft


def test_a_drafting_job_killed_mid_way_is_queued_again_by_the_sweep_once_and_drafts_each_segment_once(
        drafts_queue, wb_clock):
    wb, admin, clip_id, fake = drafts_queue
    jobs = jobs_of(wb)
    stop_after_first_batch(fake, KeyboardInterrupt())  # the worker's process told to stop mid-job
    assert wb.queue.run_one(jobs, queue="drafts") and wb.queue.pending("drafts") == 0
    assert wb.clip(admin, clip_id).draft_progress == "drafting 16/36"
    with pytest.raises(InvalidTransition, match="sweep queues it again"):
        wb.redraft_clip(admin, clip_id)

    wb_clock.advance(seconds=STALL_S - 1)
    assert wb.requeue_lost_jobs() == []  # a slow batch is not a dead job
    wb_clock.advance(seconds=2)
    jobs.sweep()  # a clip worker's periodic sweep
    assert wb.clip(admin, clip_id).draft_state == "queued" and wb.queue.pending("drafts") == 1
    assert wb.requeue_lost_jobs() == []  # once
    wb_clock.advance(seconds=STALL_S + 1)
    assert wb.requeue_lost_jobs() == []  # its job waits in the queue: not lost either

    assert wb.queue.run_one(jobs, queue="drafts") and not wb.queue.run_one(jobs, queue="drafts")
    assert wb.clip(admin, clip_id).draft_progress == "done 36/36"
    written = drafts_written(wb, clip_id)
    asked = [int(segment_id) for ids, _ in fake.calls for segment_id in ids]
    assert len(fake.calls[0][0]) == 16 and sorted(asked) == sorted(written)  # the second job: only what was left
    assert set(written.values()) == {1}
    steps = clip_steps(wb, admin, clip_id)
    assert [steps.count(step) for step in ("clip.drafting", "clip.drafting_requeued", "clip.drafted")] == [2, 1, 1]
    wb_clock.advance(seconds=STALL_S + 1)
    assert wb.requeue_lost_jobs() == []


@pytest.mark.parametrize("late", ["comes back before the new job", "writes after the new job",
                                  "fails after the new job"])
def test_a_late_copy_of_a_drafting_job_taken_for_dead_changes_nothing(drafts_queue, wb_clock, late):
    wb, admin, clip_id, fake = drafts_queue
    jobs = jobs_of(wb)
    wb.queue.hueys["drafts"].dequeue()  # the old job, run below by hand: it stalls in its second batch
    drafting = fake.draft

    def stalled(segments, language):
        if fake.calls:  # the old job's second batch takes longer than the bound
            fake.draft = drafting
            wb_clock.advance(seconds=STALL_S + 1)
            assert wb.requeue_lost_jobs() == [clip_id]
            if late != "comes back before the new job":
                assert wb.queue.run_one(jobs, queue="drafts")  # the new job drafts the rest meanwhile
            if late == "fails after the new job":
                raise DraftEngineError("the engine's server went away")
        return drafting(segments, language)

    fake.draft = stalled
    wb.draft_clip(clip_id)  # the old job goes on
    if late == "comes back before the new job":
        assert wb.clip(admin, clip_id).draft_progress == "queued 16/36"
        assert sum(drafts_written(wb, clip_id).values()) == 16  # its first batch only
        assert wb.queue.run_one(jobs, queue="drafts")
    clip = wb.clip(admin, clip_id)
    assert (clip.draft_state, clip.draft_progress, clip.draft_note) == ("done", "done 36/36", None)
    assert set(drafts_written(wb, clip_id).values()) == {1}
    steps = clip_steps(wb, admin, clip_id)
    assert [steps.count(step) for step in ("clip.drafting", "clip.drafted", "clip.draft_failed")] == [2, 1, 0]
