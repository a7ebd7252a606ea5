"""Transcribing: claim a task, save text as revisions, fix segment boundaries, submit."""

from __future__ import annotations

import unicodedata

from workbench.domain.states import SegmentStatus, TaskState, segment_may, segment_move, task_may, task_move
from workbench.languages import text_joiner
from workbench.store import repo
from workbench.store.models import Revision, Segment, Task
from workbench.workflow import access, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor, RevisionView, SegmentView, TaskSummary, TaskView, TranscriberQueue
from workbench.workflow.errors import (
    GuidelineViolation,
    InvalidInput,
    InvalidTransition,
    NotFound,
    StaleVersion,
    Worded,
)
from workbench.workflow.grading import Grading
from workbench.workflow.guidelines import Problem
from workbench.workflow.limits import (
    NOT_TEXT,
    REASON,
    SEGMENT_TEXT,
    checked_id,
    checked_int,
    checked_number,
    checked_text,
    checked_version,
    refused_text,
    required_text,
    too_long,
)
from workbench.workflow.revisions import Revisions
from workbench.workflow.views import Views

# Shortest piece a split may leave on either side, in seconds.
MIN_SPLIT_PIECE = 0.1
# The most characters one save may say were typed: a sentence typed over ten times.
MAX_TYPED_CHARS = 10 * SEGMENT_TEXT


def clean_text(text: str) -> str:
    """What is stored for a typed sentence: NFC, one line, no outer spaces."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def typed_text(value, what: str | Worded, *, limit: int) -> str:
    """``clean_text(value)``, refused (``InvalidInput``) unless it is text that fits ``limit``
    once cleaned and holds nothing unstorable (see ``limits``)."""
    if not isinstance(value, str):
        raise refused_text(NOT_TEXT, what)
    if len(value) > 4 * limit:  # no amount of spacing brings it under the limit: spare the cleaning
        raise too_long(what, len(value), limit)
    return checked_text(clean_text(value), what, limit=limit)


class Transcribing(Service):
    def __init__(self, ctx: Context, *, views: Views, revisions: Revisions, grading: Grading, gold=None,
                 double=None, quality=None) -> None:
        super().__init__(ctx)
        self.views, self.revisions, self.grading = views, revisions, grading
        self.gold = gold  # workflow/gold.py: no gold audio twice at a claim; a gold copy scored at submit
        self.double = double  # workflow/double.py: never both sides of a pair; texts kept at submit
        self.quality = quality  # workflow/quality.py: no task of a project the transcriber is barred from

    # --- queue and claims ---------------------------------------------------------------

    def my_queue(self, actor: Actor) -> TranscriberQueue:
        with self.store.reading() as session:
            user = access.require_role(session, actor, "transcriber",
                                       refusal="Only a transcriber has a work queue.")
            mine = repo.held_tasks(session, user.id)
            summaries = self.views.task_summaries(session, mine)
            grade, max_tasks = self.grading.max_tasks(session, user)
            available = repo.open_task_count(session, user.language) if user.language else 0
            return TranscriberQueue(
                returned=tuple(s for s in summaries if s.state == TaskState.RETURNED),
                open=tuple(s for s in summaries if s.state == TaskState.IN_PROGRESS),
                available=available,
                can_claim=user.status == "approved" and available > 0 and len(mine) < max_tasks,
                max_tasks=max_tasks, grade=grade,
            )

    def claim_next(self, actor: Actor) -> TaskSummary:
        """Take the highest-priority open task of the transcriber's language, as a summary
        (``claim_next_id`` is the same claim without one)."""
        task_id = self.claim_next_id(actor)
        with self.store.reading() as session:
            task = rows.task(session, task_id)
            access.may_view(access.current(session, actor), task)
            return self.views.task_summary(session, task)

    def claim_next_id(self, actor: Actor) -> int:
        """Take the highest-priority open task of the transcriber's language; its id.

        Raises NotFound when nothing is offered and InvalidTransition when the transcriber
        already holds as many tasks as their grade allows.
        """
        # Plain statements on one connection: every transcriber clicks this at the start of
        # their work, often all at once.
        with self.store.transaction() as connection:
            # Locking the person's row serialises one person's claims (two tabs), so the limit
            # cannot be overrun.
            user = access.may_work(repo.actor_row(connection, actor.id, lock=True), "transcriber")
            held = repo.held_task_count(connection, user.id)
            if held >= self.policy.fewest_tasks_allowed:  # below that, no grade refuses a claim
                grade, max_tasks = self.grading.max_tasks(connection, user)
                if held >= max_tasks:
                    raise InvalidTransition(f"You hold {held} task(s); grade {grade} allows {max_tasks} at once. "
                                            "Submit one first.")
            skip = self.gold.gold_to_skip(connection, user.id) if self.gold is not None else []
            if self.double is not None:
                skip = [*skip, *self.double.double_to_skip(connection, user.id)]
            barred = self.quality.suspended_projects(connection, user.id) if self.quality is not None else ()
            task_id = repo.claim_open_task(connection, language=user.language, user_id=user.id, now=self.now(),
                                           skip=skip, barred_projects=barred)
            if task_id is None:
                raise NotFound(f"No {user.language} task is waiting right now"
                               + (f" outside {', '.join(barred)}, which you are suspended from." if barred else "."))
            self._audit(connection, user.id, "task.claimed", "task", task_id, task_id=task_id)
            return task_id

    def open_task(self, actor: Actor, task_id: int) -> TaskView:
        """The task and its segments, for its transcriber (in any state), a reviewer of its
        language once submitted, or an admin. ``heard`` is the viewer's own."""
        with self.store.reading() as session:
            user = access.current(session, actor)
            task = rows.task(session, task_id)
            access.may_view(user, task)
            return self.views.task_view(session, task, user)

    # --- editing ------------------------------------------------------------------------

    def save_text(self, actor: Actor, segment_id: int, text: str, *, base_version: int,
                  typed_chars: int | None = None) -> SegmentView:
        """Save the sentence typed for a segment as a new revision.

        ``base_version`` is the version the text was typed on. If the segment has moved on
        since, StaleVersion (carrying the stored segment) is raised and nothing changes,
        unless this exact save already went through (a retried request): then the stored
        segment is returned without a second revision. ``typed_chars`` is the page's count of
        characters typed since the last save (the effort measure), kept with the revision.
        """
        text = typed_text(text, "segment text", limit=SEGMENT_TEXT)
        base_version = checked_version(base_version)
        if typed_chars is not None:
            typed_chars = checked_int(typed_chars, "typed character count", low=0, high=MAX_TYPED_CHARS)
        # Plain statements on one connection, as a claim: one read (the machine draft with the
        # segment), one versioned UPDATE, the revision and its audit entry
        # (tests/test_store_round_trips counts them). A stale save's StaleVersion carries the
        # stored segment, its draft included.
        with self.store.transaction() as connection:
            return self._save_on(connection, actor, segment_id, text, base_version, typed_chars)

    def _save_on(self, connection, actor: Actor, segment_id: int, text: str, base_version: int,
                 typed_chars: int | None) -> SegmentView:
        """``save_text``'s transaction."""
        user, row = self.revisions.editable_row(connection, actor, segment_id)
        stored = lambda: self.views.row_view(row)  # noqa: E731 - the segment as read
        if self.revisions.retried_row(connection, user, row, base_version, "save", lambda r: r.text == text, stored):
            return stored()
        if text == row.text and not row.no_speech and row.version > 0:
            return stored()
        status = segment_move(row.status, "save" if text else "clear").value
        if not repo.bump_version_row(connection, row.segment_id, base_version, text=text, no_speech=False,
                                     no_speech_reason=None, status=status):
            raise StaleVersion(self.views.row_view(repo.segment_to_save(connection, row.segment_id)))
        repo.add_revision(connection, segment_id=row.segment_id, version=base_version + 1, base_version=base_version,
                          text=text, no_speech=False, no_speech_reason=None, author_id=user.id, role="transcriber",
                          kind="save", typed_chars=typed_chars, created_at=self.now())
        self._audit(connection, user.id, "segment.save", "segment", row.segment_id, task_id=row.id,
                    version=base_version + 1)
        return self.views.row_view(row, text=text, version=base_version + 1, status=status, no_speech=False,
                                   no_speech_reason=None)

    def mark_no_speech(self, actor: Actor, segment_id: int, reason: str, *, base_version: int) -> SegmentView:
        """Mark a segment "no speech / unusable" with a reason (a new revision; the typed
        text stays in the history). Saving text later clears the mark."""
        reason = required_text(typed_text(reason, "no-speech reason", limit=REASON),
                               "Say why the segment has no usable speech.")
        base_version = checked_version(base_version)
        with self.store.session() as session:
            user, segment, task = self.revisions.editable(session, actor, segment_id)
            if self.revisions.retried(session, user, task, segment, base_version, "no_speech",
                             lambda r: r.no_speech_reason == reason):
                return self.views.segment_view(session, task, segment)
            if segment.no_speech and segment.no_speech_reason == reason:
                return self.views.segment_view(session, task, segment)
            self.revisions.revise(session, user, task, segment, base_version, kind="no_speech", text=segment.text,
                         no_speech=True, no_speech_reason=reason,
                         status=segment_move(segment.status, "mark_no_speech"))
            return self.views.segment_view(session, task, segment)

    def split_segment(self, actor: Actor, segment_id: int, at: float, *,
                      texts: tuple[str, str] | None = None, base_version: int | None = None) -> list[SegmentView]:
        """Split a segment at ``at`` (clip seconds) into two adjacent ones.

        The first keeps the id and history (a "split" revision records the change); the
        second is new. Later segments move one position down. Without ``texts`` the first
        keeps all the text and the second starts empty. With ``texts`` (the text before and
        after the caret, typed on ``base_version``) the first keeps the part before and the
        second starts with the part after, as a revision of its own; StaleVersion when the
        segment moved on since ``base_version``.
        """
        at = checked_number(at, "split point")
        if texts is not None:
            if not isinstance(texts, (tuple, list)) or len(texts) != 2:
                raise InvalidInput("A split takes two texts: before and after the caret.")
            before, after = (typed_text(part, "segment text", limit=SEGMENT_TEXT) for part in texts)
            base_version = checked_version(base_version)
        with self.store.session() as session:
            user, segment, task = self.revisions.editable(session, actor, segment_id)
            if not (segment.start_s + MIN_SPLIT_PIECE <= at <= segment.end_s - MIN_SPLIT_PIECE):
                raise InvalidInput(f"Split point {at:.2f} s must lie inside segment {segment.position} "
                                   f"({segment.start_s:.2f}-{segment.end_s:.2f} s) with at least "
                                   f"{MIN_SPLIT_PIECE} s on each side.")
            if texts is None:
                before, after, base_version, status = segment.text, "", segment.version, segment.status
            elif segment.version != base_version:
                raise StaleVersion(self.views.segment_view(session, task, segment))
            else:
                status = segment.status if before == segment.text else self._typed_status(segment, before)
            old_end, now = segment.end_s, self.now()
            self.revisions.shift_positions(session, task, after=segment.position, by=1)
            self.revisions.revise(session, user, task, segment, base_version, kind="split", text=before,
                         no_speech=segment.no_speech, no_speech_reason=segment.no_speech_reason,
                         status=status, end_s=at, audio_file=None, detail={"at": at})
            second = Segment(task_id=task.id, position=segment.position + 1, start_s=at, end_s=old_end,
                             status=SegmentStatus.TODO, text="", no_speech=False, version=0, return_count=0,
                             created_at=now)
            session.add(second)
            session.flush()
            self._audit(session, user.id, "segment.created_by_split", "segment", second.id, task_id=task.id,
                        from_segment=segment.id)
            if after:
                self.revisions.revise(session, user, task, second, 0, kind="split", text=after, no_speech=False,
                             no_speech_reason=None, status="saved", detail={"from_segment": segment.id})
            return self.views.segment_views(session, task, [segment, second])

    @staticmethod
    def _typed_status(segment: Segment, text: str) -> str:
        """A segment's status once ``text`` is typed into it (a no-speech mark stays)."""
        if segment.no_speech:
            return SegmentStatus.NO_SPEECH
        return segment_move(segment.status, "save" if text else "clear")

    def merge_with_next(self, actor: Actor, segment_id: int) -> SegmentView:
        """Merge a segment with the one after it: it grows to the neighbour's end and the two
        texts are joined. The neighbour is retired (``merged_into_id``), its history kept."""
        with self.store.session() as session:
            user, segment, task = self.revisions.editable(session, actor, segment_id)
            following = [s for s in repo.live_segments(session, task.id) if s.position > segment.position]
            if not following:
                raise InvalidInput(f"Segment {segment.position} is the last one; there is nothing to merge with.")
            neighbour = following[0]
            if not segment_may(neighbour.status, "merge_away"):
                raise InvalidTransition(f"Segment {neighbour.position} is already accepted and cannot change.")
            joiner = text_joiner(task.language)
            texts = [s.text for s in (segment, neighbour) if s.text]
            no_speech = segment.no_speech and neighbour.no_speech
            text = joiner.join(texts)
            if len(text) > SEGMENT_TEXT:
                raise InvalidInput(f"Merged, segments {segment.position} and {neighbour.position} would hold "
                                   f"{len(text):,} characters; a segment holds at most {SEGMENT_TEXT:,}.")
            neighbour_id, neighbour_position = neighbour.id, neighbour.position
            if not repo.bump_version(session, neighbour, neighbour.version, merged_into_id=segment.id,
                                     status=segment_move(neighbour.status, "merge_away")):
                raise StaleVersion(self.views.segment_view(session, task, neighbour))
            session.add(Revision(segment_id=neighbour.id, version=neighbour.version,
                                 base_version=neighbour.version - 1, text=neighbour.text,
                                 no_speech=neighbour.no_speech, no_speech_reason=neighbour.no_speech_reason,
                                 author_id=user.id, role="transcriber", kind="merge", created_at=self.now()))
            self.revisions.revise(session, user, task, segment, segment.version, kind="merge", text=text,
                         no_speech=no_speech, no_speech_reason=segment.no_speech_reason if no_speech else None,
                         status=segment_move(segment.status,
                                             "mark_no_speech" if no_speech else ("save" if text else "clear")),
                         end_s=neighbour.end_s, audio_file=None,
                         review_comment=segment.review_comment or neighbour.review_comment,
                         detail={"merged": neighbour_id})
            self.revisions.shift_positions(session, task, after=neighbour_position, by=-1)
            return self.views.segment_view(session, task, segment)

    # --- checks and submit --------------------------------------------------------------

    def check_task(self, actor: Actor, task_id: int) -> list[Problem]:
        """Every guideline problem of the task's live segments (errors and warnings)."""
        with self.store.reading() as session:
            user = access.current(session, actor)
            task = rows.task(session, task_id)
            access.may_view(user, task)
            return self.views.check(session, task, repo.live_segments(session, task.id))

    def submit_task(self, actor: Actor, task_id: int) -> list[Problem]:
        """Send the task to review. Guideline errors block it (GuidelineViolation lists
        them, nothing changes); the warnings are returned."""
        with self.store.session() as session:
            user = access.require_worker(session, actor, "transcriber")
            task = rows.task(session, task_id, lock=True)
            access.may_edit(user, task)
            if not task_may(task.state, "submit"):
                raise InvalidTransition(f"Task {task.id} is {task.state}; it cannot be submitted now.")
            segments = repo.live_segments(session, task.id)
            problems = self.views.check(session, task, segments)
            if any(p.severity == "error" for p in problems):
                raise GuidelineViolation(problems)
            for segment in segments:
                if segment_may(segment.status, "resubmit"):
                    # Resubmitted unchanged: the transcriber stands by the text.
                    segment.status = segment_move(segment.status,
                                                  "resubmit_no_speech" if segment.no_speech else "resubmit")
            old_state = task.state
            task.state, task.submitted_at = task_move(old_state, "submit"), self.now()
            self._audit(session, user.id, "task.submitted", "task", task.id, task_id=task.id,
                        old=old_state, warnings=len(problems))
            if self.gold is not None:
                self.gold.score_gold(session, user, task, segments)
            if self.double is not None:
                self.double.keep_double_texts(session, user, task, segments)
            return problems

    def segment_history(self, actor: Actor, segment_id: int):
        """Every revision of a segment, oldest first."""
        with self.store.reading() as session:
            user = access.current(session, actor)
            segment = repo.get_segment(session, checked_id(segment_id, "segment"))
            if segment is None:
                raise NotFound(f"No segment {segment_id}.")
            access.may_view(user, session.get(Task, segment.task_id))
            revisions = repo.revisions_of(session, segment.id)
            authors = repo.users_by_id(session, [r.author_id for r in revisions])
            return [RevisionView(version=r.version, text=r.text, no_speech=r.no_speech,
                                 no_speech_reason=r.no_speech_reason,
                                 author=authors[r.author_id].username if r.author_id is not None else r.engine,
                                 role=r.role, kind=r.kind, created_at=r.created_at) for r in revisions]
