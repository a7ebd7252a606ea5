"""Machine drafts on the transcriber's page in real Chromium (issue 13): the draft fills the
boxes, its uncertain words are marked, Alt+C clears a draft, and what is typed is counted
and stored with the save; once the task is reviewed, the admin's Drafts tab shows the draft
CER and the effort the drafts saved."""

from __future__ import annotations

import pytest

from tests.builders import fake_drafted_task

PASSWORD = "quiet-lantern-57"
DRAFTS = {0: "네 그 말이 맞아요", 1: "오늘 날씨가 좋네요", 2: "감사합니다"}


@pytest.fixture(scope="module")
def drafted(workbench_app, tmp_path_factory):
    """A Korean task of three segments drafted by the fake engine (그 and 날씨가 uncertain),
    claimed by its own transcriber."""
    from workbench.worker import open_immediate

    wb = open_immediate(data_dir=workbench_app.data_dir)
    admin = wb.actor("admin")
    me = wb.create_user(admin, username="e2e-drafts", password=PASSWORD, name="Drafts", roles={"transcriber"},
                        language="ko")
    wb.create_user(admin, username="e2e-drafts-reviewer", password=PASSWORD, name="Drafts Reviewer",
                   roles={"reviewer"}, language="ko")
    task_id, ids = fake_drafted_task(wb, admin, me, tmp_path_factory.mktemp("drafted") / "clip",
                                     project="e2e-drafts", spans=[(0.0, 3.0), (3.0, 6.0), (6.0, 9.0)],
                                     drafts=DRAFTS, probabilities={"그": 0.2, "날씨가": 0.3}, priority=500)
    yield wb, me, task_id, ids
    wb.close()


def test_a_draft_fills_the_boxes_with_its_uncertain_words_marked_and_alt_c_clears_it(new_page, login, drafted):
    wb, me, task_id, ids = drafted
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    boxes = page.locator(".seg-text")
    boxes.nth(2).wait_for()
    assert [boxes.nth(n).input_value() for n in range(3)] == list(DRAFTS.values())
    notes = page.locator(".note.machine-draft")
    assert notes.count() == 3
    assert notes.nth(0).locator("mark.uncertain").all_inner_texts() == ["그"]
    assert notes.nth(1).locator("mark.uncertain").all_inner_texts() == ["날씨가"]
    assert notes.nth(2).locator("mark.uncertain").count() == 0
    assert "Alt+C clears it" in notes.nth(0).inner_text()

    # Row 1: the transcriber clears the draft and types the sentence they hear.
    boxes.nth(1).click()
    page.keyboard.press("Alt+c")
    assert boxes.nth(1).input_value() == ""
    page.keyboard.type("오늘 날씨 좋네요")
    page.wait_for_function("document.getElementById('save-state').textContent === 'all saved'")
    # Only the untouched drafts keep their note.
    assert page.locator(".note.machine-draft").count() == 2

    segment = wb.open_task(me, task_id).segments[1]
    assert (segment.text, segment.draft.untouched) == ("오늘 날씨 좋네요", False)
    draft, *saves = wb.segment_history(me, ids[1])
    assert (draft.role, draft.kind, draft.text) == ("machine", "draft", DRAFTS[1])  # kept for ever
    assert {(r.role, r.kind) for r in saves} == {("transcriber", "save")} and saves[-1].text == segment.text
    from workbench.store.models import Revision

    with wb.store.reading() as session:
        typed = [r.typed_chars for r in session.query(Revision).filter_by(segment_id=ids[1]).order_by(Revision.version)]
    assert typed[0] is None and sum(typed[1:]) == len("오늘 날씨 좋네요")


def test_after_review_the_admins_drafts_tab_shows_the_draft_cer_and_the_effort_saved(new_page, login, drafted,
                                                                                      workbench_app):
    from datetime import timedelta

    from workbench.demo import ShiftedClock, review
    from workbench.worker import open_immediate

    wb, me, task_id, ids = drafted
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    page.locator(".seg-text").nth(2).wait_for()
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Submitted for review").wait_for()

    # The reviewer listens to every segment and accepts them as handed in.
    listening = open_immediate(data_dir=workbench_app.data_dir, clock=ShiftedClock(timedelta(0)))
    try:
        review(listening, listening.actor("e2e-drafts-reviewer"), task_id, return_one=False)
    finally:
        listening.close()

    admin = workbench_app.login_for("admin")
    page = new_page()
    login(page, admin.username, admin.password)
    page.get_by_role("tab", name="Drafts").click()
    row = page.locator("#wb-drafts table.wb-draft-workers tr", has_text="e2e-drafts").first
    row.wait_for()
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    # Korean CER ignores spacing: 오늘날씨가좋네요 against 오늘날씨좋네요 is one extra
    # syllable in the 7 + 7 + 5 of the three accepted texts.
    assert cells[:4] == ["e2e-drafts", "3", "3", f"{1 / 19:.1%}"]
    # Effort: 9 characters typed (row 1, after Alt+C) for 10 + 9 + 5 accepted ones.
    assert cells[4] == f"{9 / 24:.2f} (3 segments)"
    # No held-back task of this worker yet: no control group, so no effort saved is claimed.
    assert (cells[5], cells[7], cells[10]) == ("—", "—", "—")
    assert cells[-2:] == ["2", "0"]  # two drafts handed in untouched, none changed by review
