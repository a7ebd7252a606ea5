"""Moving a segment's boundary (the timeline's nudge and drag): only the transcriber's own
editable segment, never off the clip, never shorter than the minimum, never over a
neighbour, a revision and an audited history per move, and a waveform outline of the clip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.builders import take_through_review
from workbench.audio.io import write_audio
from workbench.audio.peaks import waveform_peaks
from workbench.store import repo
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied, StaleVersion

# Input validation happens before any query, so one backend is enough for these tables.
ONE_BACKEND = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def claimed(wb, wb_people, wb_clip):
    """tina's claimed ko task of SPANS (0-2, 2.5-5, 6-9 s on a 10 s clip): (task_id, segments)."""
    wb_clip()
    task_id = wb.claim_next(wb_people.tina).id
    return task_id, wb.open_task(wb_people.tina, task_id).segments


def spans(wb, actor, task_id):
    return [(s.start, s.end) for s in wb.open_task(actor, task_id).segments]


def revisions(wb, segment_id):
    with wb.store.session() as session:
        return [(r.kind, r.text) for r in repo.revisions_of(session, segment_id)]


def test_a_boundary_moves_by_a_nudge_and_each_move_is_a_revision_and_an_audited_history(wb, wb_people, claimed):
    task_id, segments = claimed
    second = segments[1]
    wb.save_text(wb_people.tina, second.id, "반갑습니다.", base_version=second.version)
    moved = wb.move_boundary(wb_people.tina, second.id, "start", 2.45, base_version=second.version + 1)
    moved = wb.move_boundary(wb_people.tina, second.id, "end", moved.end + 0.05, base_version=moved.version)
    assert (moved.start, moved.end, moved.text) == (2.45, 5.05, "반갑습니다.")
    assert moved.media_version == "2450-5050"  # another span: heard again in review
    assert spans(wb, wb_people.tina, task_id) == [(0.0, 2.0), (2.45, 5.05), (6.0, 9.0)]
    assert revisions(wb, second.id) == [("save", "반갑습니다."), ("boundary", "반갑습니다."), ("boundary", "반갑습니다.")]
    history = [json.loads(e.detail) for e in reversed(wb.audit_log(wb_people.tina, task_id=task_id))
               if e.action == "segment.boundary"]
    assert [(h["edge"], h["from"], h["to"]) for h in history] == [("start", 2.5, 2.45), ("end", 5.0, 5.05)]


def test_a_retried_move_is_applied_once_and_a_move_on_an_old_version_is_refused(wb, wb_people, claimed):
    _, segments = claimed
    first = segments[0]
    wb.move_boundary(wb_people.tina, first.id, "end", 1.9, base_version=first.version)
    again = wb.move_boundary(wb_people.tina, first.id, "end", 1.9, base_version=first.version)
    assert again.version == first.version + 1 and len(revisions(wb, first.id)) == 1
    with pytest.raises(StaleVersion):
        wb.move_boundary(wb_people.tina, first.id, "end", 1.8, base_version=first.version)
    assert spans(wb, wb_people.tina, claimed[0])[0] == (0.0, 1.9)


@pytest.mark.parametrize(("position", "edge", "to", "message"), [
    (1, "end", 2.6, "would overlap segment 2"),
    (2, "start", 1.99, "would overlap segment 1"),
    (3, "end", 10.01, "within the clip"),
    (1, "start", -0.05, "within the clip"),
    (2, "end", 2.55, "at least 0.1 s"),
    (2, "start", 5.5, "at least 0.1 s"),
])
def test_a_move_off_the_clip_over_a_neighbour_or_below_the_minimum_is_refused(wb, wb_people, claimed,
                                                                             position, edge, to, message):
    task_id, segments = claimed
    segment = segments[position - 1]
    with pytest.raises(InvalidInput, match=message):
        wb.move_boundary(wb_people.tina, segment.id, edge, to, base_version=segment.version)
    assert spans(wb, wb_people.tina, task_id) == [(0.0, 2.0), (2.5, 5.0), (6.0, 9.0)]
    assert revisions(wb, segment.id) == []


@ONE_BACKEND
@pytest.mark.parametrize(("edge", "to", "message"), [
    ("middle", 1.0, "start or end"),
    ("start", math.nan, "finite"),
    ("start", math.inf, "finite"),
    ("end", 10 ** 400, "finite"),
    ("end", 1e300, "within the clip"),
    ("end", "1.5", "must be a number"),
    ("end", True, "must be a number"),
    ("end", None, "must be a number"),
])
def test_junk_edges_and_times_are_refused_and_change_nothing(wb, wb_people, claimed, edge, to, message):
    task_id, segments = claimed
    with pytest.raises(InvalidInput, match=message):
        wb.move_boundary(wb_people.tina, segments[0].id, edge, to, base_version=segments[0].version)
    assert spans(wb, wb_people.tina, task_id)[0] == (0.0, 2.0)


def test_only_the_tasks_own_transcriber_moves_its_boundaries(wb, wb_people, claimed):
    _, segments = claimed
    for other in (wb_people.tom, wb_people.rita, wb_people.admin):
        with pytest.raises(PermissionDenied):
            wb.move_boundary(other, segments[0].id, "end", 1.9, base_version=segments[0].version)


def test_an_accepted_segment_is_locked_and_so_is_a_submitted_task(wb, wb_people, wb_clip):
    wb_clip()
    task_id = take_through_review(wb, wb_people.tina, wb_people.rita)
    segment = wb.open_task(wb_people.tina, task_id).segments[0]
    with pytest.raises(InvalidTransition):
        wb.move_boundary(wb_people.tina, segment.id, "end", 1.9, base_version=segment.version)
    assert spans(wb, wb_people.tina, task_id)[0] == (0.0, 2.0)


def test_the_peaks_outline_the_clean_clip_for_whoever_may_see_the_task(wb, wb_people, claimed, tmp_path):
    task_id, _ = claimed
    with pytest.raises(NotFound, match="no processed audio"):
        wb.clip_peaks_path(wb_people.tina, task_id)
    with pytest.raises(PermissionDenied):
        wb.clip_peaks_path(wb_people.tom, task_id)


def test_waveform_peaks_are_the_loudest_sample_of_each_twentieth_of_a_second(tmp_path):
    rate = 16000
    audio = np.zeros(rate * 2 + rate // 40, np.float32)  # 2.025 s: 41 buckets, the last one short
    audio[rate // 20 * 3 + 7] = -0.5  # in bucket 3
    audio[-1] = 0.25
    path = write_audio(tmp_path / "clean.flac", audio, rate)
    duration, peaks = waveform_peaks(path)
    assert duration == pytest.approx(2.025)
    assert len(peaks) == 41 and peaks[3] == pytest.approx(0.5, abs=0.002) and peaks[-1] == pytest.approx(0.25, abs=0.002)
    assert max(peaks[:3] + peaks[4:40]) < 0.01
