"""The whole-clip timeline: moving a segment's boundary, and the waveform outline it is drawn on.

A boundary move is the transcriber's, on a segment they may still edit, and refused
(``InvalidInput``, nothing changes) when it would leave the clip, make the segment shorter
than ``MIN_SEGMENT`` or overlap a neighbour: neighbours are never moved along, so an accepted
one stays exactly as it was accepted. Each move is a ``boundary`` revision of the segment
(its text unchanged, so the history lists it) and a ``segment.boundary`` audit entry holding
the edge and the old and new time: the boundary's history. The span is the audio's version
(``SegmentView.media_version``), so a moved segment must be heard again in review.
"""

from __future__ import annotations

import json
from pathlib import Path

from workbench.store import repo
from workbench.store.models import Clip
from workbench.workflow import access, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor, SegmentView
from workbench.workflow.errors import InvalidInput, NotFound
from workbench.workflow.files import write_through_temp
from workbench.workflow.limits import checked_number, checked_version
from workbench.workflow.revisions import Revisions
from workbench.workflow.views import Views

EDGES = ("start", "end")
# Shortest a segment may become, in seconds (as a split's shortest piece).
MIN_SEGMENT = 0.1
# The page's nudge step (static/work/timeline.js sends a move per key press).
NUDGE_STEP = 0.05


def _at(seconds: float) -> str:
    return f"{seconds:.2f} s"


class Timeline(Service):
    def __init__(self, ctx: Context, *, views: Views, revisions: Revisions) -> None:
        super().__init__(ctx)
        self.views, self.revisions = views, revisions

    def move_boundary(self, actor: Actor, segment_id: int, edge: str, to: float, *,
                      base_version: int) -> SegmentView:
        """Move the ``edge`` ("start" or "end") of a segment to ``to`` seconds on the clip
        (kept to the millisecond), typed on ``base_version``: StaleVersion when the segment
        moved on since, unless this very move already went through (a retried request)."""
        if edge not in EDGES:
            raise InvalidInput(f"A boundary is the segment's start or end, not {str(edge)[:20]!r}.")
        to = round(checked_number(to, "boundary time"), 3)
        base_version = checked_version(base_version)
        with self.store.session() as session:
            user, segment, task = self.revisions.editable(session, actor, segment_id)
            if self.revisions.retried(session, user, task, segment, base_version, "boundary",
                             lambda _: getattr(segment, f"{edge}_s") == to):
                return self.views.segment_view(session, task, segment)
            old = (segment.start_s, segment.end_s)
            start, end = (to, old[1]) if edge == "start" else (old[0], to)
            if (start, end) == old:
                return self.views.segment_view(session, task, segment)
            self._check_span(session, task, segment, start, end)
            self.revisions.revise(session, user, task, segment, base_version, kind="boundary", text=segment.text,
                         no_speech=segment.no_speech, no_speech_reason=segment.no_speech_reason,
                         status=segment.status, start_s=start, end_s=end, audio_file=None,
                         detail={"edge": edge, "from": old[0] if edge == "start" else old[1], "to": to})
            return self.views.segment_view(session, task, segment)

    def _check_span(self, session, task, segment, start: float, end: float) -> None:
        clip = session.get(Clip, task.clip_id)
        if start < 0 or (clip.duration is not None and end > clip.duration):
            length = f"0-{clip.duration:.2f} s" if clip.duration is not None else "from 0 s"
            raise InvalidInput(f"Segment {segment.position} must stay within the clip ({length}).")
        if end - start < MIN_SEGMENT:
            raise InvalidInput(f"Segment {segment.position} would last {max(0.0, end - start):.2f} s; "
                               f"a segment lasts at least {MIN_SEGMENT} s.")
        live = repo.live_segments(session, task.id)
        previous = [s for s in live if s.position < segment.position]
        following = [s for s in live if s.position > segment.position]
        if previous and start < previous[-1].end_s:
            raise InvalidInput(f"Segment {segment.position} would overlap segment {previous[-1].position}, "
                               f"which ends at {_at(previous[-1].end_s)}.")
        if following and end > following[0].start_s:
            raise InvalidInput(f"Segment {segment.position} would overlap segment {following[0].position}, "
                               f"which starts at {_at(following[0].start_s)}.")

    def clip_peaks_path(self, actor: Actor, task_id: int) -> Path:
        """A JSON file ``{"duration": s, "per_second": n, "peaks": [...]}`` outlining the
        task's clean clip audio, computed once and kept under the data directory. Seen by
        whoever may view the task; it holds no audio, so it never counts as listening."""
        from workbench.audio.peaks import PEAKS_PER_SECOND, waveform_peaks

        with self.store.reading() as session:
            task = rows.task(session, task_id)
            access.may_view(access.current(session, actor), task)
            clip = rows.audible_clip(session, task)
            source = self.ctx.path(clip.output_dir) / "clean.flac"
        if not source.exists():
            raise NotFound(f"The clean audio of clip {clip.id} is missing.")
        target = self.data_dir / "cache" / "clips" / str(clip.id) / f"peaks-{PEAKS_PER_SECOND}.json"
        if not target.exists():
            duration, peaks = waveform_peaks(source)
            body = json.dumps({"duration": round(duration, 3), "per_second": PEAKS_PER_SECOND, "peaks": peaks},
                              separators=(",", ":"))
            target.parent.mkdir(parents=True, exist_ok=True)
            write_through_temp(target, lambda path: path.write_text(body, encoding="utf-8"))
        return target
