"""Applying a sentence hint (workflow/draft_guidance.py) for the transcriber: the server
works the hint out again from what is stored and runs it through the ordinary split or
merge, so every guard of those (role, ownership, task state, accepted segments, versions)
applies. Kept apart from transcribing.py so it stays one small block."""

from __future__ import annotations

from workbench.store import repo
from workbench.workflow.context import Context, Service
from workbench.workflow.revisions import Revisions
from workbench.workflow.views import Views
from workbench.workflow.domain import Actor, SegmentView
from workbench.workflow.draft_guidance import task_guidance
from workbench.workflow.errors import InvalidTransition, StaleVersion
from workbench.workflow.limits import checked_version


class SentenceHinting(Service):
    """Works the hint out and hands it to ``transcribing`` (its split or merge)."""

    def __init__(self, ctx: Context, *, views: Views, revisions: Revisions, transcribing) -> None:
        super().__init__(ctx)
        self.views, self.revisions, self.transcribing = views, revisions, transcribing

    def apply_sentence_hint(self, actor: Actor, segment_id: int, base_version: int) -> list[SegmentView]:
        """Apply the sentence hint the transcriber saw on ``segment_id`` at ``base_version``:
        the segments it leaves (two after a split, one after a merge). StaleVersion when the
        segment moved on since; InvalidTransition when no hint applies to it now."""
        base_version = checked_version(base_version)
        with self.store.session() as session:
            _, segment, task = self.revisions.editable(session, actor, segment_id)
            live = repo.live_segments(session, task.id)
            views = self.views.segment_views(session, task, live, with_problems=False)
            current = next(view for view in views if view.id == segment.id)
            if segment.version != base_version:
                raise StaleVersion(current)
            hint = task_guidance(task.language, views).hints.get(segment.id)
            position = segment.position
        if hint is None:
            raise InvalidTransition(f"No sentence hint applies to segment {position} now.")
        if hint.kind == "split":
            return self.transcribing.split_segment(actor, segment_id, hint.at, texts=hint.texts, base_version=base_version)
        return [self.transcribing.merge_with_next(actor, segment_id)]
