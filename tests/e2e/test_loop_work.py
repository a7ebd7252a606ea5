"""The work loop in real Chromium: a transcriber types (Hangul through IME composition),
autosaves, reloads, submits; a reviewer returns a segment with a comment; the transcriber
fixes it and resubmits; the reviewer accepts.

The test brings its own people and its own Korean clip (processed here, given a high
priority so ``claim_next`` offers it), so it does not depend on the demo's staged tasks.
"""

from __future__ import annotations

import re

import pytest

from tests.builders import PASSWORD
from workbench.demo import SAMPLE_DIR, sample_clips

CLIP = "ko_call.mp3"
CLIP_NAME = "e2e_loop_ko_call.mp3"
COMMENT = "마지막 단어를 다시 들어 보세요"
FRAME = "iframe.wb-task-frame"


@pytest.fixture(scope="module")
def loop_world(workbench_app):
    """An e2e transcriber and reviewer for Korean and a freshly processed Korean clip."""
    from workbench.worker import open_immediate

    wb = open_immediate(data_dir=workbench_app.data_dir)
    admin = wb.actor("admin")
    for username, role in (("e2e-ko-transcriber", "transcriber"), ("e2e-ko-reviewer", "reviewer")):
        wb.create_user(admin, username=username, password=PASSWORD, name=username, roles={role}, language="ko")
    clip = wb.import_clip(admin, filename=CLIP_NAME, source=SAMPLE_DIR / CLIP, language="ko",
                          project="e2e", priority=100, allow_duplicate=True)  # the demo has it too
    assert clip.status == "ready", clip.error
    sentences = sample_clips()[CLIP]["sentences"]
    yield wb, clip.task_id, sentences
    wb.close()


def task_frame(page, kind: str):
    """The framed task view (a Playwright Frame), once its rows are built."""
    frame = page.locator(f'{FRAME}[src*="/work/{kind}/"]').element_handle().content_frame()
    frame.locator(".seg").first.wait_for()
    return frame


def reference_text(segment: dict, sentences: list[dict]) -> str:
    inside = [s["text"] for s in sentences if segment["start"] <= (s["start"] + s["end"]) / 2 <= segment["end"]]
    return " ".join(inside)


def screenshot(page, path) -> None:
    page.wait_for_timeout(800)  # the waveforms are drawn as their audio arrives
    page.screenshot(path=str(path))


# The page's documented seams: its rows (the current one has the class "current") and its one
# player, the hidden ``audio[data-player]`` element (ui/static/work/player.js).
CURRENT_ROW = "[...document.querySelectorAll('.seg')].findIndex((row) => row.classList.contains('current'))"


def wait_all_saved(frame) -> None:
    frame.wait_for_function("document.getElementById('save-state').textContent === 'all saved'")


def compose_hangul(cdp, syllables: list[list[str]]) -> None:
    """Types through the IME path: each syllable is composed jamo by jamo, then committed."""
    for steps in syllables:
        for step in steps:
            cdp.send("Input.imeSetComposition", {"text": step, "selectionStart": len(step), "selectionEnd": len(step)})
        cdp.send("Input.insertText", {"text": steps[-1]})


# The first row's waveform, drawn from its decoded audio, has ink on it.
WAVEFORM_DRAWN = """() => {
  const canvas = document.querySelector(".seg-wave");
  if (!canvas.width) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  return pixels.some((value, i) => i % 4 === 3 && value > 0);
}"""

# 안녕하세요 as a Korean IME builds it.
ANNYEONG = [["ㅇ", "아", "안"], ["ㄴ", "녀", "녕"], ["ㅎ", "하"], ["ㅅ", "세"], ["ㅇ", "요"]]

FIRE_HOTKEYS_MID_COMPOSITION = """() => {
  const ta = document.activeElement;
  const sent = [
    new KeyboardEvent("keydown", {key: "Enter", code: "Enter", isComposing: true, bubbles: true, cancelable: true}),
    new KeyboardEvent("keydown", {key: "Escape", code: "Escape", isComposing: true, bubbles: true, cancelable: true}),
    new KeyboardEvent("keydown", {key: "n", code: "KeyN", altKey: true, isComposing: true, bubbles: true, cancelable: true}),
  ];
  // Some platforms report only keyCode 229 ("Process") while an IME composes.
  const process = new KeyboardEvent("keydown", {key: "Enter", code: "Enter", bubbles: true, cancelable: true});
  Object.defineProperty(process, "keyCode", {value: 229});
  sent.push(process);
  return sent.map((e) => ta.dispatchEvent(e)).every(Boolean);
}"""


def test_transcribe_review_rework_accept(new_page, login, loop_world, screenshot_dir):
    wb, task_id, sentences = loop_world

    # --- the transcriber claims the task and types, Hangul through the IME ---------------
    transcriber = new_page()
    login(transcriber, "e2e-ko-transcriber", PASSWORD)
    transcriber.get_by_role("button", name="Take the next task").click()  # a JSON call, then ↻ Refresh
    frame = task_frame(transcriber, "transcribe")
    assert f"/work/transcribe/{task_id}?" in frame.url
    transcriber.locator("#wb-transcriber-tasks").get_by_text(CLIP_NAME).wait_for()
    segments = [{"start": s.start, "end": s.end} for s in wb.open_task(wb.actor("admin"), task_id).segments]
    frame.wait_for_function(WAVEFORM_DRAWN)
    first = frame.locator(".seg-text").nth(0)
    first.click()
    cdp = transcriber.context.new_cdp_session(transcriber)
    compose_hangul(cdp, ANNYEONG[:2])
    cdp.send("Input.imeSetComposition", {"text": "ㅎ", "selectionStart": 1, "selectionEnd": 1})
    assert frame.evaluate(FIRE_HOTKEYS_MID_COMPOSITION) is True, "a hotkey cancelled a key the IME owns"
    cdp.send("Input.imeSetComposition", {"text": "하", "selectionStart": 1, "selectionEnd": 1})
    cdp.send("Input.insertText", {"text": "하"})
    compose_hangul(cdp, ANNYEONG[3:])
    assert first.input_value() == "안녕하세요"
    assert frame.evaluate(CURRENT_ROW) == 0, "Enter moved on mid-composition"
    wait_all_saved(frame)
    assert wb.open_task(wb.actor("e2e-ko-transcriber"), task_id).segments[0].text == "안녕하세요"

    # The second sentence is still only a draft when the page reloads: nothing is lost.
    second = frame.locator(".seg-text").nth(1)
    second.click()
    second.press_sequentially("abc")
    transcriber.reload()
    frame = task_frame(transcriber, "transcribe")
    assert frame.locator(".seg-text").nth(0).input_value() == "안녕하세요"
    assert frame.locator(".seg-text").nth(1).input_value() == "abc"
    wait_all_saved(frame)
    assert wb.open_task(wb.actor("e2e-ko-transcriber"), task_id).segments[1].text == "abc"

    # The real sentences, then submit.
    for index, segment in enumerate(segments):
        box = frame.locator(".seg-text").nth(index)
        text = reference_text(segment, sentences)
        box.click()
        if text:
            box.fill(text)
        else:
            box.press("Alt+n")
            box.press("1")  # silence or noise
    wait_all_saved(frame)
    frame.get_by_role("button", name="Submit for review").click()
    frame.get_by_text("Submitted for review").wait_for()
    transcriber.get_by_label(re.compile(CLIP_NAME)).wait_for(state="detached")  # the queue moved on

    # --- the reviewer listens, returns one segment with a comment ----------------------
    reviewer = new_page()
    login(reviewer, "e2e-ko-reviewer", PASSWORD)
    reviewer.get_by_role("tab", name="Review").click()
    reviewer.get_by_label(re.compile(CLIP_NAME)).check()
    reviewer.get_by_role("button", name="Review this task").click()
    review = task_frame(reviewer, "review")
    accept_first = review.locator(".seg").nth(0).locator("button.accept")
    assert accept_first.is_disabled(), "accept must wait until the segment was played to the end"
    review.locator(".seg-text").nth(0).click()
    for _ in range(4):
        review.locator(".seg-text").nth(0).press("Alt+Period")  # 2x: the test plays every segment
    for index in range(len(segments)):
        row = review.locator(".seg").nth(index)
        row.locator(".seg-text").click()
        row.locator(".seg-text").press("Alt+r")  # replay from the start, whatever moving began
        row.locator(".badge.played").wait_for(timeout=30_000)
    assert accept_first.is_enabled()
    review.locator(".seg").nth(0).get_by_role("button", name="return…").click()
    review.locator(".comment-input").fill(COMMENT)
    review.locator(".comment-input").press("Enter")
    review.locator(".seg").nth(0).locator(".badge.returned").wait_for()
    corrected = review.locator(".seg-text").nth(2)
    corrected.fill(corrected.input_value().replace(".", "!"))
    reviewer.reload()  # the review in progress reopens by itself: decisions, plays and corrections kept
    review = task_frame(reviewer, "review")
    review.locator(".seg").nth(0).locator(".badge.returned").wait_for()
    assert review.locator(".badge.played").count() == len(segments) - 1
    corrected = review.locator(".seg-text").nth(2)
    assert corrected.input_value().endswith("!")
    review.get_by_role("button", name="Accept all played").click()
    review.get_by_text("has a correction").wait_for()  # never accepted in bulk without its text
    corrected.press("Alt+a")
    review.locator(".seg").nth(2).locator(".badge.accepted").wait_for()
    review.get_by_role("button", name="Accept all played").click()
    review.get_by_text(f"{len(segments) - 2} played segment(s) accepted").wait_for()
    assert wb.open_task(wb.actor("admin"), task_id).segments[2].text.endswith("!")
    screenshot(reviewer, screenshot_dir / "reviewer.png")
    review.get_by_role("button", name="Finish review").click()
    review.get_by_text("went back to the transcriber").wait_for()

    # --- the transcriber sees the comment, fixes the segment, resubmits ----------------
    transcriber.reload()
    transcriber.get_by_text(COMMENT).first.wait_for()
    frame = task_frame(transcriber, "transcribe")
    row = frame.locator(".seg").nth(0)
    assert COMMENT in row.locator(".note.comment").inner_text()
    screenshot(transcriber, screenshot_dir / "transcriber.png")
    fixed = "네, " + reference_text(segments[0], sentences)
    row.locator(".seg-text").fill(fixed)
    wait_all_saved(frame)
    frame.get_by_role("button", name="Submit for review").click()
    frame.get_by_text("Submitted for review").wait_for()

    # --- the reviewer sees what changed and accepts ----------------------------------------
    reviewer.get_by_role("button", name="↻ Refresh").click()
    reviewer.get_by_label(re.compile(CLIP_NAME)).check()
    reviewer.get_by_role("button", name="Review this task").click()
    review = task_frame(reviewer, "review")
    row = review.locator(".seg").nth(0)
    assert row.locator(".note.diff ins").inner_text() == "네,·"  # the added space shows
    screenshot(reviewer, screenshot_dir / "reviewer-rework.png")
    row.locator(".seg-text").click()
    row.get_by_role("button", name=re.compile("clean ⇄ original")).click()  # listen to the uncleaned audio
    assert "variant=original" in review.evaluate("document.querySelector('audio[data-player]').src")
    row.get_by_role("button", name="spectrogram").click()
    review.wait_for_function("document.querySelector('.seg.current img.seg-spectrogram')?.naturalWidth > 0")
    row.locator(".seg-text").press("Alt+r")
    row.locator(".badge.played").wait_for(timeout=30_000)
    row.get_by_role("button", name="accept").click()
    row.locator(".badge.accepted").wait_for()
    review.get_by_role("button", name="Finish review").click()
    review.get_by_text("the task is complete").wait_for()
    assert wb.open_task(wb.actor("admin"), task_id).task.state == "complete"


@pytest.fixture
def own_task(store, own_tasks):
    """A task of this test's own, with real audio, claimed by a transcriber of its own."""
    me, [task_id] = own_tasks("e2e-loop", "e2e", priority=200)
    return store, me, task_id


def open_task_tab(context, task_id: int):
    tab = context.new_page()
    tab.goto(f"/work/transcribe/{task_id}")
    tab.locator(".seg").first.wait_for()
    return tab


def stored_texts(wb, me, task_id: int) -> list[str]:
    return [s.text for s in wb.open_task(me, task_id).segments]


def test_two_tabs_a_dropped_connection_and_a_closed_tab_lose_nothing(new_page, login, own_task):
    wb, me, task_id = own_task
    first = new_page()
    login(first, me.username, PASSWORD)
    context = first.context
    a, b = open_task_tab(context, task_id), open_task_tab(context, task_id)

    # Two tabs, one sentence: the second save meets a conflict showing both texts.
    a.locator(".seg-text").nth(0).fill("가나다")
    wait_all_saved(a)
    b.locator(".seg-text").nth(0).fill("라마바")
    conflict = b.locator(".note.conflict")
    conflict.wait_for()
    assert conflict.locator("q.theirs").inner_text() == "가나다"
    assert conflict.locator("q.mine").inner_text() == "라마바"
    assert stored_texts(wb, me, task_id)[0] == "가나다", "nothing is overwritten before the user chooses"
    conflict.get_by_role("button", name="Keep mine").click()
    wait_all_saved(b)
    assert stored_texts(wb, me, task_id)[0] == "라마바"

    # The first tab is now behind; its next edit asks too, and can take the saved text.
    a.locator(".seg-text").nth(0).fill("가나다라")
    a.locator(".note.conflict").get_by_role("button", name="Use the saved text").click()
    assert a.locator(".seg-text").nth(0).input_value() == "라마바"
    wait_all_saved(a)

    # Offline: the text waits on the device and goes out when the connection is back.
    context.set_offline(True)
    b.locator(".seg-text").nth(1).fill("연결이 끊겼어요")
    b.wait_for_function("document.getElementById('save-state').textContent.startsWith('offline')")
    context.set_offline(False)
    wait_all_saved(b)
    assert stored_texts(wb, me, task_id)[1] == "연결이 끊겼어요"

    # A tab closed right after typing: the next tab finds the text and saves it.
    a.locator(".seg-text").nth(2).fill("닫힌 탭")
    a.close()
    c = open_task_tab(context, task_id)
    assert c.locator(".seg-text").nth(2).input_value() == "닫힌 탭"
    wait_all_saved(c)
    assert stored_texts(wb, me, task_id) == ["라마바", "연결이 끊겼어요", "닫힌 탭"]


def test_hotkeys_move_mark_merge_and_change_speed_from_the_text_box(new_page, login, own_task):
    wb, me, task_id = own_task
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    boxes = page.locator(".seg-text")
    boxes.nth(0).click()
    current = lambda: page.evaluate(CURRENT_ROW)  # noqa: E731
    focused = lambda: page.evaluate("[...document.querySelectorAll('.seg-text')].indexOf(document.activeElement)")  # noqa: E731

    for key, expected in [("Enter", 1), ("Shift+Enter", 0), ("Alt+ArrowDown", 1), ("Alt+ArrowUp", 0)]:
        page.keyboard.press(key)
        assert (current(), focused()) == (expected, expected), key
    assert boxes.nth(0).input_value() == "", "Enter moves on; it never types a line break"

    tools = page.locator(".seg.current .seg-tools")
    steps = [("Alt+Period", "1.25×"), ("Alt+Comma", "1×"), ("Alt+Comma", "0.75×"), ("Alt+Comma", "0.5×"),
             ("Alt+Comma", "0.5×")]
    for key, rate in steps:
        page.keyboard.press(key)
        assert tools.locator(".rate").inner_text() == rate, key
    assert page.evaluate("document.querySelector('audio[data-player]').playbackRate") == 0.5

    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    # Alt+N asks why; Esc cancels without pausing or playing anything.
    playing = page.evaluate("!document.querySelector('audio[data-player]').paused")
    page.keyboard.press("Alt+n")
    reasons = page.get_by_role("group", name="Why is there no speech?")
    reasons.wait_for()
    assert reasons.locator("button").all_inner_texts() == [
        "1 silence or noise", "2 music only", "3 cut off or unusable", "4 another language"]
    page.keyboard.press("Escape")
    reasons.wait_for(state="detached")
    assert page.evaluate("!document.querySelector('audio[data-player]').paused") == playing
    assert wb.open_task(me, task_id).segments[2].status == "todo"
    # A digit answers it; focus never left the text box.
    page.keyboard.press("Alt+n")
    page.keyboard.press("2")
    page.locator(".seg").nth(2).locator(".badge.no_speech").wait_for()
    marked = wb.open_task(me, task_id).segments[2]
    assert (marked.status, marked.no_speech_reason, marked.text) == ("no_speech", "music only", "")
    assert focused() == 2

    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+m")
    page.wait_for_function("document.querySelectorAll('.seg').length === 2")
    assert [(s.start, s.end) for s in wb.open_task(me, task_id).segments] == [(0.0, 6.0), (6.0, 9.0)]
    assert focused() == 0
