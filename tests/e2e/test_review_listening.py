"""Listening before accepting, in real Chromium: the page reports what the player actually
played, so a click near the end of the waveform is not a listen, and playing the segment
through is.

Uses the demo's submitted Korean task (ko_interview.wav) and its Korean reviewer.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_loop_work import task_frame

CLIP_LABEL = re.compile(r"ko_interview\.wav · ")


@pytest.fixture(scope="module")
def store(workbench_app):
    from workbench.worker import open_queued

    wb = open_queued(data_dir=workbench_app.data_dir)
    yield wb
    wb.close()


def click_at(row, fraction: float) -> None:
    wave = row.locator(".seg-wave")
    box = wave.bounding_box()
    wave.click(position={"x": box["width"] * fraction, "y": box["height"] / 2})


def test_a_click_near_the_end_is_not_a_listen_and_playing_it_through_is(page, login, workbench_app, store):
    login_data = workbench_app.login_for("reviewer", "ko")
    login(page, login_data.username, login_data.password)
    page.get_by_role("tab", name="Review").click()
    page.get_by_label(CLIP_LABEL).check()
    page.get_by_role("button", name="Review this task").click()
    review = task_frame(page, "review")
    task_id = int(review.evaluate("document.body.dataset.task"))

    def stored(index: int):
        return store.open_task(store.actor(login_data.username), task_id).segments[index]

    # One click at 97 % of another row's waveform: it plays the last 3 % and stops.
    row = review.locator(".seg").nth(1)
    accept = row.locator("button.accept")
    assert accept.is_disabled()
    click_at(row, 0.97)
    review.wait_for_function("document.querySelector('audio[data-player]').ended")
    row.locator(".badge", has_text=re.compile(r"heard \d+ %")).wait_for()
    assert not stored(1).heard and 0 < stored(1).heard_share < 0.1
    assert accept.is_disabled() and row.locator(".badge.played").count() == 0

    # Playing from the start, then a click at 97 % of the playing row: the jump is not heard.
    jumped = review.locator(".seg").nth(2)
    jumped.locator(".seg-text").click()
    review.wait_for_function("document.querySelector('audio[data-player]').currentTime > 0.3")
    click_at(jumped, 0.97)
    review.wait_for_function("document.querySelector('audio[data-player]').ended")
    jumped.locator(".badge", has_text=re.compile(r"heard \d+ %")).wait_for()
    assert not stored(2).heard and stored(2).heard_share < 0.5

    # Played through from the start (at double speed), it counts and may be accepted.
    row.locator(".seg-text").click()
    for _ in range(4):
        row.locator(".seg-text").press("Alt+Period")
    row.locator(".seg-text").press("Alt+r")
    row.locator(".badge.played").wait_for(timeout=30_000)
    assert stored(1).heard
    assert accept.is_enabled()
    accept.click()
    row.locator(".badge.accepted").wait_for()
