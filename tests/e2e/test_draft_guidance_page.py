"""Guideline flags and sentence hints on the transcriber's page in real Chromium (issue 13):
the spots of a draft the guideline needs handled are marked and said, the split suggestion
is shown, and Alt+H applies it through the server."""

from __future__ import annotations

import pytest

from tests.builders import fake_drafted_task

PASSWORD = "quiet-lantern-57"
DRAFTS = {0: "Nobody knew. The results came", 1: "I have 3 cats (music)", 2: "Thank you."}


@pytest.fixture(scope="module")
def hinted(workbench_app, tmp_path_factory):
    """An English task of three segments drafted by the fake engine, claimed by its own
    transcriber: the first holds two sentences, the second a digit and a noise caption."""
    from workbench.worker import open_immediate

    wb = open_immediate(data_dir=workbench_app.data_dir)
    admin = wb.actor("admin")
    me = wb.create_user(admin, username="e2e-hints", password=PASSWORD, name="Hints", roles={"transcriber"},
                        language="en")
    task_id, ids = fake_drafted_task(wb, admin, me, tmp_path_factory.mktemp("hinted") / "clip", project="e2e-hints",
                                     spans=[(0.0, 4.0), (5.0, 8.0), (9.0, 11.0)], duration=12.0, drafts=DRAFTS,
                                     priority=600)
    yield wb, me, task_id, ids
    wb.close()


def test_guideline_flags_are_marked_and_alt_h_applies_the_split_suggestion(new_page, login, hinted):
    wb, me, task_id, ids = hinted
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    boxes = page.locator(".seg-text")
    boxes.nth(2).wait_for()
    notes = page.locator(".note.machine-draft")
    assert notes.count() == 3

    flagged = notes.nth(1)
    assert flagged.locator("mark.guideline").all_inner_texts() == ["3", "(music)"]
    assert flagged.locator("mark.guideline").first.is_visible()
    lines = flagged.locator(".draft-flag").all_inner_texts()
    assert any(line.startswith("“3”: English transcripts write numbers as spoken") for line in lines)
    assert any(line.startswith("“(music)”: tag the noise: the guideline writes [noise]") for line in lines)
    assert notes.nth(2).locator("mark.guideline, .draft-flag, .draft-hint").count() == 0

    hint = notes.nth(0).locator(".draft-hint.split")
    assert hint.is_visible() and "Alt+H applies it" in hint.inner_text()

    boxes.nth(0).click()
    page.keyboard.press("Alt+h")
    page.wait_for_function("document.querySelectorAll('.seg-text').length === 4")
    assert [boxes.nth(n).input_value() for n in range(2)] == ["Nobody knew.", "The results came"]
    assert page.locator(".draft-hint").count() == 0  # the split segment's text is no longer the draft
    first, second = wb.open_task(me, task_id).segments[:2]
    assert (first.end, second.start, second.text) == (pytest.approx(1.6), pytest.approx(1.6), "The results came")
