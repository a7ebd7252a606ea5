"""The drafts' switch: drafts turn off for a project and language while the rolling CER of
the engine's drafts of accepted segments is above ``policy.draft_cer_threshold``
(``switch_state``, which the drafting job asks first), and an admin can turn them on again
with a reason (``DraftSwitch.restart_drafts``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.domain.times import seoul_minute
from workbench.drafts.scoring import cer
from workbench.store import draft_queries, repo
from workbench.store.models import DraftRestart
from workbench.workflow import access
from workbench.workflow.context import Context, Service
from workbench.workflow.draft_engines import DraftEngines
from workbench.workflow.errors import InvalidInput, InvalidTransition
from workbench.workflow.limits import NAME, REASON, check_language, checked_text, required_text

NO_ENGINE = "No draft engine is chosen for this project and language."


@dataclass(frozen=True)
class SwitchState:
    """Whether drafts run for a project and language, and the figures behind it."""

    on: bool
    engine: str | None  # None: no engine is chosen there
    measured: int  # accepted segments the rolling CER is over
    cer: float | None
    reason: str


class DraftSwitch(Service):
    """The switch for admins. ``engines`` gives the drafting service's engines as they are now
    (the facade may replace them); ``queue_drafting`` is the drafting service's, for the
    clips switched off when drafts are turned on again."""

    def __init__(self, ctx: Context, *, engines: Callable[[], DraftEngines],
                 queue_drafting: Callable[[int], bool]) -> None:
        super().__init__(ctx)
        self._engines, self._queue_drafting = engines, queue_drafting

    @property
    def draft_engines(self) -> DraftEngines:
        return self._engines()

    def draft_switch(self, actor, project: str, language: str) -> SwitchState:
        """Whether drafts run for ``project`` and ``language`` now, and why (admin)."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            return engine_switch(session, self.policy, self.draft_engines, project, language)

    def restart_drafts(self, actor, project: str, language: str, *, reason: str) -> SwitchState:
        """Turn drafts on again for ``project`` and ``language`` after the switch turned them
        off (admin, with a reason kept in the audit log). The rolling draft CER starts afresh:
        it counts only drafts written from now on, so the switch judges again once enough of
        them are accepted. The clips switched off are queued for drafting again."""
        project = checked_text(project, "project", limit=NAME)
        check_language(language)
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why drafts are turned on again.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            if not any(c.project == project and c.language == language for c in repo.all_clips(session)):
                raise InvalidInput(f"No clip of project {project!r} is in {language}.")
            choice = self.draft_engines.choice_for(project, language)
            if choice is None:
                raise InvalidInput("No draft engine is chosen for this project and language "
                                   "(`workbench drafts set`): there is nothing to turn on.")
            state = switch_state(session, self.policy, project, language, self.draft_engines.backend(choice).engine_id)
            if state.on:
                raise InvalidTransition(f"Drafts are already on for {project} in {language}.")
            restart = DraftRestart(project=project, language=language, at=self.now(), by_id=admin.id, reason=reason)
            session.add(restart)
            session.flush()
            self._audit(session, admin.id, "drafts.restarted", "draft_restart", restart.id, project=project,
                        language=language, reason=reason, engine=state.engine,
                        cer=None if state.cer is None else round(state.cer, 4), measured=state.measured)
            switched_off = draft_queries.clips_switched_off(session, project, language)
        for clip_id in switched_off:
            self._queue_drafting(clip_id)
        return self.draft_switch(actor, project, language)


def engine_switch(session, policy, engines: DraftEngines, project: str, language: str) -> SwitchState:
    """``switch_state`` for the engine ``engines`` choose for ``project`` and ``language``;
    off, saying so, when none is chosen."""
    choice = engines.choice_for(project, language)
    if choice is None:
        return SwitchState(False, None, 0, None, NO_ENGINE)
    return switch_state(session, policy, project, language, engines.backend(choice).engine_id)


def switch_state(session, policy, project: str, language: str, engine: str) -> SwitchState:
    """Whether drafts by ``engine`` run for ``project`` and ``language``: on until the rolling
    CER of its drafts of accepted segments (from the latest restart on) passes the threshold."""
    restart = draft_queries.latest_restart(session, project, language)
    since = None if restart is None else restart.at
    pairs = draft_queries.drafts_measured(session, project=project, language=language, engine=engine,
                                          limit=policy.draft_cer_window, since=since)
    rate = draft_cer(pairs, language)
    measured = f"{engine}'s drafts of the last {len(pairs)} accepted {language} segments of {project}"
    if restart is not None:
        measured += f" since drafts were turned on again ({seoul_minute(restart.at)} Seoul time: {restart.reason})"
    if rate is None or len(pairs) < policy.draft_cer_min_segments:
        again = ("" if restart is None else
                 f" Turned on again by an admin {seoul_minute(restart.at)} Seoul time: {restart.reason}.")
        return SwitchState(True, engine, len(pairs), rate,
                           f"On: {len(pairs)} of the {policy.draft_cer_min_segments} accepted drafted segments "
                           f"needed to judge drafts are measured so far.{again}")
    if rate > policy.draft_cer_threshold:
        return SwitchState(False, engine, len(pairs), rate,
                           f"Off: {measured} have a CER of {rate:.1%}, above the {policy.draft_cer_threshold:.0%} "
                           "at which correcting a draft stops being faster than typing.")
    return SwitchState(True, engine, len(pairs), rate,
                       f"On: {measured} have a CER of {rate:.1%} (the switch is at "
                       f"{policy.draft_cer_threshold:.0%}).")


def draft_cer(pairs, language: str) -> float | None:
    """Pooled CER of ``(draft, accepted text)`` pairs; None when nothing can be scored."""
    if not pairs:
        return None
    try:
        return cer([final for _, final in pairs], [draft for draft, _ in pairs], language)
    except ValueError:
        return None
