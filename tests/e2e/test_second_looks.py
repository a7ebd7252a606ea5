"""A senior's checks and a reviewer's disputes on the light queue page /work in real Chromium:
the senior plays a sampled acceptance to its end (Confirm and Overturn wait for that) and
confirms it, and a reviewer plays a disputed span of a double transcription to its end (the
picks wait for that) and settles it by picking a text, each by a button on the page, and
the store holds the verdict."""

from __future__ import annotations

from tests.builders import SettableClock, processed_clip, tone_clip, transcribe
from tests.quality_support import quality_rules, reviewed_task  # noqa: F401 (fixture)
from tests.test_double import OTHER

PASSWORD = "quiet-lantern-57"


def disputed_span(wb, admin, made, folder, *, project: str, priority: int):
    """A clip ``made["one"]`` and ``made["two"]`` both type, far apart: the dispute over its
    span that ``made["reviewer"]`` is offered."""
    original = processed_clip(wb, admin, filename=f"{folder.name}.wav", project=project, priority=priority,
                              output_dir=tone_clip(folder, seconds=10.0))
    copy = wb.double_task(admin, original)
    assert wb.claim_next(made["one"]).id == original
    transcribe(wb, made["one"], original)
    assert wb.claim_next(made["two"]).id == copy
    transcribe(wb, made["two"], copy, texts=[OTHER])
    return next(d for d in wb.double_disputes(made["reviewer"]) if OTHER in (d.first_text, d.second_text))


def test_a_senior_confirms_a_check_and_a_reviewer_settles_a_dispute_from_the_queue_page(
        new_page, login, workbench_app, quality_rules, screenshot_dir):
    from workbench.queue import RecordingQueue
    from workbench.workflow.context import utc_now
    from workbench.workflow.service import Workbench

    quality_rules(**{"e2e-second": {"senior_share": 1.0}})
    wb = Workbench.open(data_dir=workbench_app.data_dir, queue=RecordingQueue(), clock=SettableClock(utc_now()))
    try:
        admin = wb.actor("admin")
        made = {name: wb.create_user(admin, username=f"e2e-second-{name}", password=PASSWORD, name=name.title(),
                                     roles={role}, language="ko")
                for name, role in (("one", "transcriber"), ("two", "transcriber"), ("reviewer", "reviewer"),
                                   ("senior", "reviewer"))}
        wb.grant_senior(admin, "e2e-second-senior")
        reviewed_task(wb, admin, made["one"], made["reviewer"], project="e2e-second", priority=9000,
                      output_dir=tone_clip(workbench_app.data_dir / "e2e-second-audio", seconds=25.0))
        # The shared e2e app may hold other Korean checks from earlier tests: take this one's.
        check = next(c for c in wb.senior_queue(made["senior"]) if c.reviewer == "e2e-second-reviewer")
        dispute = disputed_span(wb, admin, made, workbench_app.data_dir / "e2e-second-double",
                                project="e2e-second", priority=9001)

        page = new_page()
        login(page, "e2e-second-senior", PASSWORD, gradio=False)
        item = page.locator(f'#check-list li[data-check="{check.id}"]')
        item.get_by_text(check.text).wait_for()
        assert "null" not in page.locator("#check-list").inner_text()  # a first or last segment has one neighbour
        confirm = item.get_by_role("button", name="Confirm")
        assert confirm.is_disabled()  # not heard yet
        item.get_by_role("button", name="Play").click()
        page.wait_for_function("(id) => document.querySelector(`audio[data-check-audio='${id}']`).ended", arg=check.id)
        item.get_by_text("heard", exact=True).wait_for()
        page.screenshot(path=str(screenshot_dir / "senior-checks.png"), full_page=True)
        assert confirm.is_enabled()
        confirm.click()
        item.wait_for(state="detached")
        assert check.id not in {c.id for c in wb.senior_queue(made["senior"])}
        (standing,) = wb.reviewer_accuracy(admin, username="e2e-second-reviewer")
        assert (standing.project, standing.checked, standing.confirmed) == ("e2e-second", 1, 1)

        page = new_page()
        login(page, "e2e-second-reviewer", PASSWORD, gradio=False)
        item = page.locator(f'#dispute-list li[data-dispute="{dispute.id}"]')
        item.get_by_text(dispute.second_text).wait_for()
        assert page.locator("#checks").is_hidden()  # not a senior: no checks section
        pick = item.get_by_role("button", name="Pick second")
        assert pick.is_disabled()  # the span not heard yet
        item.get_by_role("button", name="Play").click()
        page.wait_for_function("(id) => document.querySelector(`audio[data-dispute-audio='${id}']`).ended",
                               arg=dispute.id)
        item.get_by_text("heard", exact=True).wait_for()
        page.screenshot(path=str(screenshot_dir / "disputes.png"), full_page=True)
        assert pick.is_enabled()
        pick.click()
        item.wait_for(state="detached")
        assert dispute.id not in {d.id for d in wb.double_disputes(made["reviewer"])}
    finally:
        wb.close()


def test_a_korean_reviewer_is_told_in_korean_why_a_settlement_was_refused(
        chromium, workbench_app, quality_rules, screenshot_dir):
    # The settle route refuses in the reader's language (ui/errors.refusal): a reviewer whose
    # browser is Korean hears the span, asks for a third text with the box empty, and reads
    # the refusal beside the item in Korean; the dispute stays open.
    from workbench.queue import RecordingQueue
    from workbench.workflow.context import utc_now
    from workbench.workflow.service import Workbench

    wb = Workbench.open(data_dir=workbench_app.data_dir, queue=RecordingQueue(), clock=SettableClock(utc_now()))
    context = chromium.new_context(base_url=workbench_app.base_url, viewport={"width": 1280, "height": 860}, locale="ko-KR")
    try:
        admin = wb.actor("admin")
        made = {name: wb.create_user(admin, username=f"e2e-refusal-{name}", password=PASSWORD, name=name.title(),
                                     roles={role}, language="ko")
                for name, role in (("one", "transcriber"), ("two", "transcriber"), ("reviewer", "reviewer"))}
        dispute = disputed_span(wb, admin, made, workbench_app.data_dir / "e2e-refusal-double",
                                project="e2e-refusal", priority=9002)

        page = context.new_page()
        page.goto("/login")
        page.fill("#login-username", "e2e-refusal-reviewer")
        page.fill("#login-password", PASSWORD)
        page.click("#signin-form button[type=submit]")
        page.wait_for_url("**/work")
        item = page.locator(f'#dispute-list li[data-dispute="{dispute.id}"]')
        item.get_by_text(dispute.second_text).wait_for()
        item.get_by_role("button", name="재생").click()
        page.wait_for_function("(id) => document.querySelector(`audio[data-dispute-audio='${id}']`).ended",
                               arg=dispute.id)
        item.get_by_text("들음", exact=True).wait_for()
        write = item.get_by_role("button", name="세 번째로 쓰기")
        assert write.is_enabled()
        write.click()
        item.get_by_role("alert").filter(has_text="세 번째 텍스트를 쓰세요.").wait_for()
        page.screenshot(path=str(screenshot_dir / "dispute-refusal-ko.png"), full_page=True)
        assert dispute.id in {d.id for d in wb.double_disputes(made["reviewer"])}  # still open
    finally:
        context.close()
        wb.close()
