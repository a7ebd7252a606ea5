""""Take the next task" in real Chromium when the server refuses: the page says why beside
the button and opens nothing (the claim itself is tests/e2e/test_loop_work.py's first step)."""

from __future__ import annotations

PASSWORD = "e2e-take-password"


def test_a_refused_claim_is_shown_beside_the_button_and_opens_nothing(new_page, login, workbench_app):
    from workbench.queue import RecordingQueue
    from workbench.workflow.service import Workbench

    wb = Workbench.open(data_dir=workbench_app.data_dir, queue=RecordingQueue())
    try:
        admin = wb.actor("admin")
        wb.create_user(admin, username="e2e-take-refused", password=PASSWORD, name="Refused",
                       roles={"transcriber"}, language="ko")
        # A task is waiting, so the button is enabled; the lowest priority, so no other test is offered it.
        wb.register_processed_clip(admin, filename="e2e_take_refused.wav", language="ko", project="e2e",
                                   duration=4.0, segments=[(0.0, 2.0), (2.0, 4.0)], priority=-1000)
        page = new_page()
        login(page, "e2e-take-refused", PASSWORD)
        page.context.clear_cookies()  # signed out behind the page's back: the claim answers 401
        page.get_by_role("button", name="Take the next task").click()
        page.get_by_role("alert").filter(has_text="Not signed in").wait_for()
        assert page.locator("iframe.wb-task-frame").count() == 0
        assert wb.my_queue(wb.actor("e2e-take-refused")).open == ()
    finally:
        wb.close()
