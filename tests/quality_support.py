"""Worlds for the quality rules' tests: per-project settings in a copy of the guidelines, and
a day of review in which a transcriber has some segments returned."""

from __future__ import annotations

import itertools
import json
import shutil

import pytest

from tests.builders import processed_clip, transcribe
from tests.listening import hear, hear_check
from workbench.workflow.guidelines import GUIDELINES_DIR_ENV, guidelines_dir

TEN = tuple((n * 2.5, n * 2.5 + 2.0) for n in range(10))  # ten segments of two seconds
_names = itertools.count(1)


@pytest.fixture
def quality_rules(tmp_path, monkeypatch):
    """A copy of the guidelines; ``quality_rules(acme={"min_checked": 5}, ...)`` adds
    ``[quality."<project>"]`` tables to its projects.toml."""
    folder = tmp_path / "guidelines"
    shutil.copytree(guidelines_dir(), folder)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(folder))
    original = (folder / "projects.toml").read_text(encoding="utf-8")

    def write(**projects):
        tables = "".join(f'\n[quality."{name}"]\n'
                         + "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())
                         for name, table in projects.items())
        (folder / "projects.toml").write_text(original + tables, encoding="utf-8")

    return write


def reviewed_task(wb, admin, transcriber, reviewer, *, returns: int = 0, project: str = "acme",
                  spans=TEN, priority: int | None = None, **options) -> tuple[int, list[int]]:
    """A new clip of ``project`` claimed and submitted by ``transcriber``, heard by ``reviewer``,
    its first ``returns`` segments returned and the rest accepted, the round finished:
    (task id, returned segment ids). Each new one comes first in the queue (``priority``
    above 1000, rising) unless ``priority`` says otherwise; ``options`` go to ``processed_clip``
    (``output_dir``: real audio)."""
    task_id = submitted_task(wb, admin, transcriber, project=project, spans=spans, priority=priority, **options)
    return task_id, review(wb, reviewer, task_id, returns=returns)


def submitted_task(wb, admin, transcriber, *, project: str = "acme", spans=TEN, priority: int | None = None,
                   **options) -> int:
    """A new clip of ``project`` claimed and submitted by ``transcriber`` (``reviewed_task``
    without the review): its task id."""
    number = next(_names)
    task_id = processed_clip(wb, admin, filename=f"quality-{number}.wav", project=project, spans=spans,
                             priority=1000 + number if priority is None else priority, **options)
    assert wb.claim_next(transcriber).id == task_id
    transcribe(wb, transcriber, task_id)
    return task_id


def review(wb, reviewer, task_id: int, *, returns: int = 0) -> list[int]:
    """``reviewer`` hears a submitted task, returns its first ``returns`` segments, accepts the
    rest and finishes the round: the returned segment ids."""
    segments = wb.start_review(reviewer, task_id).segments
    hear(wb, reviewer, segments, wb.clock)
    returned = [s.id for s in segments[:returns]]
    for segment_id in returned:
        wb.return_segment(reviewer, segment_id, "Listen again: the words are wrong.")
    wb.accept_all_played(reviewer, task_id)
    wb.finish_review(reviewer, task_id)
    return returned


def resubmit_unchanged(wb, transcriber, reviewer, task_id: int) -> None:
    """The transcriber resubmits a returned task as it stands; the reviewer hears and
    accepts every segment (the returns are reversed)."""
    wb.submit_task(transcriber, task_id)
    view = wb.start_review(reviewer, task_id)
    hear(wb, reviewer, [s for s in view.segments if s.status != "accepted"], wb.clock)
    wb.accept_all_played(reviewer, task_id)
    wb.finish_review(reviewer, task_id)


def look(wb, senior, check, confirmed: bool, comment: str | None = None):
    """``senior`` hears ``check``'s segment to the end, then confirms or overturns it."""
    hear_check(wb, senior, check, wb.clock)
    return wb.decide_senior_check(senior, check.id, confirmed=confirmed, comment=comment)
