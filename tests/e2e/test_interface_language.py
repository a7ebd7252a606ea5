"""The pages in the worker's language, in real Chromium: a browser set to Korean gets the
sign-in page, the queue page and the task page in Korean (their scripts' words too, with no
English left but key names and the clip's own name); the header's picker switches the same
worker to English, and that choice is kept for them; a worker's pay is explained in Korean on
the My earnings tab. Saves docs/screenshots/task-page-ko.png, task-page-en.png and
earnings-ko.png."""

from __future__ import annotations

import re

from tests.builders import PASSWORD, loud_then_quiet

CLIP = "e2e-language"
# What may stay in Latin letters on a Korean page: key names, the clip and project names.
NOT_ENGLISH = {"Alt", "Esc", "Enter", "Shift", "language", "wav", "English"}
VIEWPORT = {"width": 1280, "height": 860}


def english_words(page) -> set[str]:
    """The Latin words (3+ letters) the reader sees: text, titles, labels and placeholders."""
    shown = page.evaluate("""() => [document.body.innerText,
        ...[...document.querySelectorAll('[title],[aria-label],[placeholder]')].flatMap((el) =>
          ['title', 'aria-label', 'placeholder'].map((name) => el.getAttribute(name) || ''))].join(' ')""")
    return set(re.findall(r"[A-Za-z]{3,}", shown)) - NOT_ENGLISH


def test_a_korean_browser_gets_the_queue_and_task_page_in_korean_and_the_picker_switches_to_english(
        chromium, workbench_app, store, screenshot_dir, tmp_path):
    admin = store.actor("admin")
    me = store.create_user(admin, username="e2e-language-ko", password=PASSWORD, name="언어 시험",
                           roles={"transcriber"}, language="ko")
    store.register_processed_clip(admin, filename=f"{CLIP}.wav", language="ko", project="e2e", duration=9.0,
                                  segments=[(0.0, 3.0), (3.0, 6.0), (6.0, 9.0)], priority=900,
                                  output_dir=loud_then_quiet(tmp_path / "clip"))
    task_id = store.claim_next(me).id
    context = chromium.new_context(base_url=workbench_app.base_url, viewport=VIEWPORT, locale="ko-KR")
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_role("heading", name="로그인").wait_for()
        page.fill("#login-username", me.username)
        page.fill("#login-password", PASSWORD)
        page.click("#signin-form button[type=submit]")
        page.wait_for_url("**/work")
        page.get_by_role("heading", name="내 작업").wait_for()
        task_link = page.locator("#my-tasks").get_by_role("link", name=re.compile(CLIP))
        task_link.wait_for()
        assert "완료" in task_link.inner_text()
        assert english_words(page) == set()

        task_link.click()
        page.wait_for_url(f"**/work/transcribe/{task_id}")
        page.locator("#title").filter(has_text=CLIP).wait_for()
        page.get_by_role("button", name="검수 요청").wait_for()
        box = page.get_by_role("textbox", name="1번 문장")
        assert box.get_attribute("placeholder") == "들리는 문장 하나를 입력하세요"
        box.click()
        page.keyboard.type("안녕하세요")
        page.locator("#save-state").filter(has_text="모두 저장됨").wait_for()
        page.locator("#count").filter(has_text="1 / 3 완료").wait_for()
        assert english_words(page) == set()
        page.screenshot(path=str(screenshot_dir / "task-page-ko.png"))

        page.get_by_role("link", name=re.compile("작업 목록")).click()
        page.wait_for_url("**/work")
        with page.expect_navigation():
            page.select_option("#language", "en")
        page.get_by_role("heading", name="My tasks").wait_for()
        assert store.actor(me.username).ui_language == "en"
        page.locator("#my-tasks").get_by_role("link", name=re.compile(CLIP)).click()
        page.wait_for_url(f"**/work/transcribe/{task_id}")
        page.get_by_role("button", name="Submit for review").wait_for()
        page.locator("#save-state").filter(has_text="all saved").wait_for()
        page.locator("#count").filter(has_text="1 / 3 done").wait_for()
        page.screenshot(path=str(screenshot_dir / "task-page-en.png"))
    finally:
        context.close()


def sign_in_korean(context, login) -> object:
    """A page of ``context`` (a Korean browser) signed in as the demo ``login``, on the Gradio app."""
    page = context.new_page()
    page.goto("/login")
    page.fill("#login-username", login.username)
    page.fill("#login-password", login.password)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(re.compile(r"/(work)?$"))
    if page.url.endswith("/work"):
        page.goto("/")
    page.get_by_text("로그인됨").wait_for()
    return page


def test_the_gradio_admin_page_in_a_korean_browser_names_its_tabs_buttons_labels_and_help_in_korean(
        chromium, workbench_app, screenshot_dir):
    context = chromium.new_context(base_url=workbench_app.base_url, viewport=VIEWPORT, locale="ko-KR")
    try:
        page = sign_in_korean(context, workbench_app.login_for("admin"))
        page.get_by_role("tab", name="관리").wait_for()
        for tab in ("클립", "지원서", "작업자", "정산", "내보내기"):
            page.get_by_role("tab", name=tab).wait_for()
        page.get_by_role("button", name="올리고 처리하기").wait_for()
        for label in ("오디오 또는 동영상 파일(여러 개 가능)", "우선순위(높을수록 먼저 전사)"):
            page.get_by_text(label, exact=True).first.wait_for()
        page.get_by_text("처리 현황", exact=True).wait_for()
        page.get_by_role("tab", name="정산").click()
        page.get_by_text("모의 실행 결과가 맞음", exact=True).wait_for()
        page.get_by_text("지급일을 고르고 모의 실행을 하세요.", exact=False).wait_for()
        page.get_by_role("tab", name="클립").click()
        assert page.evaluate("navigator.language") == "ko"
        page.screenshot(path=str(screenshot_dir / "admin-ko.png"))
    finally:
        context.close()


def test_my_earnings_in_a_korean_browser_explains_the_pay_in_korean(chromium, workbench_app, screenshot_dir):
    """The Gradio "My earnings" tab of a worker paid in the demo: what the server writes into
    it (the summary, the tables' headers, statuses and language names, time on task, the chart)
    comes in the browser's language, like the labels Gradio translates itself; so does the
    Transcribe tab's queue."""
    context = chromium.new_context(base_url=workbench_app.base_url, viewport=VIEWPORT, locale="ko-KR")
    try:
        # The demo's paid period is the English transcriber's; the pages follow the browser.
        page = sign_in_korean(context, workbench_app.login_for("transcriber", "en"))
        # The Transcribe tab it opens on: the queue's offer and labels in Korean too.
        side = page.locator(".wb-side").first
        side.get_by_text("작업", exact=False).first.wait_for()
        queue_text = side.inner_text()
        assert not any(words in queue_text for words in ("in your language", "min clip", "min speech", " done"))
        page.get_by_role("tab", name="내 수입").click()
        summary = page.locator("#wb-earnings-summary")
        summary.get_by_text("지난 지급일", exact=False).wait_for()
        page.locator("#wb-earnings-periods [role=gridcell]", has_text="지급됨").first.wait_for()
        headers = page.locator("#wb-statement thead").inner_text()
        assert "지급일" in headers and "금액" in headers and "payday" not in headers
        shown = " ".join([summary.inner_text(), page.locator("#wb-time-summary").inner_text(),
                          page.locator("#wb-earnings-periods").inner_text(), headers])
        assert set(re.findall(r"[A-Za-z]{3,}", shown)) == set()
        page.locator("#wb-earnings-chart img").wait_for()
        page.screenshot(path=str(screenshot_dir / "earnings-ko.png"), full_page=True)
    finally:
        context.close()
