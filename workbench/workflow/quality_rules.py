"""Quality rules' pure parts: per-project settings from ``guidelines/projects.toml`` and the
judgement of one worker's day (workflow/quality.py applies them).

Settings, ``[quality."<project>"]`` (defaults from CrowdWorks' transcription projects; a
project not listed gets the defaults):

- ``warn_rate`` (0.10): a day's defect rate at or above it brings a warning;
- ``suspend_rate`` (0.20; CrowdWorks uses 20–30 %): the rate over the last ``window_days``
  (7) days at or above it bars the worker from the project;
- ``instant_rate`` (0.40): one day at or above it bars them at once;
- ``warnings_to_suspend`` (2): that many open warnings bar them;
- ``unfixed_to_block`` (3): that many returned tasks left unfixed past the rework deadline
  bar them;
- ``min_checked`` (10): a day (or window) with fewer decided segments gives no rate, so one
  returned segment of two is not a 50 % day;
- ``rework_hours`` (26): returned work not resubmitted within it is released to others;
- ``senior_share`` (0.05): the share of a reviewer's accepted segments a senior re-reviews;
- ``reviewer_min_accuracy`` (0.90) and ``reviewer_min_checks`` (20): a reviewer with at
  least that many checked verdicts whose accuracy is below it may hold only
  ``low_accuracy_reviews`` (1) tasks in review at once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from workbench.workflow.guidelines import PROJECTS_FILE, guidelines_dir

SEOUL = ZoneInfo("Asia/Seoul")
ROLES = ("transcriber", "reviewer")


@dataclass(frozen=True)
class QualitySettings:
    """A project's quality rules (module docstring)."""

    warn_rate: float = 0.10
    suspend_rate: float = 0.20
    window_days: int = 7
    instant_rate: float = 0.40
    warnings_to_suspend: int = 2
    unfixed_to_block: int = 3
    min_checked: int = 10
    rework_hours: float = 26.0
    senior_share: float = 0.05
    reviewer_min_accuracy: float = 0.90
    reviewer_min_checks: int = 20
    low_accuracy_reviews: int = 1

    def __post_init__(self) -> None:
        for name in ("warn_rate", "suspend_rate", "instant_rate", "senior_share", "reviewer_min_accuracy"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"quality {name} must be a number from 0 to 1, not {value!r}")
        for name in ("window_days", "warnings_to_suspend", "unfixed_to_block", "min_checked",
                     "reviewer_min_checks", "low_accuracy_reviews"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000:
                raise ValueError(f"quality {name} must be a whole number from 1 to 10000, not {value!r}")
        hours = self.rework_hours
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 1 <= hours <= 24 * 60:
            raise ValueError(f"quality rework_hours must be a number of hours from 1 to 1440, not {hours!r}")
        if not self.warn_rate <= self.suspend_rate <= self.instant_rate:
            raise ValueError("quality rates must rise: warn_rate <= suspend_rate <= instant_rate")

    @property
    def rework_deadline(self) -> timedelta:
        return timedelta(hours=self.rework_hours)


SETTING_NAMES = tuple(f.name for f in fields(QualitySettings))


def quality_settings(project: str) -> QualitySettings:
    """``[quality."<project>"]`` of ``guidelines/projects.toml`` over the defaults. ValueError
    for a malformed table."""
    path = guidelines_dir() / PROJECTS_FILE
    if not path.is_file():
        return QualitySettings()
    return _parse(path, path.stat().st_mtime_ns).get(project, QualitySettings())


@cache
def _parse(path: Path, mtime_ns: int) -> dict[str, QualitySettings]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle).get("quality", {})
    parsed = {}
    for project, table in raw.items():
        unknown = set(table) - set(SETTING_NAMES) if isinstance(table, dict) else {"?"}
        if unknown:
            raise ValueError(f"{path}: [quality.{project!r}] takes {', '.join(SETTING_NAMES)}, not {sorted(unknown)}")
        try:
            parsed[project] = QualitySettings(**table)
        except ValueError as error:
            raise ValueError(f"{path}: [quality.{project!r}]: {error}") from None
    return parsed


# --- days -------------------------------------------------------------------------------

def seoul_day(instant: datetime) -> date:
    return instant.astimezone(SEOUL).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a Seoul day starts and ends at."""
    start = datetime.combine(day, time(0), tzinfo=SEOUL)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


# --- judging a day ----------------------------------------------------------------------

@dataclass(frozen=True)
class Judgement:
    """What a day's figures bring: ``outcome`` ``none``, ``too_few``, ``warning`` or
    ``suspension``; ``rule`` names the rule that fired and ``reason`` says it to the worker."""

    outcome: str
    rule: str = ""
    reason: str = ""


def rate(defects: int, checked: int) -> float:
    return defects / checked if checked else 0.0


def judge_day(settings: QualitySettings, *, checked: int, defects: int, window_checked: int,
              window_defects: int, open_warnings: int) -> Judgement:
    """The judgement of one day (``checked`` decided segments of which ``defects`` were
    returned, or for a reviewer, verdicts checked and overturned), given the window's totals
    (this day included) and the warnings already open. Pure: the table tests walk it."""
    day_rate = rate(defects, checked)
    enough = checked >= settings.min_checked
    if enough and day_rate >= settings.instant_rate:
        return Judgement("suspension", "instant_rate",
                         f"{day_rate:.0%} of your {checked} checked segments were defective in one day "
                         f"(the limit is {settings.instant_rate:.0%}).")
    window_rate = rate(window_defects, window_checked)
    if window_checked >= settings.min_checked and window_rate >= settings.suspend_rate:
        return Judgement("suspension", "suspend_rate",
                         f"{window_rate:.0%} of your {window_checked} checked segments over {settings.window_days} "
                         f"days were defective (the limit is {settings.suspend_rate:.0%}).")
    if not enough:
        return Judgement("too_few")
    if day_rate >= settings.warn_rate:
        if open_warnings + 1 >= settings.warnings_to_suspend:
            return Judgement("suspension", "warnings",
                             f"{open_warnings + 1} warnings: {day_rate:.0%} of your {checked} checked segments "
                             f"were defective today, after an earlier warning.")
        return Judgement("warning", "warn_rate",
                         f"{day_rate:.0%} of your {checked} checked segments were defective "
                         f"(a warning comes at {settings.warn_rate:.0%}).")
    return Judgement("none")


# --- a return reversed after its day was judged -----------------------------------------

def reversed_returns(verdicts, start: datetime, end: datetime) -> set[int]:
    """The segments among ``verdicts`` (Verdict-like, in the order given) whose return, the
    last verdict of a review round given in [start, end), a later round accepted unchanged
    (the same segment version): the return was wrong and is no defect of its transcriber."""
    rounds: dict[int, dict[int, object]] = {}
    for verdict in verdicts:
        rounds.setdefault(verdict.segment_id, {})[verdict.review_round] = verdict
    found = set()
    for segment_id, finals in rounds.items():
        for round_, verdict in finals.items():
            if verdict.decision == "returned" and start <= verdict.created_at < end and any(
                    later.decision == "accepted" and later.segment_version == verdict.segment_version
                    for other, later in finals.items() if other > round_):
                found.add(segment_id)
    return found


@dataclass(frozen=True)
class Rejudged:
    """What becomes of an open warning or suspension once its day is judged again without
    the reversed returns: ``stands``, ``closes``, or ``warning`` (a suspension that would
    only have been a warning is closed and a warning given in its place)."""

    fate: str
    judgement: Judgement


def rejudge_step(settings: QualitySettings, kind: str, *, checked: int, defects: int, window_checked: int,
                 window_defects: int, earlier_warnings: int) -> Rejudged:
    """Judge a ``kind`` step's day again with its figures as they stand now (the day's and the
    window's, the reversed returns taken out) and the warnings open when it was given that
    still stand. Rates only fall when returns are taken out, so a step is never made harsher."""
    judgement = judge_day(settings, checked=checked, defects=defects, window_checked=window_checked,
                          window_defects=window_defects, open_warnings=earlier_warnings)
    if judgement.outcome == "suspension" or judgement.outcome == kind:
        return Rejudged("stands", judgement)
    if kind == "suspension" and judgement.outcome == "warning":
        return Rejudged("warning", judgement)
    return Rejudged("closes", judgement)


def closed_by_reversal(step) -> bool:
    """Whether ``step`` (QualityAction-like) was closed by a reversal: lifted, by nobody (an
    admin's lift names the admin)."""
    return step.lifted_at is not None and step.lifted_by_id is None


def muted_by_reversed(day: str, at: datetime, suspensions, closed_ids) -> bool:
    """Whether ``day``, judged at ``at``, was judged ``none`` only because of suspensions that
    a reversal has closed since, one of them among ``closed_ids`` (closed just now):
    ``suspensions`` (QualityAction-like) are all of the worker's in that project and role;
    any other one open at ``at`` (still open, or lifted by an admin later) still mutes it. A
    suspension's own day, judged in the same instant, is not one it muted."""
    open_then = [s for s in suspensions
                 if s.created_at <= at and (s.lifted_at is None or s.lifted_at > at) and s.day != day]
    return (any(s.id in closed_ids for s in open_then)
            and all(closed_by_reversal(s) for s in open_then))
