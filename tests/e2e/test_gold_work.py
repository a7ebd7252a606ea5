"""Gold work in real Chromium: a gold copy is served on the ordinary task page, typed and
submitted like any task, scored at the submit, and the admin sees the score on the Gold tab."""

from __future__ import annotations

import pytest

from tests.e2e.test_admin import cells, data_row

PASSWORD = "quiet-lantern-57"


@pytest.fixture(scope="module")
def store(workbench_app):
    from workbench.queue import ImmediateQueue
    from workbench.workflow.service import Workbench

    wb = Workbench.open(data_dir=workbench_app.data_dir, queue=ImmediateQueue())
    yield wb
    wb.close()


def test_a_gold_segment_is_served_scored_and_its_score_shown_to_the_admin(new_page, login, workbench_app, store,
                                                                          screenshot_dir):
    admin = store.actor("admin")
    me = store.create_user(admin, username="e2e-checker", password=PASSWORD, name="Checker", roles={"transcriber"},
                           language="en")
    source = next(iter(store.gold_copies(admin).values()))  # the demo's gold clip
    copy = store.offer_gold_copy(admin, clip_id=source, project="e2e-check", priority=500)
    assert store.claim_next(me).id == copy
    segments = store.open_task(me, copy).segments

    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{copy}")
    page.locator(".seg").first.wait_for()
    assert "gold" not in page.content().lower()  # nothing on the page (names here avoid the word)
    for index in range(len(segments)):
        box = page.locator(".seg-text").nth(index)
        box.click()
        box.fill("okay so that is it.")
    page.wait_for_function("document.getElementById('save-state').textContent === 'all saved'")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Submitted for review").wait_for()

    admin_page = new_page()
    login(admin_page, "admin", workbench_app.login_for("admin").password)
    admin_page.get_by_role("tab", name="Gold").click()
    row = cells(data_row(admin_page, "#wb-gold-scores", "e2e-checker"))
    assert row[1:4] == ["e2e-checker", "e2e-check", "en"] and row[-1] == "failed"
    assert float(row[8]) > 0.1  # its CER against the reference
    admin_page.screenshot(path=str(screenshot_dir / "gold.png"), full_page=True)
