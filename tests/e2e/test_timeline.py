"""The whole-clip timeline and the reviewer's play-through in real Chromium (issue 14):
nudging a boundary by keys, dragging it on the timeline, going to a segment by its region,
and playing a task through without the mouse. wavesurfer.js comes from the project's npm
install (``npm ci``), served by the app.

Each test has people of its own and one task of three segments with gaps between them
(0-2.8, 3-5.8, 6-9 s) over real audio (a loud, a quiet and a medium tone).
"""

from __future__ import annotations

import os

import pytest

from tests.builders import loud_then_quiet
from workbench.ui.vendor import installed_version

PASSWORD = "quiet-lantern-57"
SPANS = [(0.0, 2.8), (3.0, 5.8), (6.0, 9.0)]


@pytest.fixture(autouse=True)
def wavesurfer_installed():
    if installed_version() is None:
        message = "wavesurfer.js is not installed: run `npm ci` (scripts/test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def store(workbench_app):
    from workbench.queue import ImmediateQueue
    from workbench.workflow.service import Workbench

    wb = Workbench.open(data_dir=workbench_app.data_dir, queue=ImmediateQueue())
    yield wb
    wb.close()


@pytest.fixture
def task(store, request, tmp_path):
    """(transcriber, task id) for this test alone."""
    admin = store.actor("admin")
    name = request.node.name.removeprefix("test_")[:24].rstrip("_")
    me = store.create_user(admin, username=f"tl-{name}", password=PASSWORD, name=name,
                           roles={"transcriber"}, language="ko")
    store.register_processed_clip(admin, filename=f"tl-{name}.wav", language="ko", project="e2e-timeline",
                                  duration=9.0, segments=SPANS, output_dir=loud_then_quiet(tmp_path / "clip"),
                                  priority=500)
    return me, store.claim_next(me).id


@pytest.fixture
def opened(new_page, login, task):
    me, task_id = task
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg.current").wait_for()
    regions(page).nth(2).wait_for()
    return page, me, task_id


def regions(page):
    return page.locator("#timeline [data-segment]")


def bounds(store, me, task_id):
    return [(s.start, s.end) for s in store.open_task(me, task_id).segments]


def current_region(page) -> str:
    return regions(page).and_(page.locator(".current")).get_attribute("data-segment")


def test_alt_brackets_nudge_the_start_and_alt_semicolon_quote_the_end_by_50_ms(opened, store):
    page, me, task_id = opened
    page.keyboard.press("Alt+ArrowDown")  # segment 2
    page.wait_for_function("document.querySelectorAll('.seg')[1].classList.contains('current')")
    for key in ("Alt+BracketLeft", "Alt+BracketLeft", "Alt+Quote"):
        page.keyboard.press(key)
    page.locator("#banner").get_by_text("Segment 2: 2.90–5.85 s.").wait_for()
    assert bounds(store, me, task_id)[1] == (2.9, 5.85)
    assert "2.9" in page.locator(".seg").nth(1).locator(".seg-meta").inner_text()
    assert current_region(page) == str(store.open_task(me, task_id).segments[1].id)
    # The player has the new span's audio.
    assert page.evaluate("document.querySelector('audio[data-player]').src").endswith("v=2900-5850")
    # A nudge into the neighbour is refused, says why and changes nothing.
    for _ in range(3):
        page.keyboard.press("Alt+BracketLeft")
    page.locator("#banner").get_by_text("would overlap segment 1").wait_for()
    assert bounds(store, me, task_id)[1] == (2.8, 5.85)


def test_clicking_a_region_on_the_timeline_goes_to_its_segment(opened, store):
    page, me, task_id = opened
    third = store.open_task(me, task_id).segments[2]
    regions(page).nth(2).click()
    page.wait_for_function("document.querySelectorAll('.seg')[2].classList.contains('current')")
    assert current_region(page) == str(third.id)


def test_dragging_the_current_segments_end_on_the_timeline_moves_it(opened, store):
    page, me, task_id = opened
    region = regions(page).nth(0)
    handle = region.locator("[part~='region-handle-right']")
    box, timeline = handle.bounding_box(), page.locator("#timeline").bounding_box()
    pixels_per_second = timeline["width"] / 9.0
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - pixels_per_second * 0.2, y, steps=8)
    page.mouse.move(x - pixels_per_second * 0.5, y, steps=8)
    page.mouse.up()
    page.locator("#banner").get_by_text("Segment 1: 0.00–").wait_for()
    start, end = bounds(store, me, task_id)[0]
    assert start == 0.0 and 2.0 < end < 2.6
    # Only the current segment has handles; the others cannot be dragged.
    assert regions(page).nth(1).locator("[part~='region-handle-right']").count() == 0 or \
        regions(page).nth(1).locator("[part~='region-handle-right']").is_hidden()


# --- the reviewer's play-through -------------------------------------------------------


@pytest.fixture
def in_review(store, task):
    """The task typed and submitted, and a reviewer of its own: (reviewer, task id)."""
    me, task_id = task
    admin = store.actor("admin")
    reviewer = store.create_user(admin, username=f"{me.username}-r", password=PASSWORD, name="r",
                                 roles={"reviewer"}, language="ko")
    for segment in store.open_task(me, task_id).segments:
        store.save_text(me, segment.id, "네 맞아요.", base_version=segment.version)
    store.submit_task(me, task_id)
    return reviewer, task_id


def test_play_through_plays_on_stops_on_esc_returns_and_accepts_what_was_heard_without_the_mouse(
        new_page, login, store, in_review):
    reviewer, task_id = in_review
    page = new_page()
    login(page, reviewer.username, PASSWORD)
    page.goto(f"/work/review/{task_id}")
    page.locator(".seg.current").wait_for()
    regions(page).nth(2).wait_for()
    current = "[...document.querySelectorAll('.seg')].findIndex((r) => r.classList.contains('current'))"
    page.keyboard.press("Alt+g")
    page.locator("body.playing-through").wait_for()
    # Segment 1 plays to its end and segment 2 starts by itself.
    page.wait_for_function(f"{current} === 1", timeout=15000)
    page.wait_for_function("!document.querySelector('audio[data-player]').paused")
    page.keyboard.press("Escape")  # stop
    assert page.evaluate("document.querySelector('audio[data-player]').paused")
    # Segment 2 was not heard to its end: it cannot be accepted, but it can be returned.
    page.keyboard.press("Alt+x")
    page.keyboard.type("경계를 확인하세요.")
    page.keyboard.press("Enter")
    # The play-through goes on with segment 3, plays it to its end and stops there with the
    # focus on "Accept all played".
    page.wait_for_function(f"{current} === 2")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'accept-all'", timeout=15000)
    assert page.locator("body.playing-through").count() == 0
    page.keyboard.press("Enter")
    page.locator("#banner").get_by_text("2 played segment(s) accepted.").wait_for()
    statuses = [s.status for s in store.open_task(reviewer, task_id).segments]
    assert statuses == ["accepted", "returned", "accepted"]



def test_the_timeline_of_a_real_clip_shows_every_segment_as_a_region(new_page, login, store, screenshot_dir):
    """The demo's Korean interview, as the pipeline segmented it, given to a transcriber of
    this test's own: one region per segment, the current one highlighted (README's picture)."""
    from workbench.store import repo
    from workbench.store.models import Clip, Task

    admin = store.actor("admin")
    with store.store.reading() as session:
        clip = session.query(Clip).filter(Clip.filename == "ko_interview.wav").one()
        task = session.query(Task).filter(Task.clip_id == clip.id).one()
        spans = [(s.start_s, s.end_s) for s in repo.live_segments(session, task.id)]
        output_dir, duration = clip.output_dir, clip.duration
    me = store.create_user(admin, username="tl-interview", password=PASSWORD, name="민지",
                           roles={"transcriber"}, language="ko")
    store.register_processed_clip(admin, filename="ko_interview.wav", language="ko", project="e2e-timeline",
                                  duration=duration, segments=spans, output_dir=store.ctx.path(output_dir), priority=600)
    task_id = store.claim_next(me).id
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg.current").wait_for()
    regions(page).nth(len(spans) - 1).wait_for()
    assert regions(page).count() == len(spans) > 3
    for text, box in zip(["안녕하세요, 오늘 인터뷰에 와 주셔서 감사합니다.", "네, 반갑습니다."], page.locator(".seg-text").all()):
        box.fill(text)
    page.locator(".seg").nth(2).locator(".seg-text").focus()
    page.wait_for_function("document.querySelectorAll('.seg')[2].classList.contains('current')")
    page.keyboard.press("Alt+BracketLeft")
    page.locator("#banner").get_by_text("Segment 3:").wait_for()
    page.wait_for_function("document.getElementById('save-state').textContent === 'all saved'")
    assert current_region(page) == str(store.open_task(me, task_id).segments[2].id)
    page.screenshot(path=str(screenshot_dir / "task-page-timeline.png"))
