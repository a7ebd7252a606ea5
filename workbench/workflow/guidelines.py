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
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from workbench.languages import LANGUAGES

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
    message: str

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


SCRIPT_CLASSES = ("hangul", "latin", "han", "hiragana", "katakana")
_SCRIPT_NAMES = {
    "hangul": "Hangul",
    "jamo": "separate Hangul letters (jamo)",
    "latin": "Latin letters",
    "han": "Chinese characters",
    "hiragana": "hiragana",
    "katakana": "katakana",
}


def script_class(char: str) -> str | None:
    """The script class of one character (one of ``SCRIPT_CLASSES``, or ``"jamo"`` for
    Hangul letters outside syllables), or None for anything else (digits, symbols)."""
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3:
        return "hangul"
    if 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "jamo"
    if 0x3040 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF:
        return "katakana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or char in "々〇":
        return "han"
    if char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return None


def guidelines_dir() -> Path:
    """The folder holding ``<language>.md`` and ``<language>.toml`` (see module docstring)."""
    override = os.environ.get(GUIDELINES_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "guidelines"


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
_DUAL = re.compile(r"\(([^()]+)\)/\(([^()]+)\)")
# Tag candidates in both styles, known or not: "b/" at the start of a word, or "[noise]".
_SLASH_TAG = re.compile(r"(?<!\S)[A-Za-z]/")
_BRACKET_TAG = re.compile(r"\[[^\[\]()]*\]")
# "음/": the slash that marks a Korean filler word.
_FILLER_SLASH = re.compile(r"(?<=[가-힣])/(?=[\s.,?!]|$)")
_SPACES = re.compile(r"\s+")


def _remove_tags(text: str) -> str:
    return _BRACKET_TAG.sub(" ", _SLASH_TAG.sub(" ", text))


def tags_in(text: str) -> list[str]:
    """The tags written in ``text`` (``b/``, ``[noise]``), sorted: what gold scoring compares.

    >>> tags_in("b/ 네 [noise] l/")
    ['[noise]', 'b/', 'l/']
    """
    return sorted(_SLASH_TAG.findall(text) + _BRACKET_TAG.findall(text))


def dual_pairs(text: str) -> list[tuple[str, str]]:
    """The ``(spelling)/(pronunciation)`` pairs written in ``text``, in order.

    >>> dual_pairs("(3시)/(세 시)에 (KTX)/(케이티엑스)")
    [('3시', '세 시'), ('KTX', '케이티엑스')]
    """
    return [(spelling.strip(), spoken.strip()) for spelling, spoken in _DUAL.findall(text)]


def _clean_plain(text: str) -> str:
    """Text outside dual pairs without tags, filler slashes or repetition marks."""
    return _FILLER_SLASH.sub("", _remove_tags(text)).replace("+", "")


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々〇"
_FULL_WIDTH_MARKS = "，。！？、"
# Chinese and Japanese are written without spaces: the ones left where tags were go.
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}{_FULL_WIDTH_MARKS}]) (?=[{_CJK}{_FULL_WIDTH_MARKS}])"
                           f"|(?<=[{_FULL_WIDTH_MARKS}]) ")
_SPACE_BEFORE_MARK = re.compile(f" (?=[.,?!{_FULL_WIDTH_MARKS}])")


def _normalise(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_IN_CJK.sub("", _SPACE_BEFORE_MARK.sub("", text))


def spelling_and_pronunciation(text: str) -> tuple[str, str]:
    """The spelling and the pronunciation reading of a transcript, as the export writes them.

    Korean ``(철자)/(발음)`` pairs give their first half to the spelling reading and their
    second to the pronunciation reading; tags (``b/``, ``[noise]``), filler slashes
    (``음/``) and repetition marks (``+``) go, and whitespace is normalised. Text without
    that notation comes back the same twice, with its tags removed.

    >>> spelling_and_pronunciation("(KTX)/(케이티엑스) 타고 l/ 가요")
    ('KTX 타고 가요', '케이티엑스 타고 가요')
    >>> spelling_and_pronunciation("[laugh] I w- I want that.")
    ('I w- I want that.', 'I w- I want that.')
    """
    spelling: list[str] = []
    pronunciation: list[str] = []
    start = 0
    for match in _DUAL.finditer(text):
        plain = _clean_plain(text[start : match.start()])
        spelling += [plain, match[1].strip()]
        pronunciation += [plain, match[2].strip()]
        start = match.end()
    tail = _clean_plain(text[start:])
    return _normalise("".join(spelling) + tail), _normalise("".join(pronunciation) + tail)


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
            Problem(segment.segment_id, segment.position, rule, severities.get(rule, severity), message)
            for rule, severity, message in _check_one(rules, segment)
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


_Finding = tuple[str, Severity, str]


def _check_one(rules: RuleSet, segment: SegmentForCheck) -> list[_Finding]:
    text = segment.text
    if segment.no_speech:
        if text.strip():
            return [("no-speech-text", "warning",
                     "marked as no speech but has text; the text will not be used")]
        return []
    if not text.strip():
        return [("empty-text", "error", "no text: transcribe the speech or mark it as no speech")]
    brackets = _bracket_findings(rules, text)
    findings = _tag_findings(rules, text) + brackets
    reading = _reading(rules, text)
    spoken = sum(char.isalnum() for char in reading)
    if spoken == 0:
        return findings + [("empty-text", "error",
                            "only tags and no words: transcribe the speech or mark it as no speech")]
    # A broken (spelling)/(pronunciation) pair leaks its spelling into the reading; report
    # the pair, not the digits and Latin letters that leak with it.
    if not (brackets and rules.dual_notation):
        findings += _script_findings(rules, reading)
    findings += _sentence_findings(rules, reading)
    findings += _rate_findings(rules, spoken, segment.duration)
    return findings


def _reading(rules: RuleSet, text: str) -> str:
    """What the checks after tags and brackets look at: the spoken text."""
    if rules.dual_notation:
        return spelling_and_pronunciation(text)[1]
    return _normalise(_remove_tags(text))


def _tag_findings(rules: RuleSet, text: str) -> list[_Finding]:
    outside_pairs = _DUAL.sub(" ", text) if rules.dual_notation else text
    found = _SLASH_TAG.findall(outside_pairs) + _BRACKET_TAG.findall(outside_pairs)
    unknown = sorted(set(found) - rules.allowed_tags)
    if not unknown:
        return []
    allowed = " ".join(tag for tag, _ in rules.tags)
    return [("unknown-tag", "error", f"unknown tag {tag!r}; allowed tags: {allowed}")
            for tag in unknown]


def _bracket_findings(rules: RuleSet, text: str) -> list[_Finding]:
    rest = _BRACKET_TAG.sub(" ", _DUAL.sub(" ", text) if rules.dual_notation else text)
    stray = [char for char in rest if char in "()[]"]
    if not stray:
        return []
    if rules.dual_notation:
        message = ("brackets do not form a (spelling)/(pronunciation) pair: write e.g. "
                   "(3시)/(세 시) with no space around the slash")
    else:
        message = f"stray bracket {stray[0]!r}: brackets are only used in tags"
    return [("brackets", "error", message)]


def _script_findings(rules: RuleSet, reading: str) -> list[_Finding]:
    findings: list[_Finding] = []
    foreign: dict[str, list[str]] = {}
    for char in dict.fromkeys(reading):
        if char.isspace() or char in "()[]" or char in rules.punctuation:
            continue
        if char.isdigit() and char.isascii() and rules.digits_allowed:
            continue
        kind = script_class(char)
        if kind not in rules.letters:
            foreign.setdefault(kind or ("digit" if char.isdigit() else "symbol"), []).append(char)
    for kind, chars in foreign.items():
        findings.append(("script", "error", _script_message(rules, kind, "".join(chars))))
    if not findings and not any(script_class(char) in rules.required for char in reading):
        wanted = " or ".join(_SCRIPT_NAMES[kind] for kind in sorted(rules.required))
        findings.append(("script", "error", f"{rules.name} transcripts need {wanted}"))
    return findings


def _script_message(rules: RuleSet, kind: str, chars: str) -> str:
    if kind == "digit":
        advice = "write numbers as spoken"
        if rules.dual_notation:
            advice += ", or as (spelling)/(pronunciation), e.g. (3시)/(세 시)"
    elif kind == "symbol":
        advice = "only the punctuation " + " ".join(rules.punctuation) + " is used"
    elif rules.dual_notation and kind == "latin":
        advice = "write foreign words as (spelling)/(pronunciation), e.g. (KTX)/(케이티엑스)"
    elif kind == "jamo":
        advice = "write whole syllables, and laughter as a tag"
    else:
        advice = f"{rules.name} transcripts do not use {_SCRIPT_NAMES[kind]}"
    return f"characters not allowed here: {chars} ({advice})"


def _sentence_findings(rules: RuleSet, reading: str) -> list[_Finding]:
    for abbreviation in rules.abbreviations:
        reading = reading.replace(abbreviation, abbreviation.rstrip("."))
    marks = re.escape(rules.sentence_final_marks)
    match = re.search(f"[{marks}]+(?=.*\\w)", reading)
    if not match:
        return []
    return [("one-sentence", rules.one_sentence_severity,
             f"more text after {match[0]!r}: one sentence per segment; split the segment")]


def _rate_findings(rules: RuleSet, spoken: int, duration: float) -> list[_Finding]:
    bounds = rules.chars_per_second
    if duration < bounds.min_duration:
        return []
    rate = spoken / duration
    if rate < bounds.error_below or rate > bounds.error_above:
        severity: Severity = "error"
    elif rate < bounds.warn_below or rate > bounds.warn_above:
        severity = "warning"
    else:
        return []
    pace = "fast" if rate > bounds.warn_above else "slow"
    advice = ("is text missing, or is part of it not in this audio?" if pace == "slow"
              else "is there text that is not in this audio?")
    return [("chars-per-second", severity,
             f"{rate:.1f} characters per second is too {pace} for {duration:.1f} s "
             f"(expected {bounds.warn_below:g}–{bounds.warn_above:g}): {advice}")]
