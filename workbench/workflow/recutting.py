"""The drafting job re-cuts a task nobody has claimed yet by its drafts' sentences, before
anyone sees it: the sentence hints (workflow/draft_guidance.py) a transcriber would take one
by one are taken for them, so a segment whose draft holds two sentences is offered as two
and (in English) one whose draft stops mid-sentence just before the next is offered joined
to it.

Why: a draft's sentence-final marks and word times are the strongest sentence cue the
workbench has (issue 12; ``python3 bench/hints.py`` measures it), stronger than any pause
rule the segmenter can use. The cut is the segmenter's first guess; this is the second.

Only where it changes nothing anyone has seen or typed:

- the language is in ``policy.recut_languages`` (all four by default, each measured to help
  on the tuning clips, README "Re-cut by the drafts"); in a script without letter case only
  the splits are taken (``draft_recut.recut_kinds``), and a split only where the
  segment's audio pauses near it (``Drafted.pauses``), in the middle of that pause; in those
  three a segment is also split in the middle of each long pause it holds, whatever its draft
  says (``draft_recut.PAUSE_SPLIT``);
- the task is ``open`` (never claimed, or released) and an ordinary one: gold work keeps the
  reference's cut it is graded against, and both sides of a double transcription keep one cut
  between them. A held-back task (the drafts' control group) is re-cut like the others from
  drafts that are then thrown away, so both groups are offered the same cut;
- every segment involved is still version 0 (no text, no mark, no draft) and they follow one
  another with no other segment between them.

A re-cut segment keeps no audio file of its own (the page cuts it from the clean audio, as
after a transcriber's split) and the task's audit says what changed (``task.recut``: the
splits with their times, the merges, the engine). The drafts then stored are the pieces'
(their words divided or joined with the audio), so each piece's draft is an ordinary
untouched draft: the evidence, the flags and the page read it like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from workbench.domain.states import SegmentStatus, TaskState
from workbench.drafts.model import Draft
from workbench.store import double_queries, gold_queries
from workbench.store.models import Segment, Task
from workbench.workflow.draft_guidance import HintSegment
from workbench.workflow.draft_recut import Piece, recut
from workbench.workflow.revisions import Revisions


@dataclass(frozen=True)
class Drafted:
    """One segment's fresh draft, before it is stored: ``sounding`` when its audio has sound;
    ``pauses`` where it pauses (``audio.segment.pauses_within``), which a split needs: none
    known, no split."""

    segment: Segment
    draft: Draft
    sounding: bool
    pauses: tuple[tuple[float, float], ...] = ()


def untouched(segment: Segment) -> bool:
    """Version 0: no text, no mark, no draft, not merged away."""
    return (segment.version == 0 and not segment.text and not segment.no_speech
            and segment.merged_into_id is None)


def may_recut(task: Task, languages: tuple[str, ...]) -> bool:
    """Whether the drafting job may re-cut ``task`` now (see the module's rules)."""
    return (task.language in languages and task.state == TaskState.OPEN
            and not gold_queries.is_gold_task(task) and not double_queries.is_double_task(task))


def recut_task(session: Session, task: Task, drafted: list[Drafted], now: datetime) -> tuple[list[Drafted], dict]:
    """Re-cut ``task``'s segments in ``drafted`` (its locked rows, any order) by their drafts,
    and return the drafts to store, one per segment as it now stands, with what changed
    (``{"splits": [[segment id, new segment id, at], ...], "merges": [[id, retired id], ...]}``,
    empty lists when nothing did). A segment someone has touched comes back as it was (its
    draft will not be stored) and parts the runs around it. The caller checks ``may_recut``
    first and holds the task's lock, so nobody claims the task meanwhile."""
    drafted = sorted(drafted, key=lambda item: item.segment.position)
    changes: dict[str, list] = {"splits": [], "merges": []}
    runs, run, out = [], [], []
    for item in drafted:
        segment = item.segment
        if not untouched(segment):
            out.append(item)
            runs.append(run)
            run = []
            continue
        if run and run[-1].segment.position + 1 != segment.position:
            runs.append(run)
            run = []
        run.append(item)
    runs.append(run)
    for run in reversed([run for run in runs if run]):  # from the end: a position shift never moves a piece still to place
        pieces = recut(task.language,
                       [HintSegment(item.segment.id, item.segment.start_s, item.segment.end_s, item.draft.words,
                                    item.pauses)
                        for item in run],
                       [item.draft.text for item in run])
        by_id = {item.segment.id: item for item in run}
        out += [_place(session, task, piece, by_id, changes, now) for piece in reversed(pieces)]
    return out, changes


def _place(session: Session, task: Task, piece: Piece, by_id: dict[int, Drafted], changes: dict,
           now: datetime) -> Drafted:
    """Make the store hold ``piece`` and return its draft to store."""
    first = by_id[piece.sources[0]]
    segment = first.segment
    if piece.change == "kept":
        return first
    draft = replace(first.draft, text=piece.text, words=piece.words)
    if piece.change == "merged":
        merged = by_id[piece.sources[1]]
        neighbour = merged.segment
        neighbour.merged_into_id, neighbour.status, neighbour.audio_file = segment.id, SegmentStatus.MERGED, None
        session.flush()
        Revisions.shift_positions(session, task, after=neighbour.position, by=-1)
        segment.end_s, segment.audio_file = piece.end, None
        changes["merges"].insert(0, [segment.id, neighbour.id])
        return Drafted(segment, draft, first.sounding or merged.sounding)
    if piece.start == segment.start_s:  # the first half of a split keeps the row
        segment.end_s, segment.audio_file = piece.end, None
        session.flush()
        return Drafted(segment, draft, first.sounding)
    Revisions.shift_positions(session, task, after=segment.position, by=1)
    second = Segment(task_id=task.id, position=segment.position + 1, start_s=piece.start, end_s=piece.end,
                     status=SegmentStatus.TODO, text="", no_speech=False, version=0, return_count=0,
                     created_at=now)
    session.add(second)
    session.flush()
    changes["splits"].insert(0, [segment.id, second.id, piece.start])
    return Drafted(second, replace(draft, segment_id=str(second.id)), first.sounding)
