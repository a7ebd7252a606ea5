"""The admin forms in real Chromium: a refusal is said in the line below the form and hides
nothing (no error overlay, no toast, the checkbox and the tables stay), dates are picked,
and the transcriber's header keeps "Submit for review" on one line at common widths."""

from __future__ import annotations

import pytest

from tests.builders import PASSWORD

ERROR_OVERLAY = ".wrap.error, .toast-body"  # Gradio's overlay on an output, and its toast


def admin_tab(page, login, workbench_app, tab: str):
    admin = workbench_app.login_for("admin")
    login(page, admin.username, admin.password)
    page.get_by_role("tab", name=tab).click()


def test_committing_without_the_box_says_so_beside_the_form_and_hides_nothing(page, login, workbench_app,
                                                                             screenshot_dir):
    admin_tab(page, login, workbench_app, "Settlements")
    page.get_by_role("button", name="Dry run").click()
    page.locator("#wb-settlement-summary").get_by_text("Dry run for payday").wait_for()
    page.get_by_role("button", name="Commit settlement").click()
    page.locator("#wb-settlement-message.wb-form-error").get_by_text("Tick the box").wait_for()
    assert page.get_by_label("The dry run is right").is_visible()
    assert "Dry run for payday" in page.locator("#wb-settlement-summary").inner_text()
    assert page.locator("#wb-settlement-items").is_visible()
    assert page.locator(ERROR_OVERLAY).count() == 0
    page.screenshot(path=str(screenshot_dir / "settlement-refused.png"), full_page=True)


def test_a_bad_rate_date_replaces_the_last_success_and_the_history_stays(page, login, workbench_app):
    admin_tab(page, login, workbench_app, "Rates")
    picker = page.locator("#wb-rate-from input").first
    page.get_by_label("Won per minute", exact=True).fill("1700")
    picker.fill("2099-01-01 09:30:00")
    page.get_by_role("button", name="Set rate").click()
    message = page.locator("#wb-rate-message")
    message.get_by_text("from 2099-01-01 09:30 (Seoul time)").wait_for()
    new_rate = page.locator("#wb-rate-history div[role=row]", has_text="2099-01-01 09:30").first
    new_rate.wait_for()

    picker.fill("2099-02-30 09:00:00")
    page.get_by_role("button", name="Set rate").click()
    page.locator("#wb-rate-message.wb-form-error").get_by_text("is not a date-time").wait_for()
    assert "2099-01-01 09:30 (Seoul time)" not in message.inner_text()
    assert new_rate.is_visible()
    assert page.locator(ERROR_OVERLAY).count() == 0


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_task_header_keeps_submit_for_review_on_one_line_at_common_widths(new_page, login, own_tasks, width):
    me, [task_id] = own_tasks(f"hdr{width}", "e2e-header", priority=300)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    login(page, me.username, PASSWORD)
    frame = page.locator("iframe.wb-task-frame").element_handle().content_frame()
    frame.locator(".seg").first.wait_for()
    submit, check = frame.locator("#submit").bounding_box(), frame.locator("#check").bounding_box()
    assert submit["height"] < 34 and abs(submit["y"] - check["y"]) < 2
