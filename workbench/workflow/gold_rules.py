"""Gold work's pure parts: per-project settings from ``guidelines/projects.toml``, reading a
reference transcript, and scoring a text against its reference (workflow/gold.py uses them)."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import ClassVar

from workbench.drafts import scoring
from workbench.workflow.domain import JsonView
from workbench.workflow.errors import InvalidInput
from workbench.workflow.guidelines import (
    PROJECTS_FILE,
    dual_pairs,
    guidelines_dir,
    load_rules,
    spelling_and_pronunciation,
    tags_in,
)

MAX_RATE = 0.5
DEFAULT_PASS_CER = 0.10
MAX_REFERENCES = 2000  # rows of one imported reference transcript


class ProjectSettingsError(InvalidInput, ValueError):
    """A malformed table of ``guidelines/projects.toml``; the message names the file and the
    project. A clip being processed fails with it (clips.py), a request gets it as a refusal."""


@dataclass(frozen=True)
class GoldSettings:
    """A project's gold settings: ``rate`` (share of offered tasks that are gold copies) and
    ``pass_cer`` (the highest CER a gold segment passes at)."""

    rate: float = 0.0
    pass_cer: float = DEFAULT_PASS_CER

    @property
    def copy_chance(self) -> float:
        """The chance that a new ordinary task brings a gold copy."""
        return self.rate / (1 - self.rate)


def gold_settings(project: str) -> GoldSettings:
    """``[gold."<project>"]`` of ``guidelines/projects.toml`` (gold off for a project not listed).
    ProjectSettingsError for a malformed table."""
    return project_settings("gold", project, GoldSettings, {"rate": MAX_RATE, "pass_cer": 1})


def project_settings(kind: str, project: str, make, limits: dict[str, float]):
    """``[<kind>."<project>"]`` of ``guidelines/projects.toml`` as ``make(**table)`` (``make()``
    for a project not listed), every key one of ``limits`` and a number from 0 to its limit;
    ProjectSettingsError naming ``kind`` otherwise. Read again when the file changes."""
    path = guidelines_dir() / PROJECTS_FILE
    if not path.is_file():
        return make()
    tables = _parse_tables(path, path.stat().st_mtime_ns, kind, make, tuple(limits.items()))
    return tables.get(project) or make()


@cache
def _parse_tables(path: Path, mtime_ns: int, kind: str, make, limits: tuple[tuple[str, float], ...]) -> dict:
    allowed = dict(limits)
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle).get(kind, {})
    except tomllib.TOMLDecodeError as error:
        raise ProjectSettingsError(f"{path} is not valid TOML: {error}") from None
    if not isinstance(raw, dict):
        raise ProjectSettingsError(f"{path}: {kind} must be tables [{kind}.\"<project>\"]")
    parsed = {}
    for project, table in raw.items():
        unknown = set(table) - set(allowed) if isinstance(table, dict) else {"?"}
        if unknown:
            raise ProjectSettingsError(
                f"{path}: [{kind}.{project!r}] takes {' and '.join(allowed)}, not {sorted(unknown)}")
        for name, value in table.items():
            if isinstance(value, bool) or not (isinstance(value, (int, float)) and 0 <= value <= allowed[name]):
                raise ProjectSettingsError(
                    f"{path}: {kind} {name} of {project!r} must be a number from 0 to {allowed[name]}")
        parsed[project] = make(**table)
    return parsed


def read_references(path: Path) -> list[tuple[float, float, str]]:
    """A reference transcript file as ``[(start, end, text), ...]``: CSV with a header row
    ``start,end,text``, or JSON, a list of ``{"start": .., "end": .., "text": ..}``. Seconds
    on the clip. InvalidInput (with the row) for anything else."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"Cannot read the reference transcript {path.name}: {error}") from None
    try:
        if path.suffix.lower() == ".json":
            rows = json.loads(raw)
        elif path.suffix.lower() == ".csv":
            rows = list(csv.DictReader(io.StringIO(raw)))
        else:
            raise InvalidInput(f"A reference transcript is a .csv or a .json file, not {path.name}.")
    except (json.JSONDecodeError, csv.Error) as error:
        raise InvalidInput(f"{path.name} is not valid {path.suffix[1:]}: {error}") from None
    if not isinstance(rows, list):
        raise InvalidInput(f"{path.name} must hold a list of start, end, text rows.")
    parsed = []
    for number, row in enumerate(rows, start=1):
        try:
            parsed.append((float(row["start"]), float(row["end"]), str(row["text"])))
        except (TypeError, KeyError, ValueError):
            raise InvalidInput(f"{path.name} row {number}: give start and end in seconds and the text.") from None
    return parsed


# --- scoring ----------------------------------------------------------------------------

@dataclass(frozen=True)
class GoldFigures:
    """How a text compares with its reference: CER (0 = same; may pass 1), WER for languages
    written with spaces (else None), whether the tags and the dual notation match."""

    cer: float
    wer: float | None
    tags_match: bool
    notation_match: bool

    def passed(self, pass_cer: float) -> bool:
        return self.cer <= pass_cer and self.tags_match and self.notation_match


def score_text(reference: str, text: str, language: str, *, reference_no_speech: bool = False,
               no_speech: bool = False) -> GoldFigures:
    """Score ``text`` against ``reference`` by the language's rules (module docstring).

    >>> score_text("안녕하세요 여러분.", "안녕 하세요 여러분", "ko").cer
    0.0
    """
    if reference_no_speech or no_speech:
        same = reference_no_speech == no_speech
        return GoldFigures(0.0 if same else 1.0, None if language in scoring.UNSPACED else (0.0 if same else 1.0),
                           same, same)
    dual = load_rules(language).dual_notation
    ref_spoken = spelling_and_pronunciation(reference)[1]
    spoken = spelling_and_pronunciation(text)[1]
    notation = not dual or _pairs(reference, language) == _pairs(text, language)
    return GoldFigures(cer=_rate(scoring.cer, ref_spoken, spoken, language),
                       wer=None if language in scoring.UNSPACED else _rate(scoring.wer, ref_spoken, spoken, language),
                       tags_match=tags_in(reference) == tags_in(text), notation_match=notation)


def _pairs(text: str, language: str) -> list[tuple[str, str]]:
    return [(scoring.normalise(a, language), scoring.normalise(b, language)) for a, b in dual_pairs(text)]


def _rate(measure, reference: str, text: str, language: str) -> float:
    if not scoring.normalise(reference, language):  # only tags: nothing to count errors against
        return 0.0 if not scoring.normalise(text, language) else 1.0
    return float(measure([reference], [text], language))


@dataclass(frozen=True)
class GoldScoreView(JsonView):
    """A gold score as the admin sees it."""

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("username", "project", "language", "task_id", "segment_id",
                                              "reference", "text", "cer", "wer", "tags_match",
                                              "notation_match", "passed", "scored_at")

    username: str
    project: str
    language: str
    task_id: int
    segment_id: int
    reference: str
    text: str
    cer: float
    wer: float | None
    tags_match: bool
    notation_match: bool
    passed: bool
    scored_at: datetime


