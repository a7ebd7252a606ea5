"""A malformed ``[gold."p"]``, ``[double."p"]`` or ``[holdback."p"]`` table of
``guidelines/projects.toml`` fails the clip being processed, not the processing job
(workflow/clips.py): the clip is failed with the reason naming the file and the project, as
the admin's clip list shows it, and nothing is half-made (no task, no segments, no copy's
audio); once the file is fixed, a retry processes it. Real clips through the huey queue."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import open_workbench
from tests.test_double import Always
from workbench.store.models import Segment, Task
from workbench.worker import jobs_of
from workbench.workflow.double import Double
from workbench.workflow.guidelines import GUIDELINES_DIR_ENV, guidelines_dir

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
PASSWORD = "quiet-lantern-57"

BROKEN = {
    "gold": ('[gold."acme"]\nrate = 0.9\n', "gold rate of 'acme' must be a number from 0 to 0.5"),
    "double": ('[double."acme"]\nshares = 0.1\n', "[double.'acme'] takes share and dispute_cer"),
    "holdback": ('[double."acme"]\nshare = 0.5\n[holdback."acme"]\nshare = 0.1\n', "holdback share of 'acme' is 0.1"),
    "not toml": ('[gold."acme"\nrate = 0.1\n', "projects.toml is not valid TOML"),
}


@pytest.fixture
def projects_file(tmp_path, monkeypatch):
    """A copy of the guidelines whose ``projects.toml`` the test writes; every task doubled
    where the project's double share allows it."""
    folder = tmp_path / "guidelines"
    shutil.copytree(guidelines_dir(), folder)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(folder))
    monkeypatch.setattr(Double, "double_random", Always(0.0))
    return folder / "projects.toml"


@pytest.fixture
def processing(sqlite_url, tmp_path):
    """A workbench on the huey queue, as the web app and ``workbench worker`` use it, and its admin."""
    wb = open_workbench(tmp_path / "data", database_url=sqlite_url)
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    yield wb, admin
    wb.close()


def import_and_run(wb, admin):
    clip = wb.import_clip(admin, filename="ko_interview.wav", source=SAMPLES / "ko_interview.wav", language="ko",
                          project="acme")
    assert wb.queue.run_one(jobs_of(wb))
    return wb.clip(admin, clip.id)


def rows_of(wb, model) -> int:
    with wb.store.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", BROKEN)
def test_a_malformed_project_table_fails_the_clip_with_the_reason_and_the_job_ends(processing, projects_file, kind):
    wb, admin = processing
    table, reason = BROKEN[kind]
    projects_file.write_text("[projects]\n" + table, encoding="utf-8")
    failed = import_and_run(wb, admin)
    assert failed.status == "failed" and failed.task_id is None
    assert reason in failed.error and "projects.toml" in failed.error and "retry" in failed.error
    assert [c.error for c in wb.list_clips(admin)] == [failed.error]  # what the admin's clip list shows
    assert (rows_of(wb, Task), rows_of(wb, Segment)) == (0, 0)
    assert not (wb.data_dir / "clips" / str(failed.id)).exists()  # refused before the pipeline ran


def test_a_table_broken_while_the_clip_is_processed_fails_it_with_nothing_half_made_and_a_retry_works(
        processing, projects_file, monkeypatch):
    """The file is valid when the worker starts and broken when the task would be stored: the
    double copy that would come first is not made either (no task, segments or copied audio)."""
    from workbench.audio import pipeline

    wb, admin = processing
    valid = '[projects]\n[double."acme"]\nshare = 0.5\n[holdback."acme"]\nshare = 0.5\n'
    projects_file.write_text(valid, encoding="utf-8")
    real = pipeline.process_file

    def broken_meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        projects_file.write_text("[projects]\n" + BROKEN["holdback"][0], encoding="utf-8")
        return result

    monkeypatch.setattr(pipeline, "process_file", broken_meanwhile)
    failed = import_and_run(wb, admin)
    assert failed.status == "failed" and "holdback share of 'acme' is 0.1" in failed.error
    assert (rows_of(wb, Task), rows_of(wb, Segment)) == (0, 0)
    assert not (wb.data_dir / "clip-copies").exists()

    monkeypatch.setattr(pipeline, "process_file", real)
    projects_file.write_text(valid, encoding="utf-8")
    wb.retry_clip(admin, failed.id)
    assert wb.queue.run_one(jobs_of(wb))
    ready = wb.clip(admin, failed.id)
    assert (ready.status, ready.error) == ("ready", None) and ready.segment_count >= 1
    assert rows_of(wb, Task) == 2  # the clip's task and its double copy
