"""The workbench's tunable rules in one place: limits, grade bands, penalties."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class GradeBand:
    """Transcribers scoring at least ``min_score`` get ``grade`` and may hold ``max_tasks``."""

    grade: str
    min_score: float
    max_tasks: int


@dataclass(frozen=True)
class Rate:
    """A token bucket's rule (``workflow/throttle``): ``burst`` attempts at once, then one
    per ``every``."""

    burst: int
    every: timedelta

    def level(self, tokens: float, since: datetime, now: datetime) -> float:
        """The tokens a bucket holding ``tokens`` at ``since`` holds at ``now``."""
        gained = max(0.0, (now - since) / self.every)
        return min(float(self.burst), tokens + gained)

    def wait(self, level: float) -> float:
        """Seconds until a bucket at ``level`` holds one token (0 when it does)."""
        return max(0.0, (1.0 - level) * self.every.total_seconds())


@dataclass(frozen=True)
class Policy:
    """Rules a deployment may tune; the defaults suit a small team.

    ``grade_window``: the grade is the share of a transcriber's last N reviewed segments
    accepted without return (each penalised segment counts against it once more).
    Below ``grade_min_segments`` reviewed segments a transcriber is graded "new".
    ``penalty_won``: deducted per segment returned again after its first rework.
    Listening (review.py): a segment counts as heard by a reviewer once the spans they
    reported playing, clipped to the audio the server sent them, cover ``heard_share`` of
    it. ``play_tolerance``: seconds a reported span may run past the segment's end (a
    decoded file can be a frame longer); the rest is refused. ``max_play_intervals``: most
    spans in one report. ``max_playback_rate``: the fastest speed the page offers; a
    reviewer is credited at most that many seconds of audio per second of wall clock, plus
    ``listening_allowance`` seconds they may run ahead (the page reports every few seconds).
    """

    max_upload_bytes: int = 2 * 1024**3
    # An identity document is a scan or a photo: a few megabytes at most.
    max_document_bytes: int = 5 * 1024**2
    # Sign-in throttling (``workflow/throttle`` has the rule): per client address, whatever
    # the username, and per account, whatever the client (except a client whose latest
    # password for it, within ``login_trust_window``, was right).
    login_client_rate: Rate = Rate(burst=20, every=timedelta(seconds=30))
    login_account_rate: Rate = Rate(burst=10, every=timedelta(minutes=1))
    login_trust_window: timedelta = timedelta(days=30)
    # Applications come from strangers: a few per client address, then one an hour; at
    # most this many waiting for an admin, in all and from one address.
    apply_client_rate: Rate = Rate(burst=3, every=timedelta(hours=1))
    max_pending_applications: int = 200
    max_pending_per_client: int = 3
    # A sign-in lasts this long at most; signing out or losing approval ends it sooner.
    session_lifetime: timedelta = timedelta(hours=12)
    # The password rule (``workflow/passwords``): length, and zxcvbn's score 0-4.
    min_password_length: int = 8
    max_password_length: int = 128
    min_password_score: int = 3
    grade_window: int = 200
    grade_min_segments: int = 20
    new_worker_max_tasks: int = 2
    grade_bands: tuple[GradeBand, ...] = (
        GradeBand("A", 0.95, 5),
        GradeBand("B", 0.85, 3),
        GradeBand("C", 0.70, 2),
        GradeBand("D", 0.0, 1),
    )
    penalty_won: int = 1000
    heard_share: float = 0.95
    play_tolerance: float = 0.25
    max_play_intervals: int = 100
    max_playback_rate: float = 2.0
    listening_allowance: float = 15.0
    # A resubmitted task waits this long for the reviewer who returned it (they know what
    # they asked for); after that any reviewer of its language may take it.
    returning_reviewer_hold: timedelta = timedelta(hours=24)
    # The worker processing a clip renews its lease on it every quarter of ``clip_lease``;
    # once the lease has run out the worker is taken for dead and the clip is queued again,
    # at most ``clip_max_attempts`` times in all before it is failed with the reason.
    clip_lease: timedelta = timedelta(seconds=60)
    clip_max_attempts: int = 3
    # A drafting job beats (the clip's ``progress_at``) after every batch of about two minutes
    # of audio, tens of seconds of CPU; a clip whose drafting has not beaten for
    # ``draft_stall``, a few batch times, is taken for a dead job's and queued again.
    draft_stall: timedelta = timedelta(minutes=5)
    # Time on task (``workflow/time_on_task``): the most active time one report of a task
    # page may credit, and the most spans it may hold.
    max_activity_report: timedelta = timedelta(minutes=15)
    max_activity_spans: int = 200
    # The legal minimum hourly wage, in won, and the day (Asia/Seoul) each figure takes
    # effect: the Minimum Wage Act's notices for 2024-2026. Time-on-task reports set
    # effective hourly earnings against the figure in force (``WORKBENCH_MINIMUM_WAGES``).
    minimum_wages: tuple[tuple[date, int], ...] = (
        (date(2024, 1, 1), 9_860), (date(2025, 1, 1), 10_030), (date(2026, 1, 1), 10_320),
    )
    # Machine drafts (workflow/drafting.py): words below ``draft_low_probability`` are marked
    # on the transcriber's page; drafts turn off for a project and language once the CER of
    # the engine's drafts over the newest ``draft_cer_window`` accepted segments passes
    # ``draft_cer_threshold`` (research puts the break-even near 30 % word error), judged
    # from ``draft_cer_min_segments`` on.
    draft_low_probability: float = 0.5
    draft_cer_threshold: float = 0.35
    draft_cer_window: int = 200
    draft_cer_min_segments: int = 30
    # The drafting job re-cuts an unclaimed task by its drafts' sentences in these languages
    # (workflow/recutting.py): English, and Japanese, Korean and Mandarin by splits alone
    # (draft_recut.recut_kinds), each measured to help on the tuning clips (README "Re-cut
    # by the drafts"; Mandarin since its splits go to the middle of the pause).
    recut_languages: tuple[str, ...] = ("en", "ja", "ko", "zh")
    # argon2id cost (argon2-cffi's defaults); tests lower it, hashes upgrade at the next login.
    password_time_cost: int = 3
    password_memory_kib: int = 65536

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Policy":
        """Defaults, overridden by ``WORKBENCH_MAX_UPLOAD_MB``, ``WORKBENCH_PENALTY_WON``,
        ``WORKBENCH_CLIP_LEASE_S``, ``WORKBENCH_CLIP_MAX_ATTEMPTS``, ``WORKBENCH_DRAFT_STALL_S``,
        ``WORKBENCH_MINIMUM_WAGES`` (``2027-01-01=10600,...``: figures added to, or replacing
        on the same day, the defaults), ``WORKBENCH_DRAFT_CER_THRESHOLD`` (a share, 0.35) and
        ``WORKBENCH_DRAFT_LOW_PROBABILITY`` (0.5) and ``WORKBENCH_RECUT_LANGUAGES`` (``en,ja,ko,zh``; codes
        separated by commas, empty for none)."""
        env = os.environ if environ is None else environ
        overrides: dict[str, object] = {}
        if env.get("WORKBENCH_CLIP_LEASE_S"):
            overrides["clip_lease"] = timedelta(seconds=max(1.0, float(env["WORKBENCH_CLIP_LEASE_S"])))
        if env.get("WORKBENCH_DRAFT_STALL_S"):
            overrides["draft_stall"] = timedelta(seconds=max(1.0, float(env["WORKBENCH_DRAFT_STALL_S"])))
        if env.get("WORKBENCH_CLIP_MAX_ATTEMPTS"):
            overrides["clip_max_attempts"] = max(1, int(env["WORKBENCH_CLIP_MAX_ATTEMPTS"]))
        if env.get("WORKBENCH_MAX_UPLOAD_MB"):
            overrides["max_upload_bytes"] = int(float(env["WORKBENCH_MAX_UPLOAD_MB"]) * 1024**2)
        if env.get("WORKBENCH_PENALTY_WON"):
            overrides["penalty_won"] = int(env["WORKBENCH_PENALTY_WON"])
        if env.get("WORKBENCH_MINIMUM_WAGES"):
            overrides["minimum_wages"] = merge_minimum_wages(cls.minimum_wages,
                                                             parse_minimum_wages(env["WORKBENCH_MINIMUM_WAGES"]))
        if "WORKBENCH_RECUT_LANGUAGES" in env:
            overrides["recut_languages"] = parse_languages(env["WORKBENCH_RECUT_LANGUAGES"])
        for name, field in (("WORKBENCH_DRAFT_CER_THRESHOLD", "draft_cer_threshold"),
                            ("WORKBENCH_DRAFT_LOW_PROBABILITY", "draft_low_probability")):
            if env.get(name):
                overrides[field] = min(1.0, max(0.0, float(env[name])))
        return cls(**overrides)

    @property
    def fewest_tasks_allowed(self) -> int:
        """The smallest ``max_tasks`` of any grade: holding fewer, anyone may claim."""
        return min((self.new_worker_max_tasks, *(band.max_tasks for band in self.grade_bands)))

    def grade_for(self, score: float | None) -> GradeBand:
        """The band for ``score``; ``None`` (too few reviewed segments) is the new-worker band."""
        if score is None:
            return GradeBand("new", 0.0, self.new_worker_max_tasks)
        return next(band for band in self.grade_bands if score >= band.min_score)


def parse_languages(text: str) -> tuple[str, ...]:
    """``en,ja`` to ``("en", "ja")``; SettingsError (a ValueError) on a code the workbench does
    not know: a typo must not silently turn a rule off."""
    from workbench.config import SettingsError
    from workbench.languages import LANGUAGES

    codes = tuple(code.strip() for code in text.replace(",", " ").split())
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        raise SettingsError(f"WORKBENCH_RECUT_LANGUAGES: {', '.join(unknown)} is not one of {', '.join(LANGUAGES)}")
    return codes


def parse_minimum_wages(text: str) -> tuple[tuple[date, int], ...]:
    """``2026-01-01=10320,2027-01-01=10600`` to ``((date, won), ...)``; ``ValueError`` on a
    malformed entry (a typo must not silently leave the old figure in force)."""
    wages = []
    for item in text.replace(",", " ").split():
        day, separator, won = item.partition("=")
        if not separator or not won.strip().isdigit():
            raise ValueError(f"WORKBENCH_MINIMUM_WAGES: {item!r} is not DATE=WON, like 2027-01-01=10600")
        wages.append((date.fromisoformat(day.strip()), int(won)))
    return tuple(wages)


def merge_minimum_wages(base: tuple[tuple[date, int], ...],
                        added: tuple[tuple[date, int], ...]) -> tuple[tuple[date, int], ...]:
    """``base`` with ``added``'s figures, a figure for the same day replacing the old one; by day."""
    return tuple(sorted((dict(base) | dict(added)).items()))
