"""The quality report: its figures as JSON, the same figures as PNGs, one HTML page."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.export.report import (
    FIGURES,
    ClipQuality,
    build_quality_report,
    character_error_rate,
    spoken_characters,
    write_quality_report,
)
from workbench.export.segment import ExportSegment, utterance_id

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def seg(clip: str, start: float, end: float, *, language="en", project="news", text="I want that.",
        submitted=None, worker="w1", returns=0, no_speech=False) -> ExportSegment:
    return ExportSegment(
        utterance_id=utterance_id(clip, start, end), clip_id=clip, language=language, project=project,
        start=start, end=end, text="" if no_speech else text,
        submitted_text=text if submitted is None else submitted, clean_audio=Path("clean.flac"),
        original_audio=Path("original.flac"), worker_key=worker, return_count=returns, no_speech=no_speech,
    )


SELECTION = [
    seg("1", 0.0, 2.0, language="ko", text="안녕하세요 반갑습니다.", worker="wa"),
    seg("1", 2.0, 5.5, language="ko", text="(3시)/(세 시)에 만나요.", submitted="(3시)/(세 시)에 만나.",
        worker="wa", returns=1),
    seg("1", 5.5, 6.0, language="ko", no_speech=True, worker="wa"),
    seg("2", 0.0, 3.0, project="calls", text="abcd", submitted="abce", worker="wb"),
    seg("2", 3.0, 4.5, project="calls", worker="wb", returns=2,
        text="This sentence is far too long for one and a half seconds of audio."),
    seg("3", 0.0, 1.0, text="Hi.", worker="wb"),
]
SPLITS = {"1": "train", "2": "train", "3": "test"}
CLIPS = [
    ClipQuality("1", "ko", "news", "ready", -23.0, 31.5),
    ClipQuality("2", "en", "calls", "ready", -24.5, 12.0),
    ClipQuality("3", "en", "news", "ready", -22.0, None),
    ClipQuality("4", "en", "news", "failed", None, None),
]


@pytest.fixture(scope="module")
def report() -> dict:
    return build_quality_report(SELECTION, SPLITS, CLIPS)


@pytest.mark.parametrize("key, name, segments, hours", [
    ("language", "ko", 2, 5.5 / 3600),
    ("language", "en", 3, 5.5 / 3600),
    ("project", "calls", 2, 4.5 / 3600),
    ("project", "news", 3, 6.5 / 3600),
    ("split", "train", 4, 10.0 / 3600),
    ("split", "test", 1, 1.0 / 3600),
])
def test_balance_counts_hours_and_segments(report, key, name, segments, hours):
    row = report["balance"][key][name]
    assert row["segments"] == segments
    assert row["hours"] == pytest.approx(hours, abs=1e-6)


def test_durations_histogram_holds_every_exported_segment(report):
    durations = report["durations"]
    assert sum(durations["counts"]) == 5
    assert len(durations["bin_edges"]) == len(durations["counts"]) + 1
    assert (durations["min"], durations["max"]) == (1.0, 3.5)


@pytest.mark.parametrize("text, expected", [
    ("(3시)/(세 시)에 만나요.", 6),
    ("b/ I want that.", 9),
    ("[laugh] Hi.", 2),
])
def test_spoken_characters_count_the_pronunciation_reading(text, expected):
    assert spoken_characters(text) == expected


def test_speed_outliers_use_the_languages_guideline_bounds(report):
    english = report["speed"]["en"]
    assert english["bounds"] == {"low": 4.0, "high": 22.0, "min_duration": 1.5}
    # "abcd" in 3 s is too slow, the long sentence in 1.5 s too fast; 1 s "Hi." is too short to rate.
    rates = {o["utterance_id"]: o["chars_per_second"] for o in english["outliers"]}
    assert rates == {utterance_id("2", 0.0, 3.0): pytest.approx(4 / 3, abs=1e-3),
                     utterance_id("2", 3.0, 4.5): pytest.approx(52 / 1.5, abs=1e-3)}
    assert report["speed"]["ko"]["outliers"] == []


@pytest.mark.parametrize("pairs, expected", [
    ([("abce", "abcd")], 0.25),
    ([("abcd", "abcd"), ("xy", "xz")], 1 / 6),
    ([("anything", "")], None),
    ([], None),
])
def test_character_error_rate_compares_submitted_with_accepted(pairs, expected):
    assert character_error_rate(pairs) == (None if expected is None else pytest.approx(expected, abs=1e-6))


def test_label_consistency_per_worker_and_language(report):
    workers = report["labels"]["workers"]
    one_edit_in = len("안녕하세요 반갑습니다.") + len("(3시)/(세 시)에 만나요.")
    assert workers["wa"] == {"segments": 2, "returned": 1, "returned_share": 0.5,
                             "cer": pytest.approx(1 / one_edit_in, abs=1e-6)}
    assert workers["wb"]["returned_share"] == pytest.approx(1 / 3, abs=1e-6)
    assert workers["wb"]["cer"] > 0
    assert set(report["labels"]["languages"]) == {"ko", "en"}


def test_audio_quality_counts_failures_and_no_speech(report):
    audio = report["audio"]
    assert (audio["clips"], audio["clips_failed"], audio["segments_no_speech"]) == (4, 1, 1)
    assert audio["loudness_lufs"] == {"min": -24.5, "median": -23.0, "max": -22.0}
    assert audio["snr_db"] == {"min": 12.0, "median": 21.75, "max": 31.5}
    assert [clip["clip_id"] for clip in audio["per_clip"]] == ["1", "2", "3"]


def test_no_speech_segments_are_counted_by_the_reason_the_transcriber_gave(tmp_path):
    silent = [replace(seg("9", float(i), i + 1.0, no_speech=True), no_speech_reason=reason)
              for i, reason in enumerate(["music only", "silence or noise", "music only", None])]
    audio = build_quality_report([*SELECTION, *silent], SPLITS, CLIPS)["audio"]
    # SELECTION's own no-speech segment was marked before reasons were asked for.
    assert audio["no_speech_reasons"] == {"no reason given": 2, "music only": 2, "silence or noise": 1}
    html = write_quality_report(tmp_path, [*SELECTION, *silent], SPLITS, CLIPS).read_text(encoding="utf-8")
    assert "5 of 10 segments marked no-speech (no reason given 2, music only 2, silence or noise 1)" in html


def test_a_report_without_exported_segments_is_refused():
    with pytest.raises(ValueError):
        build_quality_report([s for s in SELECTION if s.no_speech], SPLITS, CLIPS)


def test_written_report_has_json_html_and_one_png_per_figure(tmp_path, report):
    page = write_quality_report(tmp_path / "report", SELECTION, SPLITS, CLIPS)
    written = json.loads((tmp_path / "report" / "quality.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(report))
    html = page.read_text(encoding="utf-8")
    for name in FIGURES:
        png = tmp_path / "report" / "figures" / f"{name}.png"
        assert png.read_bytes().startswith(PNG_SIGNATURE)
        assert f'src="figures/{name}.png"' in html
    assert "1 failed processing" in html and utterance_id("2", 3.0, 4.5) in html


def test_report_escapes_transcript_text(tmp_path):
    hostile = replace(SELECTION[4], text="<script>alert(1)</script> " * 4)
    page = write_quality_report(tmp_path, [*SELECTION[:4], hostile], SPLITS, CLIPS)
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_same_inputs_give_the_same_bytes(tmp_path):
    first = write_quality_report(tmp_path / "a", SELECTION, SPLITS, CLIPS).parent
    second = write_quality_report(tmp_path / "b", list(reversed(SELECTION)), SPLITS, CLIPS).parent
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == 2 + len(FIGURES)
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
