"""The transcriber's page in real Chromium never shows what is not so.

- After a merge the current segment plays, and its waveform shows, both halves: the
  browser's copy of the old audio is never reused.
- When the session ends elsewhere the page says so at once and never "all saved"; the
  text waits in the browser and reaches the server after signing in again.
- A reload opens the task and the segment that were being worked on, not the queue's first.
"""

from __future__ import annotations

import json

import pytest

from tests.builders import PASSWORD

FRAME = "iframe.wb-task-frame"


@pytest.fixture
def transcriber(own_tasks, request):
    """A transcriber of this test's own holding ``tasks`` tasks (default 1) with real audio."""
    return own_tasks("e2e", "e2e-state", priority=300, tasks=getattr(request, "param", 1))


def stored_texts(store, me, task_id: int) -> list[str]:
    return [s.text for s in store.open_task(me, task_id).segments]


def save_state(page) -> str:
    return page.locator("#save-state").inner_text()


# The tallest bar (in pixels of ink) in a band of the current row's waveform.
INK_HEIGHT = """([from, to]) => {
  const canvas = document.querySelector(".seg.current .seg-wave");
  const g = canvas.getContext("2d");
  let tallest = 0;
  for (let x = Math.floor(from * canvas.width); x < Math.floor(to * canvas.width); x++) {
    const column = g.getImageData(x, 0, 1, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < column.length; i += 4) if (column[i] > 0) ink++;
    tallest = Math.max(tallest, ink);
  }
  return tallest;
}"""


def test_after_a_merge_the_player_and_the_waveform_have_both_halves(new_page, login, transcriber):
    me, [task_id] = transcriber
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg-text").nth(0).click()
    page.wait_for_function("document.querySelector('audio[data-player]').readyState > 0")
    assert page.evaluate("document.querySelector('audio[data-player]').duration") == pytest.approx(3.0, abs=0.05)
    page.wait_for_function(f"({INK_HEIGHT})([0.1, 0.9]) > 0")
    uniform = page.evaluate(INK_HEIGHT, [0.55, 0.95])
    assert uniform >= 0.8 * page.evaluate(INK_HEIGHT, [0.05, 0.45])  # one loud tone throughout

    page.keyboard.press("Alt+m")
    page.wait_for_function("document.querySelectorAll('.seg').length === 2")
    # The player loads the merged segment's audio: six seconds, not the first three again.
    page.wait_for_function("(a => a.readyState > 0 && a.duration > 5.9)(document.querySelector('audio[data-player]'))",
                           timeout=10_000)
    assert page.evaluate("document.querySelector('audio[data-player]').duration") == pytest.approx(6.0, abs=0.05)
    # Its waveform is redrawn from the new audio: loud first half, quiet second half.
    page.wait_for_function(f"({INK_HEIGHT})([0.05, 0.45]) > 0")
    loud, quiet = page.evaluate(INK_HEIGHT, [0.05, 0.45]), page.evaluate(INK_HEIGHT, [0.55, 0.95])
    assert quiet < 0.5 * loud


def test_a_session_ended_elsewhere_is_said_loudly_and_the_text_is_saved_after_signing_in_again(
        new_page, login, store, transcriber):
    me, [task_id] = transcriber
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg-text").nth(0).fill("처음 문장")
    page.wait_for_function("document.getElementById('save-state').textContent === 'all saved'")

    # The session ends on the server: signed out from another copy of the cookie.
    elsewhere = new_page()
    elsewhere.context.add_cookies(page.context.cookies())
    elsewhere.goto("/logout")

    page.locator(".seg-text").nth(1).fill("로그아웃 뒤 문장")
    banner = page.locator("#banner")
    banner.get_by_text("You are signed out").wait_for()
    assert "all saved" not in save_state(page) and "signed out" in save_state(page)
    page.locator(".seg-text").nth(2).fill("세 번째")
    page.wait_for_timeout(1500)  # well past the autosave delay: nothing may claim it is saved
    assert "all saved" not in save_state(page) and "2 not saved" in save_state(page)
    assert stored_texts(store, me, task_id) == ["처음 문장", "", ""]
    drafts = page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('wb-draft:')).length")
    assert drafts == 2

    # The banner's link signs in again in a new tab; back on the page the drafts are sent.
    with page.context.expect_page() as opened:
        banner.get_by_role("link", name="Sign in").click()
    login(opened.value, me.username, PASSWORD)
    opened.value.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.wait_for_function("document.getElementById('save-state').textContent === 'all saved'", timeout=15_000)
    assert stored_texts(store, me, task_id) == ["처음 문장", "로그아웃 뒤 문장", "세 번째"]
    assert "signed out" not in banner.inner_text()


@pytest.mark.parametrize("transcriber", [2], indirect=True)
def test_a_reload_mid_typing_reopens_the_task_and_segment_being_worked_on(new_page, login, transcriber):
    me, [first_task, second_task] = transcriber
    page = new_page()
    login(page, me.username, PASSWORD)
    page.locator(f'{FRAME}[src*="/work/transcribe/{first_task}?"]').wait_for()  # the queue's first
    page.get_by_label(f"{transcriber_clip(me, 1)}", exact=False).check()
    frame_of = lambda task: page.frame_locator(f'{FRAME}[src*="/work/transcribe/{task}?"]')  # noqa: E731
    frame = frame_of(second_task)
    frame.locator(".seg-text").nth(2).click()
    frame.locator(".seg-text").nth(2).press_sequentially("세 번째 줄")

    page.reload()
    frame = frame_of(second_task)
    frame.locator(".seg.current").wait_for()
    assert frame.locator(".seg-text").nth(2).input_value() == "세 번째 줄"
    assert frame.locator(".seg").nth(2).evaluate("(row) => row.classList.contains('current')")
    places = json.loads(page.evaluate("localStorage.getItem('wb-place')"))
    assert places[me.username]["task"] == second_task


def transcriber_clip(me, n: int) -> str:
    return f"{me.name}-{n}.wav"
