"""The transcriber's workspace in real Chromium (issue 14): split and merge of the text,
context listening, the guideline's tag palette, and where the focus and the view go.

Each test has a transcriber of its own holding one task of three 3-second segments with
real audio (a loud, a quiet and a medium tone), opened straight at its page.
"""

from __future__ import annotations

import pytest

from tests.builders import PASSWORD

PLAYER = "document.querySelector('audio[data-player]')"


@pytest.fixture
def task(own_tasks):
    """(transcriber, task id) for this test alone."""
    me, [task_id] = own_tasks("ws", "e2e-workspace", priority=400)
    return me, task_id


@pytest.fixture
def opened(new_page, login, task):
    """The task's page, loaded, for its transcriber: (page, transcriber, task id)."""
    me, task_id = task
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg.current").wait_for()
    return page, me, task_id


def texts(store, me, task_id):
    return [s.text for s in store.open_task(me, task_id).segments]


def boxes(page):
    return page.locator(".seg-text").evaluate_all("(all) => all.map((t) => t.value)")


def all_saved(page):
    page.wait_for_function("document.getElementById('save-state').textContent === 'all saved'")


def focused_row(page) -> int:
    return page.evaluate("[...document.querySelectorAll('.seg-text')].indexOf(document.activeElement)")


# --- split and merge ------------------------------------------------------------------


def test_split_moves_the_text_after_the_caret_to_the_new_segment_and_merge_joins_with_a_space(opened, store):
    page, me, task_id = opened
    box = page.locator(".seg-text").nth(0)
    box.fill("앞 문장 뒤 문장")
    all_saved(page)
    page.evaluate(f"{PLAYER}.currentTime = 1.5")
    box.evaluate("(t) => { t.focus(); t.setSelectionRange(5, 5); }")  # after "앞 문장 "
    page.keyboard.press("Alt+s")
    page.wait_for_function("document.querySelectorAll('.seg').length === 4")
    assert boxes(page)[:2] == ["앞 문장", "뒤 문장"]
    assert texts(store, me, task_id) == ["앞 문장", "뒤 문장", "", ""]
    # The caret follows the moved text: at the start of the new segment.
    page.wait_for_function("document.activeElement === document.querySelectorAll('.seg-text')[1]")
    assert page.evaluate("document.activeElement.selectionStart") == 0
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('wb-draft:')).length") == 0

    page.locator(".seg-text").nth(0).click()
    page.keyboard.press("Alt+m")
    page.wait_for_function("document.querySelectorAll('.seg').length === 3")
    assert boxes(page)[0] == "앞 문장 뒤 문장"
    assert texts(store, me, task_id) == ["앞 문장 뒤 문장", "", ""]


def test_merge_with_next_is_not_offered_when_the_next_segment_is_accepted(new_page, login, store, task):
    me, task_id = task
    admin = store.actor("admin")
    reviewer = store.create_user(admin, username=f"{me.username}-r", password=PASSWORD, name="r",
                                 roles={"reviewer"}, language="ko")
    for segment in store.open_task(me, task_id).segments:
        store.save_text(me, segment.id, "네 맞아요.", base_version=segment.version)
    store.submit_task(me, task_id)
    first, second, third = store.start_review(reviewer, task_id).segments
    store.record_audio_sent(reviewer, second.id, bounds=(second.start, second.end), sent=(0.0, second.duration))
    store.record_play(reviewer, second.id, intervals=[(0.0, second.duration)])
    store.accept_segment(reviewer, second.id)
    store.return_segment(reviewer, first.id, "다시 들어 보세요.")
    store.return_segment(reviewer, third.id, "다시 들어 보세요.")
    store.finish_review(reviewer, task_id)

    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg.current").wait_for()
    merge = page.locator(".seg").nth(0).get_by_role("button", name="merge with next")
    assert merge.is_disabled()
    page.locator(".seg-text").nth(0).click()
    page.keyboard.press("Alt+m")
    page.locator("#banner").get_by_text("Segment 2 is accepted: it cannot be merged.").wait_for()
    assert page.locator(".seg").count() == 3
    assert page.locator(".seg").nth(2).locator("button", has_text="merge with next").is_disabled()  # the last


# --- navigation -----------------------------------------------------------------------


def test_opening_a_task_focuses_its_first_unfinished_text_box(new_page, login, store, task):
    me, task_id = task
    first = store.open_task(me, task_id).segments[0]
    store.save_text(me, first.id, "이미 쓴 문장.", base_version=0)
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('seg-text')")
    assert focused_row(page) == 1


def test_enter_on_the_last_row_says_what_to_do_next(opened):
    page, _, _ = opened
    page.locator(".seg-text").nth(2).click()
    page.keyboard.type("마지막")
    page.keyboard.press("Enter")
    page.locator("#banner").get_by_text("2 still to do, the first is #1").wait_for()
    page.keyboard.press("Enter")  # again: there
    page.wait_for_function("document.activeElement === document.querySelectorAll('.seg-text')[0]")
    for n, text in enumerate(["처음", "가운데"]):
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # on the last row again, all done
    page.locator("#banner").get_by_text("all 3 are done: press Check, then Submit for review").wait_for()


def test_the_current_row_is_kept_in_the_middle_of_the_list(new_page, login, own_tasks):
    me, [task_id] = own_tasks("ws", "e2e-workspace", priority=400,
                              spans=[(i * 0.5, (i + 1) * 0.5) for i in range(18)])
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg.current").wait_for()
    for _ in range(9):
        page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function("document.querySelectorAll('.seg')[9].classList.contains('current')")
    offset = page.evaluate("""() => {
      const list = document.getElementById('segments').getBoundingClientRect();
      const row = document.querySelector('.seg.current').getBoundingClientRect();
      return (row.top + row.height / 2) - (list.top + list.height / 2);
    }""")
    assert abs(offset) < 40


# --- context listening ------------------------------------------------------------------


def test_alt_p_plays_the_last_second_of_the_previous_segment_and_then_this_one(opened):
    page, _, _ = opened
    page.locator(".seg-text").nth(1).click()
    page.wait_for_function(f"{PLAYER}.readyState > 0")
    page.keyboard.press("Alt+p")
    lead_in = page.locator("audio[data-lead-in]")
    lead_in.wait_for(state="attached")
    first_id = page.locator(".seg").nth(0).get_attribute("data-id")
    assert lead_in.get_attribute("data-lead-in") == first_id
    page.wait_for_function("(a => a && a.readyState > 0 && !a.paused)(document.querySelector('audio[data-lead-in]'))")
    assert page.evaluate("document.querySelector('audio[data-lead-in]').currentTime") >= 1.9  # of 3 s
    # Once the lead-in ends, the current segment plays from its start.
    page.wait_for_function(f"!document.querySelector('audio[data-lead-in]') && !{PLAYER}.paused", timeout=10_000)
    assert page.evaluate(f"{PLAYER}.currentTime") < 1.0


def test_alt_l_loops_the_current_segment_until_switched_off(opened):
    page, _, _ = opened
    page.locator(".seg-text").nth(0).click()
    page.keyboard.press("Alt+l")
    assert page.evaluate(f"{PLAYER}.loop") and page.locator("#loop").is_checked()
    page.keyboard.press("Alt+ArrowDown")  # the loop stays on for the next segment
    page.wait_for_function("document.querySelectorAll('.seg')[1].classList.contains('current')")
    assert page.evaluate(f"{PLAYER}.loop")
    page.locator("#loop").uncheck()
    assert not page.evaluate(f"{PLAYER}.loop")


def test_resuming_after_a_pause_rewinds_the_chosen_seconds_and_the_choice_is_kept(opened):
    page, _, _ = opened
    page.select_option("#rewind", "2")
    page.locator(".seg-text").nth(0).click()
    page.wait_for_function(f"{PLAYER}.readyState > 0")
    # Looping, so it is still playing however slowly this test looks again.
    page.evaluate(f"{PLAYER}.pause(); {PLAYER}.loop = true; {PLAYER}.currentTime = 2.5")
    page.evaluate("window.pressedAt = performance.now()")
    page.keyboard.press("Escape")  # resume
    # Rewound to 0.5 s, then playing on for however long this look takes on a busy machine.
    at, waited, rate = page.evaluate(
        f"[{PLAYER}.currentTime, (performance.now() - window.pressedAt) / 1000, {PLAYER}.playbackRate]")
    assert 0.45 <= at <= 0.5 + 0.1 + waited * rate, (at, waited)
    page.wait_for_function(f"!{PLAYER}.paused")
    page.reload()
    page.locator(".seg.current").wait_for()
    assert page.locator("#rewind").input_value() == "2"


def test_pause_while_typing_pauses_the_audio_and_resumes_it_after_the_typing(opened):
    page, _, _ = opened
    page.select_option("#rewind", "0")
    page.locator("#pause-while-typing").check()
    page.locator(".seg-text").nth(0).click()
    page.evaluate(f"{PLAYER}.loop = true; {PLAYER}.play()")
    page.wait_for_function(f"!{PLAYER}.paused && {PLAYER}.currentTime > 0.2")
    page.keyboard.type("네")
    assert page.evaluate(f"{PLAYER}.paused")
    page.wait_for_function(f"!{PLAYER}.paused", timeout=5000)  # typing stopped: it plays on


def test_a_click_on_the_speed_pill_changes_the_speed(opened):
    page, _, _ = opened
    page.locator(".seg-text").nth(0).click()
    pill = page.locator(".seg.current .rate")
    pill.click()
    assert pill.inner_text() == "1.25×" and page.evaluate(f"{PLAYER}.playbackRate") == 1.25
    assert page.evaluate("document.activeElement.classList.contains('seg-text')")  # the focus stays


def test_the_header_keeps_submit_for_review_on_one_line_in_a_narrow_frame(opened):
    page, _, _ = opened
    page.set_viewport_size({"width": 760, "height": 700})
    submit, check = page.locator("#submit").bounding_box(), page.locator("#check").bounding_box()
    assert submit["height"] < 34 and abs(submit["y"] - check["y"]) < 2
    assert submit["x"] + submit["width"] <= 760


def test_an_enter_while_an_input_method_composes_never_puts_a_line_break_in_the_box(opened):
    page, _, _ = opened
    box = page.locator(".seg-text").nth(0)
    box.click()
    page.keyboard.type("안녕하세")
    ime = page.context.new_cdp_session(page)
    ime.send("Input.imeSetComposition", {"text": "요", "selectionStart": 1, "selectionEnd": 1})
    # The Enter that ends the syllable: the browser flags it as composing (keyCode 229), and a
    # Korean input method passes it on to the box.
    ime.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Enter", "code": "Enter",
                                        "windowsVirtualKeyCode": 229})
    ime.send("Input.insertText", {"text": "요"})
    ime.send("Input.dispatchKeyEvent", {"type": "char", "text": "\r", "key": "Enter", "code": "Enter",
                                        "windowsVirtualKeyCode": 13})
    ime.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter",
                                        "windowsVirtualKeyCode": 13})
    page.wait_for_timeout(200)
    assert "\n" not in box.input_value()
    assert box.input_value() == "안녕하세요"


# --- tags and notation ----------------------------------------------------------------


def test_the_tag_palette_inserts_the_guidelines_tags_and_dual_notation_that_pass_the_check(opened, store):
    page, me, task_id = opened
    box = page.locator(".seg-text").nth(0)
    box.click()
    page.keyboard.press("Alt+t")
    bar = page.locator(".seg.current .reasons")
    assert [b.strip() for b in bar.locator("button").all_inner_texts()] == [
        "1 b/ breath", "2 l/ laughter", "3 o/ other speaker overlapping", "4 n/ noise",
        "5 u/ unintelligible speech", "6 ()/() (spelling)/(pronunciation)"]
    page.keyboard.press("1")
    page.keyboard.type("나는")
    page.keyboard.press("Alt+t")
    page.keyboard.press("6")  # the caret lands in the spelling half
    page.keyboard.type("KTX")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.type("케이티엑스")
    page.keyboard.press("End")
    page.keyboard.type(" 탈 거야.")
    assert box.input_value() == "b/ 나는 (KTX)/(케이티엑스) 탈 거야."
    all_saved(page)
    assert texts(store, me, task_id)[0] == "b/ 나는 (KTX)/(케이티엑스) 탈 거야."
    problems = page.evaluate(f"fetch('/api/work/tasks/{task_id}/problems').then((r) => r.json())")["problems"]
    first = page.locator(".seg").nth(0).get_attribute("data-id")
    assert [p for p in problems if str(p["segment_id"]) == first] == []
    # Esc closes the palette without inserting.
    page.keyboard.press("Alt+t")
    page.keyboard.press("Escape")
    assert bar.count() == 0 and box.input_value().endswith("탈 거야.")


# --- the reviewer ---------------------------------------------------------------------


@pytest.fixture
def round_two(store, task):
    """A task back in review after its transcriber fixed the spacing of segment 1:
    (reviewer, task id)."""
    me, task_id = task
    admin = store.actor("admin")
    reviewer = store.create_user(admin, username=f"{me.username}-r", password=PASSWORD, name="r",
                                 roles={"reviewer"}, language="ko")
    segments = store.open_task(me, task_id).segments
    for segment, text in zip(segments, ["할수 있어요.", "네 맞아요.", "네 맞아요."]):
        store.save_text(me, segment.id, text, base_version=segment.version)
    store.submit_task(me, task_id)
    store.start_review(reviewer, task_id)
    for segment in segments:
        store.return_segment(reviewer, segment.id, "띄어쓰기를 확인하세요.")
    store.finish_review(reviewer, task_id)
    first = store.open_task(me, task_id).segments[0]
    store.save_text(me, first.id, "할 수 있어요.", base_version=first.version)
    store.submit_task(me, task_id)
    return reviewer, task_id


def test_a_spacing_fix_is_visible_in_the_round_two_diff(new_page, login, round_two):
    reviewer, task_id = round_two
    page = new_page()
    login(page, reviewer.username, PASSWORD)
    page.goto(f"/work/review/{task_id}")
    diff = page.locator(".seg").nth(0).locator(".note.diff")
    diff.wait_for()
    assert diff.locator("ins .space").all_inner_texts() == ["·"]
    assert diff.inner_text().endswith("할·수 있어요.")


def test_the_listen_first_banner_goes_once_the_segment_is_decided(new_page, login, round_two):
    reviewer, task_id = round_two
    page = new_page()
    login(page, reviewer.username, PASSWORD)
    page.goto(f"/work/review/{task_id}")
    page.locator(".seg.current").wait_for()
    page.keyboard.press("Alt+a")  # not heard yet: refused
    banner = page.locator("#banner")
    banner.get_by_text("Listen to segment 1 before accepting it").wait_for()
    page.keyboard.press("Alt+x")
    page.keyboard.type("다시 들어 보세요.")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.seg.decided').length === 1")
    assert banner.is_hidden() and banner.inner_text() == ""


# --- keys of one's own ----------------------------------------------------------------


def test_a_user_moves_a_key_to_another_letter_and_keeps_it_after_a_reload(opened):
    page, me, _ = opened
    page.locator(".key-choice summary").click()
    page.select_option("select[data-action=split]", "K")
    assert "Alt+K" in page.locator("#keys").inner_text()
    page.select_option("select[data-action=merge]", "K")  # taken: refused, merge keeps Alt+M
    page.locator("#banner").get_by_text("Alt+K is taken").wait_for()
    assert page.locator("select[data-action=merge]").input_value() == "M"

    page.reload()
    page.locator(".seg.current").wait_for()
    page.locator(".seg-text").nth(0).click()
    page.evaluate(f"{PLAYER}.currentTime = 1.5")
    page.keyboard.press("Alt+s")  # the old key does nothing now
    page.wait_for_timeout(500)
    assert page.locator(".seg").count() == 3
    page.keyboard.press("Alt+k")
    page.wait_for_function("document.querySelectorAll('.seg').length === 4")
    assert page.evaluate("JSON.parse(localStorage.getItem('wb-keys'))") == {me.username: {"split": "KeyK"}}
