"""The draft holdback: a share of a project's ordinary tasks is served without machine drafts.

Gold copies (gold.py) and both sides of a double transcription (double.py) are never drafted:
a draft would give a gold answer away, or make two texts agree. In a project with drafts on
they would then be exactly the tasks without drafts, and a worker could tell gold apart. So
each new ordinary task is *held back* from drafts with the project's holdback share, drawn
once, when the task is made, from the operating system's randomness, and stored
(``draft_holdbacks``); it is never drawn again. A held-back task is an ordinary task in every
other way: it is offered, paid, reviewed and exported as any, and its page and JSON look
exactly like a gold copy's (no draft, drafts' fields empty in the same way).

- **Share.** ``[holdback."<project>"] share`` in ``guidelines/projects.toml`` (0 to 0.5).
  By default it is the project's gold rate plus its double share, and at least ``FLOOR``
  (0.05), so an undrafted task is at least as likely to be an ordinary one as gold or a
  double side. A share set below the gold rate plus the double share is refused
  (ProjectSettingsError, naming the file and the figures): gold would stand out again.
- **Every project.** The draw is made for every ordinary task, whether drafts are on for its
  project and language now or not: a project whose drafts are turned on later already has
  its held-back tasks. A task doubled as it is made is not drawn (it is undrafted anyway).
- **Not drafted in the background.** A draft is version 1 of its segment and fills its text
  (drafting.py), so a hidden draft would need a second store beside the revisions, and every
  door (task JSON, page, review, history, export) would have to leave it out: each a new way
  to leak what this exists to hide. The held-back tasks are a random sample of the same
  project, language and weeks as the drafted ones, so they compare like with like as they
  are; what is lost is only the draft CER on text typed without a draft.
- **Shown.** ``holdback_shares`` (admin; ``workbench drafts show`` prints it) gives every
  project's effective share with the figures it comes from, or why the project's tables
  are refused.
- **Control group.** The drafts' evidence (``drafts.evidence``) counts a segment as held back
  when its task is held back *and* its clip's drafting ran (drafts were on there): typing
  effort and active time per audio minute, drafted against held back, give the effort saved.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from workbench.store import double_queries, draft_queries
from workbench.store.models import Clip, DraftHoldback, Task
from workbench.workflow import access
from workbench.workflow.context import Service
from workbench.workflow.domain import Actor
from workbench.workflow.double_rules import double_settings
from workbench.workflow.gold_rules import ProjectSettingsError, gold_settings, project_settings

MAX_SHARE = 0.5
FLOOR = 0.05


@dataclass(frozen=True)
class HoldbackSettings:
    """``[holdback."<project>"]``: ``share`` of the ordinary tasks held back (None: the default)."""

    share: float | None = None


@dataclass(frozen=True)
class ProjectHoldback:
    """One project's holdback: the effective ``share``, the gold rate and double share it must
    cover, whether it is set in ``projects.toml`` (else the default); or ``refusal``, why the
    project's tables are refused (then no task of it can be recorded; ``share`` is None)."""

    project: str
    share: float | None
    gold_rate: float = 0.0
    double_share: float = 0.0
    configured: bool = False
    refusal: str | None = None


def project_holdback(project: str) -> ProjectHoldback:
    """``project``'s holdback as ``holdback_share`` works it out, with its figures."""
    try:
        share = holdback_share(project)
        return ProjectHoldback(project, share, gold_settings(project).rate, double_settings(project).share,
                               configured=_configured(project) is not None)
    except ProjectSettingsError as error:
        return ProjectHoldback(project, None, refusal=str(error))


def _configured(project: str) -> float | None:
    return project_settings("holdback", project, HoldbackSettings, {"share": MAX_SHARE}).share


def holdback_share(project: str) -> float:
    """The chance that a new ordinary task of ``project`` is held back from drafts (module
    docstring). ProjectSettingsError for a malformed table or a share below gold's and double's."""
    configured = _configured(project)
    least = min(MAX_SHARE, gold_settings(project).rate + double_settings(project).share)
    if configured is None:
        return max(FLOOR, least)
    if configured < least:
        raise ProjectSettingsError(
            f"guidelines/projects.toml: holdback share of {project!r} is {configured}, below the project's gold "
            f"rate plus double share ({least:g}): gold copies and double sides, never drafted, would stand out "
            "as the tasks without drafts. Raise the share or leave it out (the default is that sum, at least "
            f"{FLOOR:g}).")
    return float(configured)


def settings_refusal(project: str) -> str | None:
    """Why no new ordinary task of ``project`` can be recorded: a malformed ``[gold]``,
    ``[double]`` or ``[holdback]`` table (``holdback_share`` reads all three); None if none is."""
    try:
        holdback_share(project)
    except ProjectSettingsError as error:
        return str(error)
    return None


class Holdback(Service):
    """Drawing and listing held-back tasks. Its seam: ``mix_holdback`` (Clips, after an
    ordinary task is recorded, gold and double mixed in); ``drafting.drafts_allowed`` asks
    ``draft_queries.is_held_back``."""

    # The system's randomness, so no seed or clock predicts a draw (tests replace it).
    holdback_random: ClassVar[random.Random] = random.SystemRandom()

    def mix_holdback(self, session, clip: Clip, task: Task, *, actor_id: int | None = None) -> None:
        """Perhaps hold the new ordinary task ``task`` of ``clip`` back from drafts."""
        share = holdback_share(clip.project)
        if share <= 0 or double_queries.is_double_task(task) or self.holdback_random.random() >= share:
            return
        session.add(DraftHoldback(task_id=task.id, created_at=self.now()))
        session.info.setdefault("held_back_tasks", {})[task.id] = True
        # Filed under no task: the task's own log reads like any task's.
        self._audit(session, actor_id, "drafts.held_back", "task", task.id, project=clip.project, share=share)

    def holdback_shares(self, actor: Actor) -> list[ProjectHoldback]:
        """Every project with clips, by name, with its holdback (``project_holdback``; admin)."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            projects = draft_queries.clip_projects(session)
        return [project_holdback(project) for project in projects]

    def held_back_tasks(self, actor: Actor) -> list[int]:
        """Every held-back task's id, oldest first (admin)."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            return draft_queries.held_back_tasks(session)
