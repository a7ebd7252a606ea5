"""The light earnings page in real Chromium (ui/earnings_page.py, static/work/earnings.js): a
transcriber follows "My earnings" from the queue page and reads what is coming, their task
waiting for review among it."""

from __future__ import annotations

from tests.builders import PASSWORD


def test_a_transcriber_opens_the_earnings_page_from_the_queue_and_sees_the_work_waiting_for_review(
        new_page, login, store, own_tasks, screenshot_dir):
    me, [task_id] = own_tasks("earn", "e2e-earnings", priority=930)
    for segment in store.open_task(me, task_id).segments:
        store.save_text(me, segment.id, "네 맞아요.", base_version=segment.version)
    store.submit_task(me, task_id)

    page = new_page()
    login(page, me.username, PASSWORD, gradio=False)
    page.get_by_role("link", name="My earnings").click()
    page.wait_for_url("**/work/earnings")
    page.locator("#waiting").filter(has_text="Waiting for review: 1 task(s), 0.1 clip minutes").wait_for()
    page.locator("#paydays").get_by_text("Nothing accepted is waiting to be paid.").wait_for()
    page.locator("#rules").filter(has_text="Paydays are the 15th and the last day of the month").wait_for()
    page.locator("#paid").get_by_text("No payday has been settled for you yet.").wait_for()
    page.screenshot(path=str(screenshot_dir / "earnings-coming.png"))
    page.get_by_role("link", name="My work").click()
    page.wait_for_url("**/work")
