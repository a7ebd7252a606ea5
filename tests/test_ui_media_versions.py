"""Segment audio and spectrograms after a split or a merge, over HTTP through the real app.

A segment that keeps its id across a split or a merge has new audio. The page must never
hear, or draw, the old one: each segment names its media version (its span), the page puts
it in the media URLs, and the server makes every cached copy revalidate (``no-cache`` with
an ``ETag``), so neither a changed URL nor a reload can bring back stale audio.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from workbench.queue import RecordingQueue
from workbench.ui.server import create_app
from workbench.workflow.service import Workbench

PASSWORD = "correct-horse-7"
RATE = 16000


def tone_clip(folder, seconds: float = 6.0):
    """clean.flac and original.flac as the pipeline leaves them: a rising tone, so every span
    of it sounds (and encodes) differently."""
    folder.mkdir(parents=True)
    t = np.arange(int(RATE * seconds)) / RATE
    audio = (0.3 * np.sin(2 * np.pi * (200 + 60 * t) * t)).astype(np.float32)
    for name in ("clean.flac", "original.flac"):
        sf.write(folder / name, audio, RATE)
    return folder


@pytest.fixture
def served(tmp_path):
    """An app over a SQLite file and a claimed task of three 2-second segments with audio."""
    wb = Workbench.open(database_url=f"sqlite:///{tmp_path / 'workbench.db'}", data_dir=tmp_path / "data",
                        queue=RecordingQueue())
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    wb.create_user(admin, username="minji", password=PASSWORD, name="minji", roles={"transcriber"}, language="ko")
    wb.register_processed_clip(admin, filename="a.wav", language="ko", project="p", duration=6.0,
                               segments=[(0.0, 2.0), (2.0, 4.0), (4.0, 6.0)],
                               output_dir=tone_clip(tmp_path / "processed"))
    task_id = wb.claim_next(wb.actor("minji")).id
    http = TestClient(create_app(wb, secret=b"k" * 32))
    assert http.post("/login", data={"username": "minji", "password": PASSWORD},
                     follow_redirects=False).status_code == 303
    yield http, task_id
    wb.close()


def segments(http: TestClient, task_id: int) -> list[dict]:
    return http.get(f"/api/work/tasks/{task_id}").json()["segments"]


def audio_url(segment: dict, variant: str = "clean") -> str:
    """The URL the page builds (``static/work/urls.js`` ``mediaUrl``)."""
    return f"/media/segment/{segment['id']}.wav?variant={variant}&v={segment['media_version']}"


def seconds_of(body: bytes) -> float:
    return sf.info(io.BytesIO(body)).duration


def test_after_a_merge_the_kept_segment_has_a_new_audio_url_with_both_halves(served):
    http, task_id = served
    first = segments(http, task_id)[0]
    before = http.get(audio_url(first))
    assert before.status_code == 200 and seconds_of(before.content) == pytest.approx(2.0, abs=0.01)

    assert http.post(f"/api/work/segments/{first['id']}/merge").status_code == 200
    merged = segments(http, task_id)[0]
    assert merged["id"] == first["id"]
    assert audio_url(merged) != audio_url(first)
    after = http.get(audio_url(merged))
    assert after.content != before.content
    assert seconds_of(after.content) == pytest.approx(4.0, abs=0.01)


def test_after_a_split_the_kept_segment_has_a_new_audio_and_spectrogram_url(served):
    http, task_id = served
    first = segments(http, task_id)[0]
    audio = http.get(audio_url(first, "original")).content
    picture = http.get(f"/media/spectrogram/{first['id']}.png?v={first['media_version']}").content

    assert http.post(f"/api/work/segments/{first['id']}/split", json={"at": 1.0}).status_code == 200
    kept = segments(http, task_id)[0]
    assert kept["id"] == first["id"] and kept["media_version"] != first["media_version"]
    assert seconds_of(http.get(audio_url(kept, "original")).content) == pytest.approx(1.0, abs=0.01)
    assert http.get(audio_url(kept, "original")).content != audio
    assert http.get(f"/media/spectrogram/{kept['id']}.png?v={kept['media_version']}").content != picture


def test_a_cached_copy_is_revalidated_and_a_changed_segment_never_answers_not_modified(served):
    """Even at a URL the page used before (a reload, an old tab), the browser may not reuse
    its copy without asking: an unchanged file answers 304, a changed one its new bytes."""
    http, task_id = served
    first = segments(http, task_id)[0]
    url = f"/media/segment/{first['id']}.wav?variant=clean"
    response = http.get(url)
    assert "no-cache" in response.headers["cache-control"] and "max-age=300" not in response.headers["cache-control"]
    etag = response.headers["etag"]
    unchanged = http.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""

    http.post(f"/api/work/segments/{first['id']}/merge")
    changed = http.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert seconds_of(changed.content) == pytest.approx(4.0, abs=0.01)


def test_not_modified_is_only_for_the_signed_in_user_who_may_hear_it(served, tmp_path):
    http, task_id = served
    first = segments(http, task_id)[0]
    etag = http.get(audio_url(first)).headers["etag"]
    stranger = TestClient(http.app)
    assert stranger.get(audio_url(first), headers={"If-None-Match": etag}).status_code == 401
