"""The quality dashboard (``workbench.quality``, the admin's Quality tab) and the same figures
in the export's quality report: gold scores over time, double-transcription agreement, time
on task and effective hourly pay against the minimum wage, per language and project."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.builders import processed_clip, sign_in, take_through_review
from tests.test_double import double_rules  # noqa: F401  (fixtures)
from workbench.quality import figures
from workbench.quality.gather import quality_figures
from workbench.workflow.errors import PermissionDenied

DAY1 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)  # 10:00 in Seoul
DAY1_LATE = datetime(2026, 3, 2, 16, 0, tzinfo=timezone.utc)  # 01:00 the next day in Seoul


@pytest.mark.parametrize(("scores", "expected"), [
    ([], []),
    ([(DAY1, "ko", "acme", 0.0, True), (DAY1, "ko", "acme", 0.2, False)],
     [("2026-03-02", "ko", "acme", 2, 0.1, 0.5)]),
    ([(DAY1, "ko", "acme", 0.0, True), (DAY1_LATE, "ko", "acme", 0.3, False)],  # a day by Seoul's calendar
     [("2026-03-02", "ko", "acme", 1, 0.0, 1.0), ("2026-03-03", "ko", "acme", 1, 0.3, 0.0)]),
    ([(DAY1, "ko", "acme", 0.1, True), (DAY1, "en", "acme", 0.4, False)],
     [("2026-03-02", "en", "acme", 1, 0.4, 0.0), ("2026-03-02", "ko", "acme", 1, 0.1, 1.0)]),
])
def test_gold_scores_are_averaged_per_seoul_day_language_and_project(scores, expected):
    report = figures.gold_over_time(pd.DataFrame(scores, columns=list(figures.GOLD_COLUMNS)))
    assert list(report.columns) == list(figures.GOLD_OVER_TIME)
    got = [(r.day.date().isoformat(), r.language, r.project, r.scores, r.mean_cer, r.pass_rate)
           for r in report.itertuples()]
    assert got == expected


@pytest.mark.parametrize(("spans", "by_language", "by_worker"), [
    ([], [], []),
    ([(DAY1, "ko", "acme", "tina", "tom", 0.0, False), (DAY1, "ko", "acme", "tina", "tom", 0.4, True)],
     [("ko", "acme", 2, 0.2, 0.5)], [("tina", "ko", 2, 0.2), ("tom", "ko", 2, 0.2)]),
    ([(DAY1, "ko", "acme", "tina", "tom", 0.0, False), (DAY1, "ko", "acme", "bo", "tina", 0.6, True)],
     [("ko", "acme", 2, 0.3, 0.5)], [("bo", "ko", 1, 0.6), ("tina", "ko", 2, 0.3), ("tom", "ko", 1, 0.0)]),
])
def test_agreement_is_reported_per_language_and_for_each_worker_on_either_side(spans, by_language, by_worker):
    frame = pd.DataFrame(spans, columns=list(figures.AGREEMENT_COLUMNS))
    languages = figures.agreement_by_language(frame)
    workers = figures.agreement_by_worker(frame)
    assert [(r.language, r.project, r.spans, r.mean_cer, r.disputed_share) for r in languages.itertuples()] \
        == by_language
    assert [(r.username, r.language, r.spans, r.mean_cer) for r in workers.itertuples()] == by_worker


def test_hourly_pay_is_two_bars_per_group_never_stacked():
    times = pd.DataFrame([("transcriber", "ko", "acme", 1.5, 12000, 10030)],
                         columns=["role", "language", "project", "minutes_per_audio_minute", "won_per_hour",
                                  "minimum_wage"])
    bars = figures.hourly_pay(times)
    assert list(bars["won"]) == [12000, 10030] and bars["bar"].is_unique
    assert set(bars["group"]) == {"ko · acme · transcriber"}
    assert list(figures.work_per_audio(times)["minutes_per_audio_minute"]) == [1.5]


@pytest.fixture
def measured(wb, wb_people, double_rules, wb_clock, tmp_path):
    """A doubled clip with audio, both sides done by tina and tom, one span apart, accepted by
    rita; tina's active time reported on hers."""
    from tests.test_gold import audio_dir

    processed_clip(wb, wb_people.admin, filename="double.wav", output_dir=audio_dir(tmp_path, "double"))
    first = wb.claim_next(wb_people.tina).id
    wb_clock.advance(minutes=5)
    wb.record_activity(wb_people.tina, first, spans=[[0, 120_000]])
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=first)
    take_through_review(wb, wb_people.tom, wb_people.rita, task_id=wb.claim_next(wb_people.tom).id,
                        texts=("안녕하세여.", "반갑습니다.", "네 좋아요."))


def test_the_dashboard_figures_come_from_the_stored_work(wb, wb_people, measured):
    found = quality_figures(wb, wb_people.admin)
    [row] = found.agreement.to_dict("records")
    assert (row["language"], row["project"], row["spans"]) == ("ko", "acme", 3)
    assert row["disputed_share"] == pytest.approx(1 / 3, abs=1e-4)
    assert set(found.agreement_by_worker["username"]) == {"tina", "tom"}
    [tina] = found.time_on_task.to_dict("records")
    assert tina["role"] == "transcriber" and tina["minutes_per_audio_minute"] > 0
    # The quality rules' figures: no day is over yet, so nothing judged; rita has no check yet.
    assert set(found.rules) == {"defect_rates", "reviewer_accuracy"}
    assert found.rules["defect_rates"].empty
    accuracy = found.rules["reviewer_accuracy"].set_index("username")
    assert accuracy.loc["rita", "checked"] == 0  # no senior has looked at her verdicts yet


def test_the_dashboard_is_for_an_admin_only(wb, wb_people, measured):
    for someone in (wb_people.tina, wb_people.rita):
        with pytest.raises(PermissionDenied):
            quality_figures(wb, someone)


def test_the_quality_tab_answers_no_one_but_an_admin_through_the_gradio_api(wb, wb_people, measured):
    from tests.test_ui_gradio_gate import Event, dependencies
    from workbench.ui.server import create_app

    with TestClient(create_app(wb, secret=b"k" * 32)) as http:
        sign_in(http, "admin")
        refresh = dependencies(http)["refresh_dashboard"]
        answer = Event(http, refresh["id"], [])
        assert answer.succeeded and "tom" in answer.stream and "ko · acme" in answer.stream
        for attacker in ("tina", "rita", None):
            sign_in(http, attacker)
            if attacker is not None:
                assert "refresh_dashboard" not in dependencies(http)
            event = Event(http, refresh["id"], [])
            assert "tom" not in event.stream and "ko · acme" not in event.stream


def test_the_exports_quality_report_gains_the_same_figures(wb, wb_people, measured, tmp_path):
    from workbench.export.run import run_export

    run_export(wb, wb_people.admin, fmt="csv", out_dir=tmp_path / "out", language="ko")
    report = json.loads(next((tmp_path / "out").rglob("quality.json")).read_text(encoding="utf-8"))
    control = report["quality_control"]
    assert [(r["language"], r["spans"]) for r in control["agreement"]] == [("ko", 3)]
    assert control["time_on_task"][0]["minutes_per_audio_minute"] > 0
    assert "tina" not in json.dumps(control)  # no usernames in what leaves the workbench
    page = next((tmp_path / "out").rglob("quality.html")).read_text(encoding="utf-8")
    assert "<h2>Quality control</h2>" in page
