"""The clip lifecycle attacked through the doors people have: the task page's JSON route
for "wrong language" and the media routes of a withdrawn clip (the admin page's Gradio
handlers: test_clip_lifecycle_gradio.py)."""

from __future__ import annotations

import pytest

from tests.builders import loud_then_quiet, processed_clip, signed_in, transcribe
from workbench.ui.server import create_app

SECRET = b"k" * 32


def stored(wb, admin, task_id):
    task = next(t for t in wb.list_tasks(admin) if t.id == task_id)
    clip = next(c for c in wb.list_clips(admin, include_dismissed=True) if c.id == task.clip_id)
    return task.state, task.transcriber, task.language, clip.language_report_by


# --- the wrong-language route --------------------------------------------------------------------

# (who calls, what the task is first, the answer)
WRONG_LANGUAGE_CALLS = [
    ("tom", "tina's", 403),        # someone else's task
    ("ed", "tina's", 403),         # a task of another language
    ("rita", "tina's", 403),       # a reviewer
    ("admin", "tina's", 403),      # an admin is no transcriber
    (None, "tina's", 401),         # nobody signed in
    ("tina", "submitted", 409),    # no longer in her hands to send back
]


@pytest.mark.parametrize("who, task, status", WRONG_LANGUAGE_CALLS, ids=[f"{w}-{t}" for w, t, _ in WRONG_LANGUAGE_CALLS])
def test_the_wrong_language_route_answers_only_the_transcriber_working_on_the_task(
        wb, wb_people, wb_clip, who, task, status):
    task_id = wb_clip()
    wb.claim_next_id(wb_people.tina)
    if task == "submitted":
        transcribe(wb, wb_people.tina, task_id)
    before = stored(wb, wb_people.admin, task_id)
    client = signed_in(create_app(wb, secret=SECRET), who)
    answer = client.post(f"/api/work/tasks/{task_id}/wrong-language")
    assert answer.status_code == status, answer.text
    assert stored(wb, wb_people.admin, task_id) == before


@pytest.mark.parametrize("junk", ["abc", "0", "-1", str(2**70), "1.5"])
def test_junk_task_ids_get_a_clear_answer_and_change_nothing(wb, wb_people, wb_clip, junk):
    task_id = wb_clip()
    wb.claim_next_id(wb_people.tina)
    before = stored(wb, wb_people.admin, task_id)
    answer = signed_in(create_app(wb, secret=SECRET), "tina").post(f"/api/work/tasks/{junk}/wrong-language")
    assert answer.status_code in (404, 422) and answer.json()["detail"]
    assert stored(wb, wb_people.admin, task_id) == before


def test_the_transcriber_sends_the_clip_back_and_no_longer_sees_the_task(wb, wb_people, wb_clip):
    task_id = wb_clip()
    wb.claim_next_id(wb_people.tina)
    tina = signed_in(create_app(wb, secret=SECRET), "tina")
    answer = tina.post(f"/api/work/tasks/{task_id}/wrong-language")
    assert answer.status_code == 200 and answer.json()["state"] == "held"
    assert stored(wb, wb_people.admin, task_id) == ("held", None, "ko", "tina")
    assert tina.get(f"/api/work/tasks/{task_id}").status_code == 403
    assert tina.post(f"/api/work/tasks/{task_id}/wrong-language").status_code == 403  # not twice


# --- a withdrawn clip's media --------------------------------------------------------------------


def test_nobody_opens_a_withdrawn_clips_media(wb, wb_people, tmp_path):
    task_id = processed_clip(wb, wb_people.admin, spans=[(0.0, 3.0), (3.0, 6.0), (6.0, 9.0)],
                             output_dir=loud_then_quiet(tmp_path / "audio"))
    wb.claim_next_id(wb_people.tina)
    app = create_app(wb, secret=SECRET)
    tina, admin = signed_in(app, "tina"), signed_in(app, "admin")
    segment = tina.get(f"/api/work/tasks/{task_id}").json()["segments"][0]
    urls = [f"/media/segment/{segment['id']}.wav", f"/media/segment/{segment['id']}.wav?variant=original",
            f"/media/spectrogram/{segment['id']}.png", f"/media/peaks/{task_id}.json"]
    assert [tina.get(url).status_code for url in urls] == [200] * 4  # cached copies exist now
    clip_id = wb.list_tasks(wb_people.admin)[0].clip_id
    wb.withdraw_clip(wb_people.admin, clip_id, reason="the speaker withdrew consent")
    for client in (tina, admin):
        answers = [client.get(url) for url in urls]
        assert [a.status_code for a in answers] == [404] * 4
        assert all("withdrawn" in a.json()["detail"] for a in answers)
