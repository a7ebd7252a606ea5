"""Transcription guidelines per language and the checks the submit step runs.

Each language has two files in the repository's top-level ``guidelines/`` folder: the
prose workers read (``ko.md``, shown in the UI through :func:`guideline_markdown`) and the
rules the checker enforces (``ko.toml``, read into a :class:`RuleSet` by :func:`load_rules`).
A meta-test keeps the tags the prose lists equal to the tags the rule file allows.

Where the folder is found: ``WORKBENCH_GUIDELINES_DIR`` when set, else
``Path(__file__).resolve().parents[2] / "guidelines"``. The folder sits outside the
package on purpose (reviewers and clients read and edit it as documents), and the project
is installed editable (``pip install -e .``), so that path resolves to the checkout both
from an editable install and when running from the source tree. A deployment from a
wheel sets the environment variable.

Rule ids a :class:`Problem` may carry:

``empty-text``       no words, and the segment is not marked no-speech (error)
``no-speech-text``   marked no-speech but has text (warning; the text is ignored)
``unknown-tag``      a tag the language's rule file does not list (error)
``brackets``         a broken ``(spelling)/(pronunciation)`` pair or a stray bracket (error)
``script``           characters the language does not use, e.g. Hangul in English (error)
``chars-per-second`` too fast or too slow for the audio (error far out, warning near the edge)
``one-sentence``     a sentence-final mark followed by more text (severity per language)

Which rules are errors and which warnings is the language's default, and a project may
change it: ``guidelines/projects.toml`` maps a project name to ``rule = "error"`` or
``"warning"`` (:func:`project_severities`). A call-centre project may take a short "네."
in a 2.8-second segment as a warning rather than a blocking error. ``empty-text`` is
always an error: a segment with neither words nor a no-speech mark is not transcribed.

Characters per second are counted on the pronunciation reading: letters, digits, syllables
and ideographs only (tags, spaces and punctuation are not spoken). Segments shorter than
the language's ``min_duration`` are not rated: a few characters over a fraction of a
second, with VAD padding at both ends, say nothing about the speaking rate.

>>> segment = SegmentForCheck(segment_id=7, position=0, text="안녕 hello there", duration=2.0,
...                           no_speech=False)
>>> problems = check_segments("en", [segment])
>>> [(p.rule, p.severity) for p in problems]
[('script', 'error')]
>>> spelling_and_pronunciation("음/ (3시)/(세 시)에 b/ 만나+ 만나요.")
('음 3시에 만나 만나요.', '음 세 시에 만나 만나요.')

This module checks text only; it never touches the database or the audio.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from workbench.languages import LANGUAGES
from workbench.workflow.guideline_findings import _check_one
from workbench.workflow.guideline_text import (  # noqa: F401  (re-exported: callers import them from here)
    SCRIPT_CLASSES,
    dual_pairs,
    script_class,
    spelling_and_pronunciation,
    tags_in,
)

Severity = Literal["error", "warning"]

RULE_IDS = (
    "empty-text",
    "no-speech-text",
    "unknown-tag",
    "brackets",
    "script",
    "one-sentence",
    "chars-per-second",
)
GUIDELINES_DIR_ENV = "WORKBENCH_GUIDELINES_DIR"
# Why a segment may be marked no speech (section 7 of every language's guidelines), in the
# order the transcriber's page offers them (keys 1-4). The workflow stores any reason a
# caller gives; the page offers only these, so reviewers and exports see a few categories.
NO_SPEECH_REASONS = ("silence or noise", "music only", "cut off or unusable", "another language")


@dataclass(frozen=True)
class Problem:
    """One guideline problem in one segment, fit to show to the transcriber."""

    segment_id: int
    position: int
    rule: str
    severity: Severity
    message: str  # in English: the CLI and reports show it
    # The message's gettext id with ``{named}`` placeholders and their values, so a page
    # can show it in the reader's language (``message`` is ``template.format(**params)``).
    template: str = ""
    params: dict[str, str] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The problem as the task pages' JSON carries it: every field."""
        return asdict(self)


@dataclass(frozen=True)
class SegmentForCheck:
    """What the checker needs of a segment: its text, audio length in seconds and flag."""

    segment_id: int
    position: int
    text: str
    duration: float
    no_speech: bool


@dataclass(frozen=True)
class CharsPerSecondBounds:
    """Speaking-rate limits; below ``min_duration`` seconds the rate is not rated."""

    min_duration: float
    error_below: float
    warn_below: float
    warn_above: float
    error_above: float


@dataclass(frozen=True)
class RuleSet:
    """The machine-readable guideline of one language, as read from ``<language>.toml``.

    ``tags`` maps each allowed tag (``"b/"``, ``"[noise]"``) to what it marks.
    ``letters`` are the script classes a transcript may use (``hangul``, ``latin``, ``han``,
    ``hiragana``, ``katakana``); ``required`` are those of which at least one character
    must appear. ``dual_notation`` turns on the Korean ``(spelling)/(pronunciation)``,
    ``+`` and filler-``/`` conventions.
    """

    language: str
    name: str
    tags: tuple[tuple[str, str], ...]
    dual_notation: bool
    letters: frozenset[str]
    required: frozenset[str]
    digits_allowed: bool
    punctuation: str
    sentence_final_marks: str
    one_sentence_severity: Severity
    abbreviations: tuple[str, ...]
    chars_per_second: CharsPerSecondBounds

    @property
    def allowed_tags(self) -> frozenset[str]:
        return frozenset(tag for tag, _ in self.tags)


# Resolved once: every save and task view checks the guidelines, and resolving walks the path.
_SHIPPED_DIR = Path(__file__).resolve().parents[2] / "guidelines"


def guidelines_dir() -> Path:
    """The folder holding ``<language>.md`` and ``<language>.toml`` (see module docstring)."""
    override = os.environ.get(GUIDELINES_DIR_ENV)
    if override:
        return Path(override)
    return _SHIPPED_DIR


def _guideline_file(language: str, suffix: str) -> Path:
    if language not in LANGUAGES:
        raise ValueError(
            f"unknown language {language!r}: guidelines exist for {', '.join(LANGUAGES)}"
        )
    path = guidelines_dir() / f"{language}{suffix}"
    if not path.is_file():
        raise ValueError(f"guideline file {path} is missing (set {GUIDELINES_DIR_ENV}?)")
    return path


def load_rules(language: str) -> RuleSet:
    """Read ``guidelines/<language>.toml``; ValueError for an unknown language."""
    path = _guideline_file(language, ".toml")
    rules = _parse_rules(path, path.stat().st_mtime_ns)
    if rules.language != language:
        raise ValueError(f"{path} describes language {rules.language!r}, not {language!r}")
    return rules


@cache
def _parse_rules(path: Path, mtime_ns: int) -> RuleSet:
    """Parse one rule file; the modification time in the key picks up edits."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    try:
        return _rules_from_toml(raw)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: malformed rule file ({error!r})") from error


def _rules_from_toml(raw: dict) -> RuleSet:
    script, sentence, rate = raw["script"], raw["sentence"], raw["chars_per_second"]
    unknown = (set(script["letters"]) | set(script["required"])) - set(SCRIPT_CLASSES)
    if unknown:
        raise ValueError(f"unknown script classes {sorted(unknown)}")
    if sentence["severity"] not in ("error", "warning"):
        raise ValueError("sentence severity must be 'error' or 'warning'")
    return RuleSet(
        language=raw["language"],
        name=raw["name"],
        tags=tuple(raw["tags"].items()),
        dual_notation=raw["dual_notation"],
        letters=frozenset(script["letters"]),
        required=frozenset(script["required"]),
        digits_allowed=script["digits"],
        punctuation=script["punctuation"],
        sentence_final_marks=sentence["final_marks"],
        one_sentence_severity=sentence["severity"],
        abbreviations=tuple(sentence["abbreviations"]),
        chars_per_second=CharsPerSecondBounds(**rate),
    )


@dataclass(frozen=True)
class PaletteEntry:
    """One entry of the transcriber's tag palette: ``text`` goes in at the caret, and the
    caret then sits ``caret`` characters into it; ``label`` says what it marks."""

    text: str
    caret: int
    label: str


# The Korean dual notation, with the caret in the spelling half: "(3시)/(세 시)".
DUAL_TEMPLATE = "()/()"


def palette(language: str) -> tuple[PaletteEntry, ...]:
    """The tags and notation the language's rule file allows, in its order, as the page's
    palette offers them: the checker reads the same file, so the two never disagree."""
    rules = load_rules(language)
    entries = [PaletteEntry(tag, len(tag), meaning) for tag, meaning in rules.tags]
    if rules.dual_notation:
        entries.append(PaletteEntry(DUAL_TEMPLATE, 1, "(spelling)/(pronunciation)"))
    return tuple(entries)


def guideline_markdown(language: str) -> str:
    """The worker-facing guideline of one language, as Markdown.

    The HTML comments that mark sections for the meta-tests are left out.
    """
    text = _guideline_file(language, ".md").read_text(encoding="utf-8")
    return re.sub(r"<!--.*?-->\n?", "", text)


# A dual transcription: "(3시)/(세 시)". Halves cannot contain parentheses.
def check_segments(language: str, segments: Sequence[SegmentForCheck], *,
                   project: str | None = None) -> list[Problem]:
    """Every guideline problem of the given segments, in segment order.

    Errors block a submit, warnings do not; ``project`` applies that project's severities
    (``projects.toml``). ValueError for an unknown language or a malformed projects file.
    """
    rules = load_rules(language)
    severities = project_severities(project)
    problems: list[Problem] = []
    for segment in segments:
        problems += [
            Problem(segment.segment_id, segment.position, rule, severities.get(rule, severity),
                    template.format(**params), template, params)
            for rule, severity, template, params in _check_one(rules, segment)
        ]
    return problems


PROJECTS_FILE = "projects.toml"
# A segment with neither words nor a no-speech mark is not transcribed, whatever the project.
FIXED_SEVERITY = {"empty-text": "error"}


def project_severities(project: str | None) -> dict[str, Severity]:
    """The rule severities ``project`` sets in ``guidelines/projects.toml`` (empty for a
    project not listed, or without the file). ValueError for a malformed file: a rule id
    that does not exist, a severity other than error or warning, or a fixed rule."""
    path = guidelines_dir() / PROJECTS_FILE
    if project is None or not path.is_file():
        return {}
    return dict(_parse_projects(path, path.stat().st_mtime_ns).get(project, ()))


@cache
def _parse_projects(path: Path, mtime_ns: int) -> dict[str, tuple[tuple[str, Severity], ...]]:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error})") from error
    projects = raw.get("projects", {})
    if not isinstance(projects, dict):
        raise ValueError(f"{path}: [projects] must be a table of projects")
    parsed = {}
    for name, severities in projects.items():
        if not isinstance(severities, dict):
            raise ValueError(f"{path}: project {name!r} must be a table of rule = severity")
        for rule, severity in severities.items():
            if rule not in RULE_IDS:
                raise ValueError(f"{path}: project {name!r} names unknown rule {rule!r}; "
                                 f"rules: {', '.join(RULE_IDS)}")
            if severity not in ("error", "warning"):
                raise ValueError(f"{path}: project {name!r} gives {rule} severity {severity!r}; "
                                 "use 'error' or 'warning'")
            if FIXED_SEVERITY.get(rule, severity) != severity:
                raise ValueError(f"{path}: {rule} is always an {FIXED_SEVERITY[rule]}")
        parsed[name] = tuple(severities.items())
    return parsed
