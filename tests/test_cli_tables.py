"""The admin listings' lines, byte for byte: each command's row format (cli/table.py prints
them one line a row). Scripts read these lines, so a change to one is a change to a test here."""

from datetime import datetime, timezone
from types import SimpleNamespace as Row

import pytest

from workbench.cli.clips import clip_row
from workbench.cli.drafts import holdback_row
from workbench.cli.gold import score_row
from workbench.cli.quality import action_row, step_row
from workbench.cli.tasks import audit_row, task_row
from workbench.cli.users import application_row, worker_row

AT = datetime(2026, 3, 2, 4, 59, tzinfo=timezone.utc)  # 13:59 in Seoul
CLIP = dict(id=12, language="ko", project="acme", filename="call.mp3", segment_count=0, stage="queued", percent=0.0,
            error=None, draft_progress="")


@pytest.mark.parametrize("clip, line", [
    (CLIP | dict(status="queued"), "   12 queued     ko acme             call.mp3 0 segments "),
    (CLIP | dict(status="processing", stage="denoise", percent=41.6),
     "   12 processing ko acme             call.mp3 0 segments denoise 42%"),
    (CLIP | dict(status="failed", error="No speech was found."),
     "   12 failed     ko acme             call.mp3 0 segments No speech was found."),
    (CLIP | dict(status="ready", segment_count=5, draft_progress="drafts 3/5"),
     "   12 ready      ko acme             call.mp3 5 segments  · drafts 3/5"),
])
def test_a_clip_line(clip, line):
    assert clip_row(Row(**clip)) == line


def test_a_task_line():
    task = Row(id=7, state="in_review", language="en", priority=2, project="news", clip_name="lesson.mp4",
               transcriber="ed", reviewer=None, counts={"todo": 1, "accepted": 4})
    assert task_row(task) == ("    7 in_review   en p2 news             lesson.mp4 transcriber=ed reviewer=- "
                              "accepted=4 todo=1")


def test_an_audit_line_shows_seoul_time_and_the_system_and_drops_trailing_blanks():
    entry = Row(at=AT, actor=None, action="clip.ready", entity="clip", entity_id=3, describe=lambda: "")
    assert audit_row(entry) == "2026-03-02 13:59  system         clip.ready                   clip #3"
    entry = Row(at=AT, actor="root", action="user.deactivated", entity="user", entity_id=4,
                describe=lambda: "reason: left")
    assert audit_row(entry) == "2026-03-02 13:59  root           user.deactivated             user #4  reason: left"


def test_quality_lines():
    step = Row(kind="warning", username="ed", project="news", role="transcriber", reason="8% defects")
    assert step_row(step) == "warning ed news (transcriber): 8% defects"
    action = Row(id=3, kind="suspension", username="ed", project="news", role="transcriber", open=True,
                 lifted_by=None, lift_reason=None, segment_ids=[], reason="12% defects")
    assert action_row(action) == "3 suspension ed news transcriber [open] segments -: 12% defects"
    lifted = Row(**vars(action) | dict(open=False, lifted_by="root", lift_reason="retrained", segment_ids=[4, 9]))
    assert action_row(lifted) == "3 suspension ed news transcriber [lifted by root: retrained] segments 4,9: 12% defects"


def test_a_gold_score_line():
    score = Row(scored_at=AT, username="tom", project="acme", language="ko", segment_id=31, cer=0.0125, wer=None,
                tags_match=True, notation_match=False, passed=False)
    assert score_row(score) == ("2026-03-02 13:59 tom acme ko segment 31 cer 0.013 wer - tags ok notation wrong "
                                "failed")


def test_worker_and_application_lines():
    worker = Row(username="bo", roles={"transcriber", "reviewer"}, language="ko", status="approved", grade="new",
                 max_tasks=2, tasks_held=1, return_rate=0.125, penalties=1, penalties_won=1000)
    assert worker_row(worker) == ("bo               reviewer,transcriber   ko  approved  grade new  max 2 held 1 "
                                  "returned 12% penalties 1 (1000 won)")
    assert worker_row(Row(**vars(worker) | dict(language=None, return_rate=None))).split()[2:3] == ["-"]
    application = Row(id=1, username="minji", name="김민지", language="ko", document_name="topik.pdf")
    assert application_row(application) == "pending application #1: minji (김민지, ko, document topik.pdf)"


def test_holdback_lines_say_the_share_and_where_it_comes_from():
    default = Row(project="acme", share=0.15, gold_rate=0.1, double_share=0.05, configured=False, refusal=None)
    assert holdback_row(default) == "holdback acme              15.0% (default, at least 5%; gold 10.0% + double 5.0%)"
    floor = Row(**vars(default) | dict(project="news", share=0.05, gold_rate=0.0, double_share=0.0))
    assert holdback_row(floor) == "holdback news               5.0% (default, at least 5%; gold 0.0% + double 0.0%)"
    assert holdback_row(Row(**vars(default) | dict(share=0.2, configured=True))) == (
        "holdback acme              20.0% (set; gold 10.0% + double 5.0%)")
    refused = Row(**vars(default) | dict(share=None, refusal="projects.toml: holdback share of 'acme' is 0.05"))
    assert holdback_row(refused) == "holdback acme                  - refused: projects.toml: holdback share of 'acme' is 0.05"
