"""What the workflow answers with: task summaries, task and segment views, clip views.

``Views(ctx)`` turns rows into the frozen views of ``workflow.domain``, reading what a view
needs in a fixed handful of queries however many rows are shown. Every service that answers
with a view is handed the one ``Views`` of its ``Workbench``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from workbench.domain.states import EDITABLE, SegmentStatus
from workbench.drafts.model import DraftWord
from workbench.store import draft_queries, repo
from workbench.store.models import Clip, Segment, Task
from workbench.workflow import access, rows
from workbench.workflow.context import Service
from workbench.workflow.domain import Actor, ClipView, SegmentDraft, SegmentView, TaskSummary, TaskView
from workbench.workflow.guidelines import Problem, SegmentForCheck, check_segments
from workbench.workflow.listening import total


def segment_totals(segments: Iterable[Segment]) -> tuple[dict[str, int], float]:
    """``({status: count}, seconds)`` of live ``segments``, as ``repo.live_segment_totals``."""
    counts: dict[str, int] = {}
    seconds = 0.0
    for segment in segments:
        status = getattr(segment.status, "value", segment.status)
        counts[status] = counts.get(status, 0) + 1
        seconds += segment.end_s - segment.start_s
    return counts, seconds


def heard_share(spans: Iterable[tuple[float, float]], duration: float) -> float:
    """The share (0..1) of a segment of ``duration`` seconds that ``spans`` cover."""
    return min(1.0, total(spans) / duration) if duration > 0 else 0.0


def segment_draft(engine: str | None, text: str, words: str, *, untouched: bool) -> SegmentDraft:
    """A machine draft's view from its revision's ``engine`` and ``text`` and its words' JSON."""
    return SegmentDraft(engine=engine or "", text=text, words=tuple(DraftWord.from_dict(w) for w in json.loads(words)),
                        untouched=untouched)


class Views(Service):
    # --- views --------------------------------------------------------------------------

    def task_summaries(self, session, tasks: Sequence[Task], *,
                       live: dict[int, Sequence[Segment]] | None = None) -> list[TaskSummary]:
        """The tasks' summaries: their clips and people in one read, their live segments'
        counts and durations in another (or from ``live``, each task's live segments when
        the caller read them already), the reviewers' comments only of tasks that have any."""
        ids = [t.id for t in tasks]
        facts = repo.summary_rows(session, ids)
        if live is None:
            totals = repo.live_segment_totals(session, ids)
            comments = repo.returned_comments(session, [i for i in ids if totals[i][0].get(SegmentStatus.RETURNED)])
        else:
            totals = {i: segment_totals(live[i]) for i in ids}
            comments = {i: [(s.position, s.review_comment or "") for s in live[i] if s.status == SegmentStatus.RETURNED]
                        for i in ids}
        return [
            TaskSummary(
                id=t.id, clip_id=t.clip_id, clip_name=facts[t.id].filename,
                project=facts[t.id].project, language=t.language, state=t.state,
                priority=t.priority, transcriber=facts[t.id].transcriber, reviewer=facts[t.id].reviewer,
                counts=totals[t.id][0], duration=totals[t.id][1],
                returned_comments=tuple(comments.get(t.id, ())), segment_count=sum(totals[t.id][0].values()),
                review_round=t.review_round, claimed_at=t.claimed_at, submitted_at=t.submitted_at,
                completed_at=t.completed_at, clip_duration=facts[t.id].duration or 0.0,
            )
            for t in tasks
        ]

    def task_summary(self, session, task: Task) -> TaskSummary:
        return self.task_summaries(session, [task])[0]

    def segment_views(self, session, task: Task, segments: Sequence[Segment], *,
                       viewer: Actor | None = None, with_problems: bool = True,
                       project: str | None = None) -> list[SegmentView]:
        problems: dict[int, list[Problem]] = {s.id: [] for s in segments}
        if with_problems:
            for problem in self.check(session, task, segments, project=project):
                problems[problem.segment_id].append(problem)
        heard = repo.heard_spans(session, viewer.id, segments) if viewer is not None else {}
        shares = {s.id: heard_share(heard.get(s.id, ()), s.end_s - s.start_s) for s in segments}
        reviewed = repo.reviewed_texts(session, [s.id for s in segments])
        drafts = self.segment_drafts(session, task, segments)
        return [
            SegmentView(
                id=s.id, task_id=s.task_id, position=s.position, start=s.start_s, end=s.end_s,
                text=s.text, version=s.version, status=s.status, no_speech_reason=s.no_speech_reason,
                review_comment=s.review_comment, problems=tuple(problems[s.id]),
                heard=shares[s.id] >= self.policy.heard_share, heard_share=shares[s.id],
                reviewed_text=reviewed.get(s.id), draft=drafts.get(s.id),
            )
            for s in segments
        ]

    def segment_drafts(self, session, task: Task, segments: Sequence[Segment]) -> dict[int, SegmentDraft]:
        allowed = self.ctx.drafts_allowed
        if allowed is None:
            return {}
        drafts = draft_queries.drafts_of(session, [s.id for s in segments])
        # Asked only of segments that have a draft: a view of undrafted ones costs no lookup.
        shown = {s.id: s.version for s in segments if s.id in drafts and allowed(task, s)}
        return {
            segment_id: segment_draft(revision.engine, revision.text, words,
                                      untouched=revision.version == shown[segment_id])
            for segment_id, (revision, words) in drafts.items() if segment_id in shown
        }

    def row_view(self, row, **written) -> SegmentView:
        """The view of a segment read as one row of ``repo.segment_to_save``, with the columns
        just ``written`` (``text``, ``version``, ...) in place of the read ones: no further
        read, its machine draft included (read with it, shown by the rule ``segment_drafts``
        follows: ``drafts_allowed`` is asked with the row as task and segment)."""
        segment = {key: getattr(row, key) for key in ("text", "version", "status", "no_speech", "no_speech_reason")}
        segment.update(written)
        status = getattr(segment["status"], "value", segment["status"])
        problems = check_segments(row.language, [SegmentForCheck(
            segment_id=row.segment_id, position=row.position, text=segment["text"], duration=row.end_s - row.start_s,
            no_speech=segment["no_speech"])], project=row.project)
        return SegmentView(
            id=row.segment_id, task_id=row.id, position=row.position, start=row.start_s, end=row.end_s,
            text=segment["text"], version=segment["version"], status=status,
            no_speech_reason=segment["no_speech_reason"], review_comment=row.review_comment,
            problems=tuple(problems), reviewed_text=row.reviewed_text,
            draft=self._row_draft(row, segment["version"]),
        )

    def _row_draft(self, row, version: int) -> SegmentDraft | None:
        allowed = self.ctx.drafts_allowed
        if allowed is None or row.draft_words is None or not allowed(row, row):
            return None
        return segment_draft(row.draft_engine, row.draft_text, row.draft_words, untouched=row.draft_version == version)

    def segment_view(self, session, task: Task, segment: Segment, *, viewer: Actor | None = None) -> SegmentView:
        return self.segment_views(session, task, [segment], viewer=viewer)[0]

    @staticmethod
    def check(session, task: Task, segments: Iterable[Segment], *, project: str | None = None) -> list[Problem]:
        """The guideline problems of ``segments`` of ``task``, with its project's severities
        (``project``: the task's clip's, when the caller knows it)."""
        return check_segments(task.language, [
            SegmentForCheck(segment_id=s.id, position=s.position, text=s.text,
                            duration=s.end_s - s.start_s, no_speech=s.no_speech)
            for s in segments
        ], project=project if project is not None else rows.project_of(session, task))

    def clip_views(self, session, clips: Sequence[Clip]) -> list[ClipView]:
        tasks = repo.tasks_by_clip(session, [c.id for c in clips])
        counts = repo.live_segment_counts(session, [t.id for t in tasks.values()])
        reporters = repo.users_by_id(session, [c.language_report_by_id for c in clips if c.language_report_by_id])
        views = []
        for clip in clips:
            task = tasks.get(clip.id)
            views.append(ClipView(
                id=clip.id, filename=clip.filename, language=clip.language, project=clip.project,
                priority=clip.priority, status=clip.status, stage=clip.stage, percent=clip.percent,
                error=clip.error, duration=clip.duration, task_id=task.id if task else None,
                segment_count=sum(counts[task.id].values()) if task else 0, created_at=clip.created_at,
                report=json.loads(clip.report) if clip.report else {},
                draft_state=clip.draft_state, draft_done=clip.draft_done, draft_total=clip.draft_total,
                draft_note=clip.draft_note, withdrawn_at=clip.withdrawn_at, dismissed_at=clip.dismissed_at,
                language_report_by=(reporters[clip.language_report_by_id].username
                                    if clip.language_report_by_id else None),
                language_report_at=clip.language_report_at, task_state=task.state if task else None,
            ))
        return views

    def task_view(self, session, task: Task, viewer: Actor) -> TaskView:
        segments = repo.live_segments(session, task.id)
        summary = self.task_summaries(session, [task], live={task.id: segments})[0]
        return TaskView(task=summary,
                        segments=tuple(self.segment_views(session, task, segments, viewer=viewer,
                                                          project=summary.project)),
                        editable=task.transcriber_id == viewer.id and task.state in EDITABLE,
                        reviewing=access.holds(task, viewer))
