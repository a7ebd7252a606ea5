"""Admin and earnings page handlers, called as the pages call them but without a browser.
Every admin handler refuses a transcriber through the store layer, and bad input changes
nothing."""

from __future__ import annotations

import inspect
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.builders import take_through_review
from workbench.export.errors import NothingToExport
from workbench.pay.calendar import payday_for
from workbench.pay.service import parse_payday, settle
from workbench.ui.admin import applications as admin_applications
from workbench.ui.admin import audit as admin_audit
from workbench.ui.admin import clips as admin_clips
from workbench.ui.admin import rates as admin_rates
from workbench.ui.admin import settlements as admin_settlements
from workbench.ui.admin import workers as admin_workers
from workbench.ui.admin.applications import applications_html
from workbench.ui.admin.clips import clips_html
from workbench.ui.handlers import admin, earnings, export
from workbench.ui.handlers.auth import visible_pages
from workbench.ui.wiring import bind
from workbench.workflow.domain import Actor, ClipView
from workbench.workflow.errors import InvalidInput, PermissionDenied

SAMPLE_CLIP = Path(__file__).resolve().parent.parent / "sample_data" / "ko_call.mp3"


def media_file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / "uploads-in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return path


# --- who sees which page --------------------------------------------------------------------


@pytest.mark.parametrize(
    "roles, visible",
    [
        ({"admin"}, {"admin"}),
        ({"transcriber"}, {"transcribe", "earnings"}),
        ({"reviewer"}, {"review", "earnings"}),
        ({"reviewer", "transcriber"}, {"transcribe", "review", "earnings"}),
        ({"admin", "reviewer"}, {"admin", "review", "earnings"}),
    ],
)
def test_each_role_sees_only_its_own_pages(roles, visible):
    actor = Actor(id=1, username="u", name="U", roles=frozenset(roles), language="ko", status="approved")
    assert {page for page, shown in visible_pages(actor).items() if shown} == visible


# --- clips ------------------------------------------------------------------------------------


def test_an_upload_of_several_files_imports_the_good_ones_and_names_the_refused(wb, wb_people, tmp_path):
    files = [media_file(tmp_path, "good.wav", SAMPLE_CLIP.read_bytes()), media_file(tmp_path, "empty.mp3", b"")]
    outcome = admin.upload_clips(wb, wb_people.admin, files, language="ko", project="acme", priority=2)
    assert [clip.filename for clip in outcome.imported] == ["good.wav"]
    assert [(name, "empty" in reason) for name, reason in outcome.refused] == [("empty.mp3", True)]
    assert [(c.filename, c.project, c.priority, c.status) for c in wb.list_clips(wb_people.admin)] == [
        ("good.wav", "acme", 2, "queued")
    ]


@pytest.mark.parametrize(
    "language, project, message",
    [("xx", "acme", "Unknown language"), ("ko", "  ", "project")],
)
def test_an_upload_with_bad_settings_imports_nothing(wb, wb_people, tmp_path, language, project, message):
    files = [media_file(tmp_path, "a.wav", b"RIFF....")]
    outcome = admin.upload_clips(wb, wb_people.admin, files, language=language, project=project, priority=0)
    assert outcome.imported == ()
    assert message in outcome.refused[0][1]
    assert wb.list_clips(wb_people.admin) == []


def test_an_upload_needs_files(wb, wb_people):
    with pytest.raises(InvalidInput, match="Choose one or more"):
        admin.upload_clips(wb, wb_people.admin, [], language="ko", project="acme", priority=0)


def test_a_failed_clip_shows_its_reason_and_can_be_retried(wb, wb_people, tmp_path):
    [broken] = admin.upload_clips(wb, wb_people.admin, [media_file(tmp_path, "noise.mp4", b"not a video")],
                                  language="ko", project="acme", priority=0).imported
    wb.process_clip(broken.id)
    clips = admin.processing_clips(wb, wb_people.admin)
    assert [(c.id, c.status) for c in clips] == [(broken.id, "failed")]
    assert admin.failed_clips(clips) == [(f"#{broken.id} noise.mp4", broken.id)]
    assert "wb-status-failed" in clips_html(clips) and clips[0].error in clips_html(clips)
    with pytest.raises(InvalidInput, match="Choose a failed clip"):
        admin.retry_clip(wb, wb_people.admin, None)
    assert admin.retry_clip(wb, wb_people.admin, broken.id).status == "queued"


def clip_view(clip_id: int, status: str, minutes_ago: int) -> ClipView:
    created = datetime(2026, 11, 21, 12, tzinfo=timezone.utc) - timedelta(minutes=minutes_ago)
    return ClipView(id=clip_id, filename=f"c{clip_id}.wav", language="ko", project="p", priority=0, status=status,
                    stage=None, percent=0.0, error=None, duration=None, task_id=None, segment_count=0,
                    created_at=created)


def test_the_processing_list_shows_unfinished_clips_oldest_first_then_recent_ready_ones():
    clips = [clip_view(1, "ready", 50), clip_view(2, "processing", 40), clip_view(3, "failed", 45),
             clip_view(4, "ready", 10), clip_view(5, "queued", 5), clip_view(6, "ready", 30)]
    assert [c.id for c in admin.watched_clips(clips, recent_ready=2)] == [3, 2, 5, 4, 6]


def test_names_from_uploads_and_applicants_are_escaped_in_the_tables():
    clip = clip_view(1, "failed", 0)
    hostile = ClipView(**{**clip.__dict__, "filename": "<img src=x onerror=alert(1)>.wav", "error": "<b>x</b>"})
    html = clips_html([hostile])
    assert "<img" not in html and "&lt;img" in html and "<b>x" not in html


# --- every admin handler refuses a transcriber --------------------------------------------------


ADMIN_CALLS = {
    "upload": lambda wb, me, tmp: admin.upload_clips(wb, me, [media_file(tmp, "a.wav", b"RIFF")], language="ko",
                                                     project="p", priority=0),
    "clips": lambda wb, me, tmp: admin.processing_clips(wb, me),
    "retry": lambda wb, me, tmp: admin.retry_clip(wb, me, 1),
    "applications": lambda wb, me, tmp: admin.pending_applications(wb, me),
    "decide": lambda wb, me, tmp: admin.decide_application(wb, me, 1, approve=True, reason=""),
    "workers": lambda wb, me, tmp: admin.worker_rows(wb.list_workers(me)),
    "close account": lambda wb, me, tmp: admin.close_account(wb, me, "tom", "left"),
    "reopen account": lambda wb, me, tmp: admin.reopen_account(wb, me, "tom", "back"),
    "audit": lambda wb, me, tmp: admin.audit_rows(wb, me),
    "set rate": lambda wb, me, tmp: admin.set_language_rate(wb, me, "ko", 900, "2030-01-01T00:00"),
    "bonus": lambda wb, me, tmp: admin.set_project_bonus(wb, me, "acme", 100, "2030-01-01T00:00", "source"),
    "settle": lambda wb, me, tmp: admin.run_settlement(wb, me, "2026-11-30", commit=False),
    "commit": lambda wb, me, tmp: admin.run_settlement(wb, me, "2026-11-30", commit=True, confirmed=True),
    "history": lambda wb, me, tmp: admin.settlement_history(wb, me),
    "export": lambda wb, me, tmp: export.export_dataset(wb, me, fmt="csv"),
}


@pytest.mark.parametrize("call", ADMIN_CALLS, ids=list(ADMIN_CALLS))
def test_a_transcriber_calling_an_admin_handler_is_refused(wb, wb_people, tmp_path, call):
    wb.submit_application(username="applicant", password="quiet-lantern-57", name="Kim", language="ko",
                          document_name="id.pdf", document=b"%PDF", bank_holder="Kim")
    with pytest.raises(PermissionDenied):
        ADMIN_CALLS[call](wb, wb_people.tina, tmp_path)
    assert wb.list_clips(wb_people.admin) == []
    assert [a.status for a in wb.list_applications(wb_people.admin, status=None)] == ["pending"]


# --- applications and workers -----------------------------------------------------------------


def test_applications_are_approved_or_rejected_with_a_reason(wb, wb_people):
    for username in ("kim", "lee"):
        wb.submit_application(username=username, password="quiet-lantern-57", name=username.title(), language="ko",
                              document_name="id.pdf", document=b"%PDF", bank_holder=username.title())
    kim, lee = admin.pending_applications(wb, wb_people.admin)
    assert f'href="/media/document/{kim.id}"' in applications_html([kim, lee])
    with pytest.raises(InvalidInput, match="reason"):
        admin.decide_application(wb, wb_people.admin, lee.id, approve=False, reason=" ")
    with pytest.raises(InvalidInput, match="Choose an application"):
        admin.decide_application(wb, wb_people.admin, None, approve=True, reason="")
    assert admin.decide_application(wb, wb_people.admin, kim.id, approve=True, reason="").status == "approved"
    assert admin.decide_application(wb, wb_people.admin, lee.id, approve=False,
                                    reason="The document is unreadable.").status == "rejected"
    assert admin.pending_applications(wb, wb_people.admin) == []


def test_workers_are_listed_by_language_with_grade_and_return_rate(wb, wb_people):
    rows = admin.worker_rows(wb.list_workers(wb_people.admin))
    assert [row[0] for row in rows] == ["ed", "eve", "bo", "rita", "tina", "tom"]
    assert len(rows[0]) == len(admin.WORKER_COLUMNS)
    tina = rows[4]
    assert (tina[5], tina[6], tina[8]) == ("new", "—", "0 / 2")


def test_an_account_is_closed_with_its_tasks_offered_again_and_reopened(wb, wb_people, wb_clip):
    wb_clip()
    task = wb.claim_next(wb_people.tina).id
    assert ("tina · Tina · approved", "tina") in admin.worker_choices(wb.list_workers(wb_people.admin))
    with pytest.raises(InvalidInput, match="Choose the account"):
        admin.close_account(wb, wb_people.admin, None, "left")
    with pytest.raises(InvalidInput, match="why"):
        admin.close_account(wb, wb_people.admin, "tina", " ")
    assert wb.actor("tina").status == "approved"
    message = admin.close_account(wb, wb_people.admin, "tina", "left the project")
    assert message == f"Tina's account is closed: signed out everywhere, and tasks #{task} are offered to others again."
    assert [row[4] for row in admin.worker_rows(wb.list_workers(wb_people.admin)) if row[0] == "tina"] == ["deactivated"]
    assert admin.close_account(wb, wb_people.admin, "tom", "left").endswith("they held no tasks.")
    assert admin.reopen_account(wb, wb_people.admin, "tina", "back") == \
        "Tina's account is open again: they can sign in and take work."
    assert wb.actor("tina").status == "approved"


def test_the_audit_log_says_who_did_what_newest_first_and_tells_one_tasks_story(wb, wb_people, wb_clip, wb_clock):
    task = wb_clip()
    wb.claim_next(wb_people.tina)
    wb_clock.advance(hours=1)
    admin.close_account(wb, wb_people.admin, "tina", "left the project")
    rows = admin.audit_rows(wb, wb_people.admin)
    assert admin.audit_rows(wb, wb_people.admin, 0.0) == rows  # the page's empty task box
    assert [row[2] for row in rows[:3]] == ["user.deactivated", "task.released", "task.claimed"]
    closed = rows[0]
    assert closed[1] == "admin" and closed[3].startswith("user #")
    assert closed[4] == f"reason: left the project; released: {task}; sessions: 0"
    story = admin.audit_rows(wb, wb_people.admin, float(task))
    assert [row[1:4] for row in story] == [["admin", "task.released", f"task #{task}"],
                                          ["tina", "task.claimed", f"task #{task}"],
                                          ["admin", "task.created", f"task #{task}"]]
    assert story[0][4] == "old: in_progress; reason: tina's account was closed: left the project"
    # Times are Seoul's: the clock's UTC plus nine hours.
    assert [row[0] for row in story] == [(wb_clock.now + timedelta(hours=9 - h)).strftime("%Y-%m-%d %H:%M")
                                         for h in (0, 1, 1)]


# --- rates, settlements and earnings -------------------------------------------------------------


@pytest.mark.parametrize(
    "won, effective_at, message",
    [(None, "2030-01-01T00:00", "whole number"), (12.5, "2030-01-01T00:00", "whole number"),
     (900, "next tuesday", "not a date-time"), (-1, "2030-01-01T00:00", "0 or more")],
)
def test_a_bad_rate_is_refused_and_the_history_is_unchanged(wb, wb_people, won, effective_at, message):
    before = admin.rate_table(wb, wb_people.admin)
    with pytest.raises(InvalidInput, match=message):
        admin.set_language_rate(wb, wb_people.admin, "ko", won, effective_at)
    assert admin.rate_table(wb, wb_people.admin).equals(before)


def test_a_new_rate_heads_the_history_in_seoul_time(wb, wb_people):
    change = admin.set_language_rate(wb, wb_people.admin, "ko", 900, "2030-01-01 09:30:00")
    assert change.since() == "from 2030-01-01 09:30 (Seoul time)"
    newest = change.history.iloc[0]
    assert (newest["language"], newest["won_per_minute"], newest["effective_at"]) == ("ko", 900, "2030-01-01 09:30")


@pytest.mark.parametrize(
    "project, won, basis, message",
    [("acme", 2.5, "source", "whole number"), (" ", 100, "source", "project"), ("acme", 100, "words", "basis")],
)
def test_a_bad_project_bonus_is_refused_and_the_history_is_unchanged(wb, wb_people, project, won, basis, message):
    with pytest.raises(InvalidInput, match=message):
        admin.set_project_bonus(wb, wb_people.admin, project, won, "2030-01-01T00:00", basis)
    assert admin.project_bonus_table(wb, wb_people.admin).empty


def test_a_project_bonus_heads_its_history(wb, wb_people):
    admin.set_project_bonus(wb, wb_people.admin, "acme", 100, "2030-01-01T00:00", "source")
    history = admin.set_project_bonus(wb, wb_people.admin, "acme", 0, "2030-02-01T00:00", "source").history
    assert [(row["project"], row["won_per_minute"], row["effective_at"]) for _, row in history.iterrows()] == [
        ("acme", 0, "2030-02-01 00:00"), ("acme", 100, "2030-01-01 00:00")
    ]


@pytest.mark.parametrize("today, first", [(date(2026, 11, 21), "2026-11-30"), (date(2026, 11, 30), "2026-11-30")])
def test_the_payday_picker_offers_the_next_payday_first(today, first):
    choices = admin.payday_choices(today)
    assert choices[0] == first and len(choices) == 4 and choices == sorted(choices, reverse=True)


def test_a_settlement_dry_run_records_nothing_and_a_commit_shows_in_the_earnings(wb, wb_people, wb_clip, wb_clock):
    wb_clip()
    take_through_review(wb, wb_people.tina, wb_people.rita)
    payday = payday_for(wb_clock()).isoformat()

    pending = earnings.my_earnings(wb, wb_people.tina)
    assert list(pending.statement["status"]) == ["pending"]
    assert "not yet paid: 1 task(s)" in pending.summary and pending.chart is None

    dry = admin.run_settlement(wb, wb_people.admin, payday, commit=False)
    assert dry.summary.startswith(f"Dry run for payday {payday}")
    # The page and the CLI say it in the same words: pay.service writes them once.
    assert dry.summary == settle(wb, wb_people.admin, parse_payday(payday)).summary()
    assert list(dry.workers["username"]) == ["tina"] and list(dry.items["username"]) == ["tina"]
    assert admin.settlement_history(wb, wb_people.admin)[0].empty

    with pytest.raises(InvalidInput, match="still open"):
        admin.run_settlement(wb, wb_people.admin, payday, commit=True, confirmed=True)
    wb_clock.advance(days=20)
    committed = admin.run_settlement(wb, wb_people.admin, payday, commit=True, confirmed=True)
    assert committed.summary.startswith(f"Committed the settlement for payday {payday}")
    totals, chart = admin.settlement_history(wb, wb_people.admin)
    assert list(totals["payday"].astype(str)) == [payday] and chart is not None

    paid = earnings.my_earnings(wb, wb_people.tina)
    assert list(paid.statement["status"]) == ["settled"]
    assert list(paid.periods["payday"].astype(str)) == [payday]
    assert f"Last payday {payday}" in paid.summary and paid.chart is not None
    assert earnings.my_earnings(wb, wb_people.tom).statement.empty


def test_my_earnings_says_the_same_pay_in_the_readers_language(wb, wb_people, wb_clip, wb_clock):
    """The tab's sentences, column names and the statuses, roles and languages in its cells
    come in the reader's language; the tables' figures and codes underneath are unchanged."""
    wb_clip()
    take_through_review(wb, wb_people.tina, wb_people.rita)
    payday = payday_for(wb_clock()).isoformat()
    wb_clock.advance(days=20)
    admin.run_settlement(wb, wb_people.admin, payday, commit=True, confirmed=True)
    english, japanese = earnings.my_earnings(wb, wb_people.tina), earnings.my_earnings(wb, wb_people.tina, "ja")
    assert japanese.summary.startswith("支払いを待っている承認済みの作業はありません。前回の支払日 " + payday + "：手取り ")
    assert japanese.statement.equals(english.statement) and japanese.periods.equals(english.periods)
    shown = earnings.for_reader(japanese.statement, "ja")
    assert list(shown.columns[:4]) == ["支払日", "状態", "クリップ", "言語"]
    assert (shown.iloc[0]["状態"], shown.iloc[0]["言語"]) == ("精算済み", "韓国語")
    assert earnings.for_reader(japanese.periods, "ja").iloc[0]["状態"] in ("支払済み", "繰越")
    assert list(earnings.for_reader(english.statement, "en").columns[:3]) == ["payday", "status", "clip"]
    # The chart too, in a font that has the script (scripts/test installs Debian's CJK fonts);
    # a machine without one keeps it English rather than draw a box per character.
    title = japanese.chart.axes[0].title
    assert (title.get_text(), title.get_fontfamily()[0]) == ("期間ごとの分数と支払額", earnings.cjk_font())
    assert english.chart.axes[0].get_title() == "Minutes and pay per period"


def test_without_a_cjk_font_the_earnings_chart_stays_english(monkeypatch):
    monkeypatch.setattr(earnings, "cjk_font", lambda: None)
    assert earnings.chart_words("ko") == (None, None) and earnings.chart_words("en") == (None, None)


@pytest.mark.parametrize("payday, message", [("2026-11-31", "not a date"), ("2026-11-17", "not a payday")])
def test_a_settlement_for_a_day_that_is_not_a_payday_is_refused(wb, wb_people, payday, message):
    with pytest.raises(InvalidInput, match=message):
        admin.run_settlement(wb, wb_people.admin, payday, commit=False)


# --- export ----------------------------------------------------------------------------------


def test_an_export_of_nothing_accepted_leaves_no_files(wb, wb_people, monkeypatch, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    with pytest.raises(NothingToExport):
        export.export_dataset(wb, wb_people.admin, fmt="csv", language="ko")
    assert list(temp.iterdir()) == []


def test_an_export_is_a_zip_of_the_accepted_segments(wb, wb_people):
    clip = wb.import_clip(wb_people.admin, filename="call.mp3", source=SAMPLE_CLIP, language="ko", project="acme")
    wb.process_clip(clip.id)
    take_through_review(wb, wb_people.tina, wb_people.rita)
    download = export.export_dataset(wb, wb_people.admin, fmt="csv", language="ko", project="acme")
    try:
        assert download.archive.name == "dataset-csv-ko-acme.zip" and download.archive.stat().st_size > 0
        assert download.summary.startswith("Exported ") and "from 1 clip(s)" in download.summary
    finally:
        shutil.rmtree(download.work_dir)


def _request(username: str):
    return type("Request", (), {"username": username})()


@pytest.mark.parametrize("refresh, inputs", [
    (admin_clips.refresh_clips, ([],)), (admin_applications.refresh_applications, ()),
    (admin_workers.refresh_workers, ()), (admin_audit.show_audit, (0,)), (admin_rates.refresh_rates, ()),
    (admin_settlements.refresh_settlements, ()),
], ids=lambda value: getattr(value, "__name__", ""))
def test_an_admin_tab_that_loads_by_itself_changes_nothing_for_a_non_admin(wb, wb_people, refresh, inputs):
    import gradio as gr

    handler = bind(refresh, wb)
    assert list(inspect.signature(handler).parameters)[-1] == "request"  # Gradio passes the request
    assert handler(*inputs, _request(wb_people.tina.username)) == gr.skip()
    assert handler(*inputs, _request(wb_people.admin.username)) != gr.skip()
