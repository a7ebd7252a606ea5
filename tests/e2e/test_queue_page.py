"""The worker's light queue page (ui/queue_page.py) in real Chromium: a transcriber signs in
and lands on it, takes the next task, lands in the task page, and coming back (the browser's
Back, or the task page's "← Queue") sees the task listed and the offer updated."""

from __future__ import annotations

import re

PASSWORD = "quiet-lantern-57"
CLIP = "e2e_queue_page"


def test_a_transcriber_takes_the_next_task_from_the_queue_page_and_comes_back_to_it_listed(
        new_page, login, workbench_app, screenshot_dir):
    from workbench.queue import RecordingQueue
    from workbench.workflow.service import Workbench

    wb = Workbench.open(data_dir=workbench_app.data_dir, queue=RecordingQueue())
    try:
        admin = wb.actor("admin")
        # Japanese, and the highest priority: this test's clip is the one offered first.
        wb.create_user(admin, username="e2e-queue-ja", password=PASSWORD, name="Queue Page", roles={"transcriber"},
                       language="ja")
        task_id = wb.register_processed_clip(admin, filename=f"{CLIP}.wav", language="ja", project="e2e",
                                             duration=4.0, segments=[(0.0, 2.0), (2.0, 4.0)],
                                             priority=1000).task_id
        page = new_page()
        login(page, "e2e-queue-ja", PASSWORD, gradio=False)
        assert page.url.endswith("/work")
        waiting = wb.my_queue(wb.actor("e2e-queue-ja")).available
        page.locator("#offer").filter(has_text=f"{waiting} task(s) waiting in your language.").wait_for()
        page.locator("#my-tasks").get_by_text("You hold no task.").wait_for()

        page.get_by_role("button", name="Take the next task").click()
        page.wait_for_url(f"**/work/transcribe/{task_id}")
        page.locator("#title").filter(has_text=CLIP).wait_for()
        assert [task.id for task in wb.my_queue(wb.actor("e2e-queue-ja")).open] == [task_id]

        page.go_back()
        page.wait_for_url("**/work")
        listed = page.locator("#my-tasks").get_by_role("link", name=re.compile(CLIP))
        listed.wait_for()
        offer = "No task is waiting" if waiting == 1 else f"{waiting - 1} task(s) waiting"
        page.locator("#offer").filter(has_text=offer).wait_for()
        page.screenshot(path=str(screenshot_dir / "queue.png"))

        listed.click()
        page.wait_for_url(f"**/work/transcribe/{task_id}")
        page.get_by_role("link", name="← Queue").click()
        page.wait_for_url("**/work")
        page.locator("#my-tasks").get_by_role("link", name=re.compile(CLIP)).wait_for()
    finally:
        wb.close()
