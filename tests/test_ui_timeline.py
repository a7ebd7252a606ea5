"""The timeline's doors, attacked the way a forged browser would: ``POST
/api/work/segments/{id}/boundary`` and ``GET /media/peaks/{task}.json`` of the real app,
signed in through the login form. Every refusal is a status with a ``detail`` and changes
nothing; the peaks are served only to whoever may see the task, and carry no audio."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from tests.builders import SettableClock, add_admin, add_people, open_workbench, signed_in
from tests.listening import hear
from workbench.queue import RecordingQueue
from workbench.ui.server import create_app

SPANS = [(0.0, 2.0), (2.5, 5.0), (6.0, 9.0)]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """tina's claimed task with real audio; tina's returned task whose first segment is
    accepted; tom's claimed task. Returns (app, wb, ids)."""
    from datetime import datetime, timezone

    root = tmp_path_factory.mktemp("timeline")
    clock = SettableClock(datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
    wb = open_workbench(root, queue=RecordingQueue(), clock=clock)
    admin = add_admin(wb)
    people = add_people(wb, admin, {"tina": ({"transcriber"}, "ko"), "tom": ({"transcriber"}, "ko"),
                                    "rita": ({"reviewer"}, "ko")})
    output = root / "processed"
    output.mkdir()
    noise = np.random.default_rng(7).normal(0, 0.1, 16000 * 10).astype(np.float32)
    for variant in ("clean", "original"):
        sf.write(str(output / f"{variant}.flac"), noise, 16000, subtype="PCM_16")
    for n in range(3):
        wb.register_processed_clip(admin, filename=f"c{n}.wav", language="ko", project="acme", duration=10.0,
                                   segments=SPANS, output_dir=output if n == 0 else None)
    tina, tom, rita = people["tina"], people["tom"], people["rita"]
    editing, returned, others = wb.claim_next(tina).id, wb.claim_next(tina).id, wb.claim_next(tom).id
    for segment in wb.open_task(tina, returned).segments:
        wb.save_text(tina, segment.id, "네 맞아요.", base_version=segment.version)
    wb.submit_task(tina, returned)
    segments = wb.start_review(rita, returned).segments
    hear(wb, rita, segments, clock)
    wb.accept_segment(rita, segments[0].id)
    for segment in segments[1:]:
        wb.return_segment(rita, segment.id, "경계를 고쳐 주세요.")
    wb.finish_review(rita, returned)
    app = create_app(wb, secret=b"k" * 32)
    yield app, wb, {"editing": editing, "returned": returned, "others": others}
    wb.close()


def segment_of(app, username, task_id, position):
    return signed_in(app, username).get(f"/api/work/tasks/{task_id}").json()["segments"][position - 1]


def move(client, segment, edge, to, *, base_version=None, raw=None):
    body = raw if raw is not None else {"edge": edge, "to": to, "base_version":
                                        segment["version"] if base_version is None else base_version}
    if isinstance(body, str):
        return client.post(f"/api/work/segments/{segment['id']}/boundary", content=body,
                           headers={"content-type": "application/json"})
    return client.post(f"/api/work/segments/{segment['id']}/boundary", json=body)


def test_the_transcriber_nudges_a_boundary_and_gets_the_moved_segment(served):
    app, _, ids = served
    client = signed_in(app, "tina")
    segment = segment_of(app, "tina", ids["editing"], 2)
    answer = move(client, segment, "start", 2.45)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["start"], answer.json()["end"], answer.json()["media_version"]) == (2.45, 5.0, "2450-5000")
    back = move(client, answer.json(), "start", 2.5)
    assert back.status_code == 200 and back.json()["version"] == segment["version"] + 2


@pytest.mark.parametrize(("who", "task", "position", "edge", "to", "status", "message"), [
    ("tom", "editing", 1, "end", 1.9, 403, "another transcriber"),       # someone else's task
    ("rita", "editing", 1, "end", 1.9, 403, "Only a transcriber"),       # wrong role
    ("admin", "editing", 1, "end", 1.9, 403, "Only a transcriber"),      # wrong role
    (None, "editing", 1, "end", 1.9, 401, ""),                           # signed out
    ("tina", "returned", 1, "end", 1.9, 409, "already accepted"),        # an accepted segment is locked
    ("tina", "editing", 1, "end", 2.55, 422, "overlap segment 2"),
    ("tina", "editing", 3, "start", 4.95, 422, "overlap segment 2"),
    ("tina", "editing", 3, "end", 10.05, 422, "within the clip"),
    ("tina", "editing", 1, "start", -0.05, 422, "within the clip"),
    ("tina", "editing", 2, "end", 2.55, 422, "at least 0.1 s"),
    ("tina", "editing", 1, "end", 1e308, 422, "within the clip"),        # huge
    ("tina", "editing", 1, "middle", 1.0, 422, "start or end"),
])
def test_a_boundary_move_through_the_api_is_refused_and_changes_nothing(served, who, task, position, edge, to,
                                                                        status, message):
    app, wb, ids = served
    segment = segment_of(app, "tina", ids[task], position)
    answer = move(signed_in(app, who), segment, edge, to)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"]
    assert segment_of(app, "tina", ids[task], position) == segment


@pytest.mark.parametrize("raw", [
    '{"edge": "end", "to": NaN, "base_version": 0}',
    '{"edge": "end", "to": Infinity, "base_version": 0}',
    '{"edge": "end", "to": 1e999, "base_version": 0}',
    '{"edge": "end", "to": "soon", "base_version": 0}',
    '{"edge": "end", "to": 1.9, "base_version": -1}',
    '{"edge": "end", "to": 1.9, "base_version": 99999999999999999999999}',
    '{"edge": "end", "to": 1.9}',
    '{"edge": ["end"], "to": 1.9, "base_version": 0}',
    '{"edge": "end", "to": 1.9, "base_version": 0, "author": "machine"}',
    '[1, 2]',
])
def test_junk_numbers_and_bodies_are_a_422_never_a_500_and_change_nothing(served, raw):
    app, _, ids = served
    segment = segment_of(app, "tina", ids["editing"], 1)
    answer = move(signed_in(app, "tina"), segment, None, None, raw=raw)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]
    assert segment_of(app, "tina", ids["editing"], 1) == segment


def test_a_move_typed_on_an_old_version_answers_409_with_the_stored_segment(served):
    app, _, ids = served
    client = signed_in(app, "tina")
    segment = segment_of(app, "tina", ids["editing"], 1)
    assert move(client, segment, "end", 1.95).status_code == 200
    stale = move(client, segment, "end", 1.9)
    assert stale.status_code == 409 and stale.json()["current"]["end"] == 1.95
    assert move(client, stale.json()["current"], "end", 2.0).status_code == 200


@pytest.mark.parametrize(("who", "task", "status"), [
    ("tina", "editing", 200), ("admin", "editing", 200),
    ("tom", "editing", 403), ("rita", "editing", 403), (None, "editing", 401),
    ("tina", "returned", 404),  # registered without processed audio
])
def test_the_peaks_go_only_to_whoever_may_see_the_task(served, who, task, status):
    app, _, ids = served
    answer = signed_in(app, who).get(f"/media/peaks/{ids[task]}.json")
    assert answer.status_code == status, answer.text
    if status == 200:
        outline = answer.json()
        assert outline["duration"] == 10.0 and outline["per_second"] == 20 and len(outline["peaks"]) == 200
        assert answer.headers["cache-control"] == "private, no-cache"
