"""The quality rules in real Chromium: a transcriber with one of ten segments returned in a
day is warned by the next day's check, and the warning, its reason and the segment are shown
on their /work page."""

from __future__ import annotations

from tests.builders import SettableClock
from tests.quality_support import reviewed_task
from workbench.workflow.quality_rules import seoul_day

PASSWORD = "quiet-lantern-57"


def test_a_warning_is_shown_on_the_workers_queue_page(new_page, login, workbench_app, screenshot_dir):
    from workbench.queue import RecordingQueue
    from workbench.workflow.context import utc_now
    from workbench.workflow.service import Workbench

    clock = SettableClock(utc_now())
    wb = Workbench.open(data_dir=workbench_app.data_dir, queue=RecordingQueue(), clock=clock)
    try:
        admin = wb.actor("admin")
        scribe = wb.create_user(admin, username="e2e-rules-scribe", password=PASSWORD, name="Rules Scribe",
                                roles={"transcriber"}, language="ko")
        reviewer = wb.create_user(admin, username="e2e-rules-reviewer", password=PASSWORD, name="Rules Reviewer",
                                  roles={"reviewer"}, language="ko")
        day = seoul_day(clock.now)
        _, returned = reviewed_task(wb, admin, scribe, reviewer, returns=1, project="e2e-rules", priority=5000)
        clock.advance(days=1)
        given = [a for a in wb.run_quality_rules(admin, day=day) if a.username == scribe.username]
        assert [(a.kind, a.segment_ids) for a in given] == [("warning", tuple(returned))]

        page = new_page()
        login(page, scribe.username, PASSWORD, gradio=False)
        assert page.url.endswith("/work")
        banner = page.locator(".quality-warning")
        banner.wait_for()
        text = banner.inner_text()
        assert "Warning" in text and "e2e-rules" in text and "10%" in text and str(returned[0]) in text
        assert banner.get_attribute("role") == "alert"
        page.screenshot(path=str(screenshot_dir / "quality-warning.png"))
    finally:
        wb.close()
