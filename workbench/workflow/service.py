"""The ``Workbench`` facade: every action of the UI and the CLI goes through it.

Every method takes the acting user (``Actor``) first and checks role, language and
ownership itself, so the rules hold whatever the caller. Each call is one database
transaction: it either happens completely or changes nothing.

>>> wb = Workbench.open(data_dir=Path("/tmp/wb"), queue=queue)  # doctest: +SKIP
>>> admin = wb.create_user(None, username="admin", password="change-me!",
...                        name="Admin", roles={"admin"})        # doctest: +SKIP

The work is done by services composed over one ``Context`` (context.py): ``people``
(accounts, sign-in), ``applications``, ``grading``, ``sessions``, ``tasks`` (the admin's
task list, audit log, release, reassignment, throughput), ``clips`` (import and processing),
``lifecycle`` (withdraw, correct, dismiss, wrong language), ``drafting``, ``gold``, ``double``,
``transcribing``, ``review``, ``media`` and ``time_on_task``, with ``views`` and
``revisions`` as shared collaborators. Each public method of the facade is one line of
``DELEGATES`` below, forwarded to the service that does it; nothing else lives here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from workbench.config import Settings, prepare_data_dir
from workbench.store.db import Store
from workbench.workflow.applications import Applications
from workbench.workflow.clip_lifecycle import ClipLifecycle
from workbench.workflow.clips import Clips
from workbench.workflow.context import Clock, Context, utc_now
from workbench.workflow.double import Double
from workbench.workflow.drafting import DraftEngines, Drafting, drafts_allowed
from workbench.workflow.draft_switch import DraftSwitch
from workbench.workflow.gold import Gold
from workbench.workflow.grading import Grading
from workbench.workflow.hinting import SentenceHinting
from workbench.workflow.holdback import Holdback
from workbench.workflow.lost_jobs import LostJobs
from workbench.workflow.media import Media
from workbench.workflow.people import People
from workbench.workflow.policy import Policy
from workbench.workflow.quality import Quality
from workbench.workflow.review import Review
from workbench.workflow.reviewer_checks import ReviewerChecks
from workbench.workflow.revisions import Revisions
from workbench.workflow.sessions import Sessions
from workbench.workflow.tasks import Tasks
from workbench.workflow.time_on_task import TimeOnTask
from workbench.workflow.timeline import Timeline
from workbench.workflow.transcribing import Transcribing
from workbench.workflow.views import Views

# The facade's public methods, by the service that does them (the attribute of the
# ``Workbench`` holding it). Adding a method to a service makes it public here by one name.
DELEGATES: dict[str, tuple[type, tuple[str, ...]]] = {
    "people": (People, (
        "create_user", "actor", "first_admin", "authenticate", "set_language", "deactivate_user",
        "reactivate_user", "set_ui_language")),
    "applications": (Applications, (
        "submit_application", "list_applications", "pending_application_of", "application_document",
        "decide_application")),
    "grading": (Grading, ("list_workers", "worker_summary")),
    "sessions": (Sessions, ("open_session", "resolve_session", "session_actor", "close_session", "end_sessions")),
    "tasks": (Tasks, ("audit_log", "release_task", "list_tasks", "reassign_task", "worker_throughput")),
    "clips": (Clips, (
        "import_clip", "clip", "list_clips", "retry_clip", "process_clip", "recover_stalled_clips",
        "register_processed_clip")),
    "lost_jobs": (LostJobs, ("requeue_lost_jobs",)),
    "lifecycle": (ClipLifecycle, ("withdraw_clip", "correct_clip", "dismiss_clip", "send_back_wrong_language")),
    "drafting": (Drafting, ("redraft_clip", "draft_clip", "draft_evidence")),
    "switch": (DraftSwitch, ("draft_switch", "restart_drafts")),
    "hinting": (SentenceHinting, ("apply_sentence_hint",)),
    "gold": (Gold, ("mark_gold", "unmark_gold", "import_gold_clip", "gold_scores", "offer_gold_copy", "gold_copies")),
    "double": (Double, ("double_task", "double_agreements", "double_disputes", "resolve_double", "dispute_audio",
                        "record_dispute_audio_sent", "record_dispute_play")),
    "holdback": (Holdback, ("held_back_tasks", "holdback_shares")),
    "timeline": (Timeline, ("move_boundary", "clip_peaks_path")),
    "transcribing": (Transcribing, (
        "my_queue", "claim_next", "claim_next_id", "open_task", "save_text", "mark_no_speech", "split_segment",
        "merge_with_next", "check_task", "submit_task", "segment_history")),
    "review": (Review, (
        "review_queue", "start_review", "record_audio_sent", "record_play", "accept_segment", "return_segment",
        "accept_all_played", "finish_review")),
    "media": (Media, ("segment_audio", "segment_audio_path", "segment_spectrogram_path")),
    "time_on_task": (TimeOnTask, ("record_activity",)),
    "quality": (Quality, (
        "run_quality_rules", "expire_rework", "lift_suspension", "quality_actions", "my_quality_notices",
        "defect_rates")),
    "reviewer_checks": (ReviewerChecks, (
        "grant_senior", "revoke_senior", "senior_queue", "decide_senior_check", "check_audio",
        "record_check_audio_sent", "record_check_play", "reviewer_accuracy")),
}


class _Delegate:
    """``wb.name`` is ``wb.<service>.name``: the service's bound method, with its signature
    and docstring (``help(wb.save_text)`` shows the service's)."""

    def __init__(self, service: str, cls: type) -> None:
        self.service, self.cls = service, cls

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, wb, owner=None):
        if wb is None:  # the class's attribute: the service's function, for help() and inspect
            return getattr(self.cls, self.name)
        return getattr(getattr(wb, self.service), self.name)


class Workbench:
    """The workbench of one deployment: its database, data directory, clock, policy and queue.

    Public attributes other parts use: ``store`` (``.session()`` gives a transaction,
    ``.engine``), ``data_dir``, ``clock()`` (aware UTC now), ``policy``, ``queue``,
    ``draft_engines``, ``drafts_allowed``; and the services themselves (``wb.review``, …).
    """

    def __init__(self, *, store: Store, data_dir: Path, clock: Clock, policy: Policy, queue) -> None:
        self.ctx = ctx = Context(store=store, data_dir=data_dir, clock=clock, policy=policy, queue=queue,
                                 drafts_allowed=drafts_allowed)
        self.views = views = Views(ctx)
        self.revisions = revisions = Revisions(ctx, views=views)
        self.people = people = People(ctx)
        self.applications = Applications(ctx, people=people)
        self.grading = grading = Grading(ctx)
        self.sessions = Sessions(ctx)
        self.tasks = Tasks(ctx, views=views)
        self.drafting = drafting = Drafting(ctx, views=views)
        self.switch = DraftSwitch(ctx, engines=lambda: drafting.draft_engines, queue_drafting=drafting.queue_drafting)
        self.gold = gold = Gold(ctx, views=views)
        self.double = double = Double(ctx, revisions=revisions)
        self.holdback = holdback = Holdback(ctx)
        self.clips = Clips(ctx, views=views, queue_drafting=drafting.queue_drafting, mix_gold=gold.mix_gold,
                           mix_double=double.mix_double, mix_holdback=holdback.mix_holdback)
        self.lifecycle = ClipLifecycle(ctx, views=views)
        self.lost_jobs = LostJobs(ctx)
        self.quality = quality = Quality(ctx)
        self.reviewer_checks = reviewer_checks = ReviewerChecks(ctx)
        self.transcribing = transcribing = Transcribing(ctx, views=views, revisions=revisions, grading=grading,
                                                        gold=gold, double=double, quality=quality)
        self.hinting = SentenceHinting(ctx, views=views, revisions=revisions, transcribing=transcribing)
        self.timeline = Timeline(ctx, views=views, revisions=revisions)
        self.review = Review(ctx, views=views, revisions=revisions, checks=reviewer_checks, double=double)
        self.media = Media(ctx)
        self.time_on_task = TimeOnTask(ctx)

    @classmethod
    def open(cls, *, queue, database_url: str | None = None, data_dir: Path | str | None = None,
             clock: Clock | None = None, policy: Policy | None = None) -> "Workbench":
        """Open (and upgrade to the newest schema) the workbench, producing jobs on ``queue``.

        Defaults come from the environment: ``WORKBENCH_DATA_DIR``, and
        ``WORKBENCH_DATABASE_URL`` or else a SQLite file in the data directory. The queue is
        built outside the workflow and passed in: ``workbench.worker.open_queued`` opens one
        with the huey queue of the same settings (what the web app and the CLI use);
        ``worker.open_immediate`` one whose jobs run at once (scripts and tests).
        """
        settings = Settings.from_env(data_dir=data_dir)
        if database_url:
            settings = dataclasses.replace(settings, database_url=database_url)
        data_dir = settings.data_dir
        prepare_data_dir(data_dir)
        store = Store.open(settings.database_url)
        return cls(store=store, data_dir=data_dir, clock=clock or utc_now,
                   policy=policy or Policy.from_env(), queue=queue)

    def close(self) -> None:
        self.store.close()

    def now(self):
        return self.ctx.now()

    # The context, read and replaced through the facade (a replaced policy reaches every service).
    store = property(lambda self: self.ctx.store)
    data_dir = property(lambda self: self.ctx.data_dir)
    clock = property(lambda self: self.ctx.clock)
    queue = property(lambda self: self.ctx.queue)
    policy = property(lambda self: self.ctx.policy, lambda self, value: setattr(self.ctx, "policy", value))
    drafts_allowed = property(lambda self: self.ctx.drafts_allowed,
                              lambda self, value: setattr(self.ctx, "drafts_allowed", value))

    @property
    def draft_engines(self) -> DraftEngines:
        return self.drafting.draft_engines

    @draft_engines.setter
    def draft_engines(self, engines: DraftEngines) -> None:
        self.drafting.draft_engines = engines


for _service, (_cls, _names) in DELEGATES.items():
    for _name in _names:
        _delegate = _Delegate(_service, _cls)
        _delegate.__set_name__(Workbench, _name)
        setattr(Workbench, _name, _delegate)
