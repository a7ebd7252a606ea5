"""A worker trying to tell gold work from ordinary work, through the doors a worker has: the
JSON API, the media routes, the ids, the task's own log, and the order tasks come in.

Each test sets a gold copy beside an ordinary task of the same worker and compares what the
worker can see of the two."""

from __future__ import annotations

import json

import pytest

from tests.builders import TEXTS, processed_clip, signed_in, take_through_review
from tests.test_gold import audio_dir, gold, gold_rules  # noqa: F401  (fixtures)
from workbench.ui.server import create_app


def shape(value):
    """The JSON's structure without its values: keys and the types found under them."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = [shape(item) for item in value]
        return [shapes[0]] if shapes and all(s == shapes[0] for s in shapes) else shapes
    return type(value).__name__


@pytest.fixture
def both(wb, wb_people, gold):
    """tom's browser holding the ordinary host task and the gold copy (claimed over HTTP)."""
    tom = signed_in(create_app(wb, secret=b"k" * 32), "tom")
    claimed = [tom.post("/api/work/tasks/claim").json() for _ in range(2)]
    assert sorted(c["task_id"] for c in claimed) == sorted([gold.host, gold.copy])
    assert shape(claimed[0]) == shape(claimed[1])
    return tom


def test_the_task_json_of_gold_and_ordinary_work_has_the_same_keys_and_types(both, gold):
    host, copy = (both.get(f"/api/work/tasks/{task_id}") for task_id in (gold.host, gold.copy))
    assert host.status_code == copy.status_code == 200
    assert shape(host.json()) == shape(copy.json())
    assert set(host.headers) == set(copy.headers)


def test_no_response_a_worker_gets_says_gold(both, gold):
    bodies = [both.get(f"/api/work/tasks/{gold.copy}").text, both.get(f"/work/transcribe/{gold.copy}").text]
    segment = both.get(f"/api/work/tasks/{gold.copy}").json()["segments"][0]
    saved = both.put(f"/api/work/segments/{segment['id']}/text", json={"text": TEXTS[0], "base_version": 0})
    bodies.append(saved.text)
    assert all("gold" not in body.lower() for body in bodies)


def test_gold_ids_follow_on_from_the_ordinary_work_created_with_them(both, gold):
    host = [s["id"] for s in both.get(f"/api/work/tasks/{gold.host}").json()["segments"]]
    copy = [s["id"] for s in both.get(f"/api/work/tasks/{gold.copy}").json()["segments"]]
    assert gold.copy == gold.host + 1
    assert host + copy == list(range(host[0], host[0] + len(host) + len(copy)))


def test_gold_audio_comes_through_the_same_route_with_the_same_headers(both, wb, wb_people, gold):
    host = both.get(f"/api/work/tasks/{gold.host}").json()["segments"][0]
    copy = both.get(f"/api/work/tasks/{gold.copy}").json()["segments"][0]
    answers = [both.get(f"/media/segment/{s['id']}.wav", params={"v": s["media_version"]}) for s in (host, copy)]
    assert [a.status_code for a in answers] == [200, 200]
    assert set(answers[0].headers) == set(answers[1].headers)
    assert answers[0].headers["content-type"] == answers[1].headers["content-type"]
    # The worker who transcribed the source (or another copy) gets another tag for the same audio.
    tina = signed_in(create_app(wb, secret=b"k" * 32), "tina")
    source = tina.get(f"/api/work/tasks/{gold.source}").json()["segments"][0]
    original = tina.get(f"/media/segment/{source['id']}.wav", params={"v": source["media_version"]})
    assert original.status_code == 200 and original.headers["etag"] != answers[1].headers["etag"]


def test_a_gold_tasks_own_log_reads_like_an_ordinary_one(both, wb, wb_people, gold):
    answers = []
    for task_id in (gold.host, gold.copy):
        segments = both.get(f"/api/work/tasks/{task_id}").json()["segments"]
        for segment, text in zip(segments, TEXTS):
            both.put(f"/api/work/segments/{segment['id']}/text", json={"text": text, "base_version": 0})
        answers.append(both.post(f"/api/work/tasks/{task_id}/submit"))
    assert [a.status_code for a in answers] == [200, 200] and shape(answers[0].json()) == shape(answers[1].json())
    logs = [[(e.action, e.actor, sorted(json.loads(e.detail or "{}"))) for e in wb.audit_log(wb_people.tom,
                                                                                               task_id=task_id)]
            for task_id in (gold.host, gold.copy)]
    assert logs[0] == logs[1]
    assert not any("gold" in action for action, _, _ in logs[1])


def test_how_gold_is_mixed_in_follows_no_pattern_a_worker_could_count_on(wb, wb_people, gold_rules):
    """At rate 0.2 a copy follows a new task with chance 1/4, from the system's randomness:
    over 160 tasks the copies are about 40 (far outside 15..65 once in millions of runs) and
    the gaps between them are not all alike."""
    gold_rules(acme={"rate": 0.2})
    processed_clip(wb, wb_people.admin, filename="source.wav")
    take_through_review(wb, wb_people.tina, wb_people.rita)
    wb.mark_gold(wb_people.admin, clip_id=wb.list_tasks(wb_people.admin)[0].clip_id)
    for n in range(160):
        processed_clip(wb, wb_people.admin, filename=f"host-{n}.wav", spans=[(0.0, 1.0)])
    order = [t.clip_name == "source.wav" for t in sorted(wb.list_tasks(wb_people.admin), key=lambda t: t.id)][1:]
    copies = [n for n, is_copy in enumerate(order) if is_copy]
    assert 15 <= len(copies) <= 65
    gaps = {b - a for a, b in zip(copies, copies[1:])}
    assert len(gaps) > 1


def test_a_copy_serves_a_cut_of_its_own_not_the_files_of_the_source(wb, wb_people, gold_rules, tmp_path):
    """The pipeline leaves a cut file per segment; the media route tags a file by its name,
    time and size. Serving the source's cut to a copy would give the copy the source's tag
    (which the source's worker, or the worker of another copy, has seen) and an old time."""
    import numpy as np
    import soundfile as sf
    from sqlalchemy import select

    from workbench.store.models import Segment

    source = processed_clip(wb, wb_people.admin, filename="source.wav", output_dir=audio_dir(tmp_path, "source"))
    take_through_review(wb, wb_people.tina, wb_people.rita)
    cuts = wb.data_dir / "cuts"
    cuts.mkdir()
    with wb.store.session() as session:  # what the pipeline would have left for the source
        for segment in session.scalars(select(Segment).where(Segment.task_id == source)):
            sf.write(str(cuts / f"{segment.id}.flac"), np.zeros(16000, dtype=np.float32), 16000)
            segment.audio_file = f"cuts/{segment.id}.flac"
    wb.mark_gold(wb_people.admin, clip_id=wb.list_tasks(wb_people.admin)[0].clip_id)
    processed_clip(wb, wb_people.admin, filename="host.wav", output_dir=audio_dir(tmp_path, "host"))
    copy = max(t.id for t in wb.list_tasks(wb_people.admin))
    tom, tina = (signed_in(create_app(wb, secret=b"k" * 32), name) for name in ("tom", "tina"))
    while tom.post("/api/work/tasks/claim").json()["task_id"] != copy:
        pass
    copied = tom.get(f"/api/work/tasks/{copy}").json()["segments"][0]
    original = tina.get(f"/api/work/tasks/{source}").json()["segments"][0]
    answers = [client.get(f"/media/segment/{s['id']}.wav", params={"v": s["media_version"]})
               for client, s in ((tom, copied), (tina, original))]
    assert [a.status_code for a in answers] == [200, 200] and answers[0].content == answers[1].content
    assert answers[0].headers["etag"] != answers[1].headers["etag"]


def test_no_worker_is_offered_gold_audio_they_have_heard_before(wb, wb_people, gold):
    """Hearing the same clip twice would tell a worker it is gold: a copy is never offered to
    the worker who transcribed its source, nor to one who already had a copy of it."""
    from workbench.workflow.errors import NotFound

    assert wb.claim_next(wb_people.tina).id == gold.host
    with pytest.raises(NotFound):
        wb.claim_next(wb_people.tina)  # the copy is open, but tina did its source
    assert wb.claim_next(wb_people.tom).id == gold.copy
    again = wb.offer_gold_copy(wb_people.admin, clip_id=gold.source_clip, project="acme")
    with pytest.raises(NotFound):
        wb.claim_next(wb_people.tom)
    assert wb.claim_next(wb_people.bo).id == again
