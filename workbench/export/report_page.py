"""The quality report as one HTML page: each section's tables, with its figure beside them."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence


def _table(rows: Mapping[str, Mapping[str, object]], columns: Sequence[str], key_name: str) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in (key_name, *columns))
    body = "".join(
        "<tr>" + f"<td>{html.escape(str(key))}</td>"
        + "".join(f"<td>{html.escape(str(row[column]))}</td>" for column in columns) + "</tr>"
        for key, row in rows.items()
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _bounds_text(bounds: dict | None) -> str:
    if bounds is None:
        return "no guideline"
    return f"{bounds['low']:g}–{bounds['high']:g} (from {bounds['min_duration']:g} s)"


DRAFT_COLUMNS = ("segments", "drafted", "held_back", "draft_cer", "typed_per_final drafted",
                 "typed_per_final held_back", "typed_per_final undrafted", "effort_saved typing",
                 "minutes_per_audio_minute drafted", "minutes_per_audio_minute held_back", "effort_saved time",
                 "untouched_drafts", "unread_drafts")


def _draft_rows(table: Mapping[str, dict]) -> dict[str, dict]:
    return {key: {"segments": g["segments"], "drafted": g["drafted"], "held_back": g["held_back"],
                  "draft_cer": g["draft_cer"],
                  "typed_per_final drafted": g["effort_drafted"]["typed_per_final"],
                  "typed_per_final held_back": g["effort_held_back"]["typed_per_final"],
                  "typed_per_final undrafted": g["effort_undrafted"]["typed_per_final"],
                  "effort_saved typing": g["effort_saved"]["typing"],
                  "minutes_per_audio_minute drafted": g["time_drafted"]["minutes_per_audio_minute"],
                  "minutes_per_audio_minute held_back": g["time_held_back"]["minutes_per_audio_minute"],
                  "effort_saved time": g["effort_saved"]["time"],
                  "untouched_drafts": g["untouched_drafts"], "unread_drafts": g["unread_drafts"]}
            for key, g in table.items()}


def _drafts_html(drafts: dict) -> list[str]:
    if not drafts["all"]["drafted"]:
        return ["<h2>Machine drafts</h2>", "<p>No exported segment was drafted by a machine.</p>"]
    return [
        "<h2>Machine drafts</h2>",
        "<p>Draft CER: the engine's draft against the accepted text (Korean ignoring spacing, characters "
        "for Chinese and Japanese). Effort: characters typed per character of the accepted text, and "
        "active minutes per audio minute, on drafted segments and on the control group held back from "
        "drafts (a random share of ordinary tasks served without them while drafts ran); effort saved is "
        "one minus drafted over held back. Unread drafts: handed in untouched, then changed by review.</p>",
        *(_table(_draft_rows(drafts[key]), DRAFT_COLUMNS, name)
          for key, name in (("languages", "language"), ("projects", "project"), ("workers", "worker key"))),
    ]


def _quality_control_html(figures: Mapping[str, list]) -> list[str]:
    """Gold, agreement and time on task (``workbench.quality``): one table of records each."""
    sections = ["<h2>Quality control</h2>"]
    for name, records in figures.items():
        sections.append(f"<h3>{html.escape(name.replace('_', ' '))}</h3>")
        if not records:
            sections.append("<p>Nothing measured yet.</p>")
            continue
        columns = list(records[0])
        sections.append(_table({str(n): row for n, row in enumerate(records, start=1)}, columns, "#"))
    return sections


def quality_page(report: dict) -> str:
    """The whole page for a report from ``build_quality_report``."""
    balance = report["balance"]
    speed = report["speed"]
    outliers = {
        item["utterance_id"]: {"language": language, **item}
        for language, data in speed.items() for item in data["outliers"]
    }
    audio = report["audio"]
    sections = [
        "<h2>Balance</h2>",
        *(_table(balance[key], ["segments", "hours"], key) for key in ("language", "project", "split")),
        '<img src="figures/balance.png" alt="hours per language, project and split">',
        "<h2>Segment durations</h2>",
        f"<p>min {report['durations']['min']} s, median {report['durations']['median']} s, "
        f"max {report['durations']['max']} s</p>",
        '<img src="figures/durations.png" alt="histogram of segment durations">',
        "<h2>Speaking rate outliers</h2>",
        _table({lang: {"median": d["median"], "bounds": _bounds_text(d["bounds"]), "outliers": len(d["outliers"])}
                for lang, d in speed.items()}, ["median", "bounds", "outliers"], "language"),
        _table(outliers, ["language", "chars_per_second", "duration", "text"], "utterance")
        if outliers else "<p>No segment is outside its language's bounds.</p>",
        '<img src="figures/speed.png" alt="characters per second per language">',
        "<h2>Label consistency</h2>",
        _table(report["labels"]["workers"], ["segments", "returned", "returned_share", "cer"], "worker key"),
        _table(report["labels"]["languages"], ["segments", "cer"], "language"),
        '<img src="figures/labels.png" alt="returned share and CER per worker and language">',
        "<h2>Audio quality</h2>",
        f"<p>{audio['clips']} clips, {audio['clips_failed']} failed processing; "
        f"{audio['segments_no_speech']} of {audio['segments']} segments marked no-speech"
        + (" (" + ", ".join(f"{html.escape(reason)} {count}" for reason, count in audio["no_speech_reasons"].items()) + ")"
           if audio["no_speech_reasons"] else "") + ", "
        f"{audio['segments_without_words']} left out for having no words once tags are removed.</p>",
        _table({"loudness (LUFS)": audio["loudness_lufs"] or {"min": "", "median": "", "max": ""},
                "estimated SNR (dB)": audio["snr_db"] or {"min": "", "median": "", "max": ""}},
               ["min", "median", "max"], "measure"),
        '<img src="figures/audio.png" alt="loudness and SNR per clip">',
        *_drafts_html(report["drafts"]),
        *(_quality_control_html(report["quality_control"]) if "quality_control" in report else []),
    ]
    style = ("body{font-family:sans-serif;max-width:70em;margin:auto}img{max-width:100%}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em}")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Export quality report</title><style>{style}</style></head><body>"
            "<h1>Export quality report</h1>"
            "<p>The same figures are in quality.json.</p>" + "\n".join(sections) + "</body></html>\n")
