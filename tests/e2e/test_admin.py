"""The admin's day in real Chromium: upload a clip and watch it get processed by the queue
worker; run a settlement and find the same pay on the worker's statement. Saves the login,
admin, settlement and earnings screenshots README shows."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest

from workbench.demo import SAMPLE_DIR, ShiftedClock, review, sample_clips, transcribe
from workbench.ui.app import PAGE_TITLES

UPLOAD_NAME = "e2e_admin_upload.wav"


def data_row(page, table: str, text: str):
    """A body row of a Gradio dataframe (rendered as ``role=row`` divs, not ``tr``)."""
    row = page.locator(f"{table} div[role=row]", has_text=text).first
    row.wait_for()
    return row


def cells(row) -> list[str]:
    return [cell.strip() for cell in row.locator("[role=gridcell]").all_inner_texts()]


def test_the_login_page_is_all_there_is_without_a_session(page, screenshot_dir):
    page.goto("/")
    assert page.url.endswith("/login")
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("heading", name="Apply to work with us").wait_for()
    page.screenshot(path=str(screenshot_dir / "login.png"))


@pytest.mark.parametrize(
    "role, language, tabs",
    [("admin", None, ["Admin"]), ("transcriber", "zh", ["Transcribe", "My earnings"]),
     ("reviewer", "zh", ["Review", "My earnings"])],
)
def test_each_role_sees_only_its_own_pages(page, login, workbench_app, role, language, tabs):
    user = workbench_app.login_for(role, language)
    login(page, user.username, user.password)
    page.get_by_role("tab", name=tabs[0]).wait_for()
    shown = [name.strip() for name in page.locator("[role=tab]:visible").all_inner_texts()]
    titles = [title.key for title in PAGE_TITLES.values()]  # marked for translation (gradio_i18n.tr)
    assert [name for name in shown if name in titles] == tabs


def test_an_uploaded_clip_is_processed_and_shown_ready(page, login, workbench_app, screenshot_dir, tmp_path):
    admin = workbench_app.login_for("admin")
    login(page, admin.username, admin.password)
    upload = tmp_path / UPLOAD_NAME
    shutil.copy(SAMPLE_DIR / "ko_interview.wav", upload)

    page.locator("#wb-upload-files input[type=file]").set_input_files(str(upload))
    page.locator("#wb-upload-project textarea").fill("e2e-upload")
    page.locator("#wb-upload-anyway input").check()  # the demo imported the same sample
    page.get_by_role("button", name="Upload and process").click()
    page.locator("#wb-upload-result").get_by_text("Queued 1 clip(s) for processing").wait_for()

    row = page.locator("#wb-clips tr", has_text=UPLOAD_NAME)
    row.locator(".wb-status-ready").wait_for(timeout=90_000)
    assert "100%" in row.inner_text()
    assert re.search(r"\t\d+$", row.inner_text().strip()), "a ready clip shows its segment count"
    page.wait_for_timeout(800)  # let the progress bar finish its CSS transition for the picture
    page.screenshot(path=str(screenshot_dir / "admin.png"))


@pytest.fixture(scope="module")
def completed_now(workbench_app):
    """The Japanese transcriber's open demo task, done and accepted through the store now."""
    from workbench.worker import open_queued

    # The review "listens" by moving this clock on, as the wall clock moves for a reviewer.
    wb = open_queued(data_dir=workbench_app.data_dir, clock=ShiftedClock(timedelta(0)))
    transcriber = wb.actor(workbench_app.login_for("transcriber", "ja").username)
    reviewer = wb.actor(workbench_app.login_for("reviewer", "ja").username)
    task = wb.claim_next(transcriber)
    transcribe(wb, transcriber, wb.open_task(transcriber, task.id), sample_clips()[task.clip_name]["sentences"])
    wb.submit_task(transcriber, task.id)
    review(wb, reviewer, task.id, return_one=False)
    yield task.clip_name
    wb.close()


def test_a_settlement_run_shows_the_pay_the_worker_finds_on_their_statement(new_page, login, workbench_app,
                                                                           completed_now, screenshot_dir):
    admin_page, worker_page = new_page(), new_page()
    admin = workbench_app.login_for("admin")
    worker = workbench_app.login_for("transcriber", "ja")

    login(admin_page, admin.username, admin.password)
    admin_page.get_by_role("tab", name="Settlements").click()
    admin_page.get_by_role("button", name="Dry run").click()
    admin_page.locator("#wb-settlement-summary").get_by_text("Dry run for payday").wait_for()
    amount = cells(data_row(admin_page, "#wb-settlement-items", worker.username))[-1]
    assert amount.isdigit() and int(amount) > 0
    admin_page.locator("#wb-period-totals").get_by_text("Totals per payday").wait_for()
    admin_page.screenshot(path=str(screenshot_dir / "settlement.png"), full_page=True)

    login(worker_page, worker.username, worker.password)
    worker_page.get_by_role("tab", name="My earnings").click()
    assert amount in cells(data_row(worker_page, "#wb-statement", completed_now))
    assert "not yet paid: 1 task(s)" in worker_page.locator("#wb-earnings-summary").inner_text()


def test_a_paid_period_shows_on_my_earnings_with_its_chart(page, login, workbench_app, screenshot_dir):
    worker = workbench_app.login_for("transcriber", "en")
    login(page, worker.username, worker.password)
    page.get_by_role("tab", name="My earnings").click()
    period = cells(data_row(page, "#wb-earnings-periods", "paid"))
    assert period[-1] == "paid" and int(period[6]) > 0
    page.locator("#wb-earnings-chart").wait_for()
    assert "Last payday" in page.locator("#wb-earnings-summary").inner_text()
    page.screenshot(path=str(screenshot_dir / "earnings.png"), full_page=True)


def test_an_applicant_signs_in_only_after_an_admin_approves_and_not_once_the_account_is_closed(new_page, login, workbench_app, tmp_path):
    applicant, admin_page = new_page(), new_page()
    document = tmp_path / "passport.pdf"
    document.write_bytes(b"%PDF-1.4 e2e passport")
    applicant.goto("/login")
    applicant.fill("#apply-name", "Hong Gildong")
    applicant.select_option("#apply-language", "ko")
    applicant.fill("#apply-username", "e2e-applicant")
    applicant.fill("#apply-password", "amber-kettle-2049")
    applicant.fill("#apply-bank", "HONG GILDONG")
    applicant.set_input_files("#apply-document", str(document))
    applicant.click("#apply-form button[type=submit]")
    applicant.get_by_text("Your application was received").wait_for()

    applicant.fill("#login-username", "e2e-applicant")
    applicant.fill("#login-password", "amber-kettle-2049")
    applicant.click("#signin-form button[type=submit]")
    applicant.get_by_text("still being reviewed").wait_for()

    admin = workbench_app.login_for("admin")
    login(admin_page, admin.username, admin.password)
    admin_page.get_by_role("tab", name="Applications").click()
    admin_page.get_by_role("link", name="passport.pdf").wait_for()
    admin_page.get_by_label("Application", exact=True).click()
    admin_page.get_by_role("option", name="Hong Gildong").click()
    admin_page.get_by_role("button", name="Approve").click()
    admin_page.get_by_text("approved: they can sign in now").wait_for()

    login(applicant, "e2e-applicant", "amber-kettle-2049")
    assert "Hong Gildong" in applicant.locator(".wb-who").inner_text()

    # When they leave, closing the account signs them out at once.
    admin_page.get_by_role("tab", name="Workers").click()
    admin_page.get_by_label("Account", exact=True).click()
    admin_page.get_by_role("option", name="e2e-applicant").click()
    admin_page.get_by_label("Reason (kept in the audit log)").fill("left the project")
    admin_page.get_by_role("button", name="Close account").click()
    admin_page.get_by_text("Hong Gildong's account is closed").wait_for()
    applicant.reload()
    applicant.wait_for_url(re.compile(r"/login$"))
    admin_page.get_by_role("tab", name="Audit log").click()
    closed = data_row(admin_page, "#audit-log", "user.deactivated")
    assert cells(closed)[1] == admin.username and "left the project" in cells(closed)[4]
