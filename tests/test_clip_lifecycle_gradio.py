"""The admin page's clip and task actions (withdraw, correct, dismiss, release, reassign) and
its duplicate upload, called the way the page calls them: through Gradio's queue, by an
admin and by the workers who must get nothing from them."""

from __future__ import annotations

import pytest

from tests.builders import sign_in
from tests.test_ui_gradio_gate import (  # noqa: F401  (the gate's store and app, and its way of calling)
    Event,
    app,
    dependencies,
    gradio_cache,
    http,
    upload,
    wb,
)


# --- the admin page's handlers through Gradio --------------------------------------------------------


ADMIN_EVENTS = {
    # api name: the inputs as the admin page sends them
    "change_clip": lambda clip_id: [clip_id, "withdraw", "", "", "cancelled", []],
    "change_task": lambda clip_id: [1, "ko-both", "away", "", "", 7],
}


@pytest.mark.parametrize("attacker", ["ko-scribe", "ko-reviewer", None])
@pytest.mark.parametrize("api_name", ADMIN_EVENTS)
def test_a_worker_calling_the_admin_pages_clip_and_task_actions_changes_nothing(http, wb, attacker, api_name):
    clip = next(c for c in wb.list_clips(wb.actor("admin")) if c.task_id)
    sign_in(http, "admin")
    own = dependencies(http)[api_name]
    sign_in(http, attacker)
    before = ([(c.id, c.withdrawn_at, c.task_state) for c in wb.list_clips(wb.actor("admin"))],
              [(t.id, t.state, t.transcriber) for t in wb.list_tasks(wb.actor("admin"))])
    event = Event(http, own["id"], ADMIN_EVENTS[api_name](clip.id))
    # A worker's page is built from other handlers: the index may run one of theirs, which
    # may succeed; what matters is that the admin's action did not happen.
    assert event.joined.status_code in (200, 401, 403, 404) and not (event.succeeded and attacker is None)
    assert ([(c.id, c.withdrawn_at, c.task_state) for c in wb.list_clips(wb.actor("admin"))],
            [(t.id, t.state, t.transcriber) for t in wb.list_tasks(wb.actor("admin"))]) == before


def test_the_admin_page_asks_before_uploading_the_same_bytes_again(http, wb):
    sign_in(http, "admin")
    handler = dependencies(http)["upload"]["id"]
    clips_before = len(wb.list_clips(wb.actor("admin"), include_dismissed=True))

    def send(allow_duplicate: bool) -> Event:
        [path] = upload(http, "dup.wav", b"RIFF-duplicate-bytes").json()
        files = [{"path": path, "orig_name": "dup.wav", "meta": {"_type": "gradio.FileData"}}]
        return Event(http, handler, [files, "ko", "dup-project", 0, allow_duplicate, []])

    assert send(False).succeeded
    second = send(False)
    assert second.succeeded and "same content as clip" in second.stream and "Upload anyway" in second.stream
    assert len(wb.list_clips(wb.actor("admin"), include_dismissed=True)) == clips_before + 1
    assert send(True).succeeded
    assert len(wb.list_clips(wb.actor("admin"), include_dismissed=True)) == clips_before + 2
