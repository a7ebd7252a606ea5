"""Quality rules' queries (workflow/quality.py, workflow/reviewer_checks.py): the verdicts of a
day with what later rounds made of them, open suspensions, expired rework, senior checks.
Rows in, rows out; the rules themselves live in the workflow."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Integer, and_, bindparam, cast, exists, func, select
from sqlalchemy.orm import Session, aliased

from workbench.domain.states import TaskState
from workbench.store.gold_models import GoldScore
from workbench.store.models import Clip, Revision, Segment, Task, Verdict
from workbench.store.quality_models import QualityAction, QualityCheck, SeniorCheck, SeniorReviewer


@dataclass(frozen=True)
class Decision:
    """The last verdict a review round gave a segment: ``reversed`` when a later round
    accepted the same version unchanged (the return was wrong), ``transcriber_id`` the
    author of the text decided on."""

    verdict_id: int
    segment_id: int
    task_id: int
    project: str
    reviewer_id: int
    transcriber_id: int | None
    decision: str
    review_round: int
    at: datetime
    reversed: bool
    corrected: bool  # the reviewer's own revision is what was decided on


def decisions_between(session: Session, start: datetime, end: datetime) -> list[Decision]:
    """Every round's final verdict given in [start, end)."""
    touched = select(Verdict.segment_id).where(Verdict.created_at >= start, Verdict.created_at < end)
    rows = session.execute(
        select(Verdict, Clip.project, Task.transcriber_id).join(Task, Task.id == Verdict.task_id)
        .join(Clip, Clip.id == Task.clip_id).where(Verdict.segment_id.in_(touched)).order_by(Verdict.id)
    ).all()
    finals: dict[int, dict[int, tuple[Verdict, str, int | None]]] = {}  # segment -> round -> last verdict
    for verdict, project, holder in rows:
        finals.setdefault(verdict.segment_id, {})[verdict.review_round] = (verdict, project, holder)
    authors = _authors(session, touched)
    decided = []
    for segment_id, rounds in finals.items():
        for round_, (verdict, project, holder) in rounds.items():
            if start <= verdict.created_at < end:
                decided.append(_decision(verdict, project, holder, rounds, authors.get(segment_id, [])))
    return sorted(decided, key=lambda d: d.verdict_id)


def _decision(verdict: Verdict, project: str, holder: int | None, rounds: dict, authors: list) -> Decision:
    later = [v for r, (v, _, _) in rounds.items() if r > verdict.review_round]
    reversed_ = verdict.decision == "returned" and any(
        v.decision == "accepted" and v.segment_version == verdict.segment_version for v in later)
    author, corrected = _author_at(authors, verdict.segment_version)
    return Decision(verdict_id=verdict.id, segment_id=verdict.segment_id, task_id=verdict.task_id, project=project,
                    reviewer_id=verdict.reviewer_id, transcriber_id=author if author is not None else holder,
                    decision=verdict.decision, review_round=verdict.review_round, at=verdict.created_at,
                    reversed=reversed_, corrected=corrected)


def _authors(session: Session, segment_ids) -> dict[int, list[tuple[int, int | None, str]]]:
    """``{segment: [(version, author, role), ...]}`` of the segments ``segment_ids`` selects."""
    found: dict[int, list[tuple[int, int | None, str]]] = {}
    for segment_id, version, author, role in session.execute(
            select(Revision.segment_id, Revision.version, Revision.author_id, Revision.role)
            .where(Revision.segment_id.in_(segment_ids)).order_by(Revision.version)):
        found.setdefault(segment_id, []).append((version, author, role))
    return found


def _author_at(revisions: list[tuple[int, int | None, str]], version: int) -> tuple[int | None, bool]:
    """The transcriber who wrote the newest text at or before ``version``, and whether the
    version decided on is a reviewer's correction."""
    upto = [r for r in revisions if r[0] <= version]
    corrected = bool(upto) and upto[-1][2] == "reviewer"
    for _, author, role in reversed(upto):
        if role == "transcriber":
            return author, corrected
    return None, corrected


def gold_outcomes(session: Session, segment_ids: Iterable[int]) -> dict[int, bool]:
    """``{segment id: passed}`` of the scored gold segments among ``segment_ids``."""
    ids = list(segment_ids)
    if not ids:
        return {}
    return dict(session.execute(select(GoldScore.segment_id, GoldScore.passed).where(GoldScore.segment_id.in_(ids))).all())


def senior_decisions_between(session: Session, start: datetime, end: datetime) -> Sequence[SeniorCheck]:
    return session.scalars(select(SeniorCheck).where(SeniorCheck.decided_at >= start, SeniorCheck.decided_at < end)
                           .order_by(SeniorCheck.id)).all()


# --- checks and actions -----------------------------------------------------------------

def checked_days(session: Session, days: Iterable[str]) -> set[str]:
    """The days among ``days`` already judged."""
    wanted = list(days)
    if not wanted:
        return set()
    return set(session.scalars(select(QualityCheck.day).where(QualityCheck.day.in_(wanted)).distinct()))


def window_totals(session: Session, *, user_id: int, project: str, role: str, first: str, last: str) -> tuple[int, int]:
    """Checked and defective counts of the judged days from ``first`` to ``last``."""
    checked, defects = session.execute(
        select(func.coalesce(func.sum(QualityCheck.checked), 0), func.coalesce(func.sum(QualityCheck.defects), 0))
        .where(QualityCheck.user_id == user_id, QualityCheck.project == project, QualityCheck.role == role,
               QualityCheck.day >= first, QualityCheck.day <= last)).one()
    return int(checked), int(defects)


@dataclass(frozen=True)
class Reversal:
    """A return a later round accepted unchanged: the segment, when it was returned, and who
    may have been counted for it (the task's holder and the author of the version)."""

    segment_id: int
    returned_at: datetime
    users: frozenset[int]


def reversals_since(session: Session, since: datetime) -> list[Reversal]:
    """Returns given from ``since`` on that a later round accepted at the same version (on the
    ``verdicts.created_at`` index; few rows: a wrong return is rare). Whether each was the last
    verdict of its round is for ``quality_rules.reversed_returns`` to say."""
    returned, accepted = aliased(Verdict), aliased(Verdict)
    rows = session.execute(
        select(returned.segment_id, returned.created_at, Task.transcriber_id, Revision.author_id)
        .join(accepted, and_(accepted.segment_id == returned.segment_id, accepted.decision == "accepted",
                             accepted.review_round > returned.review_round,
                             accepted.segment_version == returned.segment_version))
        .join(Task, Task.id == returned.task_id)
        .outerjoin(Revision, and_(Revision.segment_id == returned.segment_id,
                                  Revision.version == returned.segment_version))
        .where(returned.decision == "returned", returned.created_at >= since, accepted.created_at >= since)
    ).all()
    return [Reversal(segment_id, at, frozenset(u for u in (holder, author) if u is not None))
            for segment_id, at, holder, author in rows]


def judged_defects(session: Session, *, days: Iterable[str], user_ids: Iterable[int],
                   role: str = "transcriber") -> Sequence[QualityCheck]:
    """The judged days ``days`` of ``user_ids`` that counted defects in ``role``, locked (they
    may be judged again without a reversed return)."""
    return session.scalars(select(QualityCheck).where(
        QualityCheck.day.in_(sorted(set(days))), QualityCheck.user_id.in_(sorted(set(user_ids))),
        QualityCheck.role == role, QualityCheck.defects > 0)
        .order_by(QualityCheck.day, QualityCheck.id).with_for_update()).all()


def check_of(session: Session, *, user_id: int, project: str, role: str, day: str) -> QualityCheck | None:
    return session.scalars(select(QualityCheck).where(QualityCheck.user_id == user_id, QualityCheck.project == project,
                                                      QualityCheck.role == role, QualityCheck.day == day)).first()


def steps_since(session: Session, since: str, rules: Sequence[str]) -> Sequence[QualityAction]:
    """The steps ``rules`` gave for days from ``since`` on, oldest first."""
    return session.scalars(select(QualityAction).where(QualityAction.day >= since, QualityAction.rule.in_(rules))
                           .order_by(QualityAction.id)).all()


def verdicts_of(session: Session, segment_ids: Iterable[int]) -> list[Verdict]:
    """Every verdict on ``segment_ids``, in the order given."""
    ids, found = sorted(set(segment_ids)), []
    for at in range(0, len(ids), 5000):  # within any backend's limit of bound parameters
        found += session.scalars(select(Verdict).where(Verdict.segment_id.in_(ids[at:at + 5000]))
                                 .order_by(Verdict.id)).all()
    return sorted(found, key=lambda v: v.id)


def open_actions(session: Session, *, user_id: int | None = None, project: str | None = None,
                 role: str | None = None, kinds: Sequence[str] | None = None) -> Sequence[QualityAction]:
    query = select(QualityAction).where(QualityAction.lifted_at.is_(None))
    if user_id is not None:
        query = query.where(QualityAction.user_id == user_id)
    if project is not None:
        query = query.where(QualityAction.project == project)
    if role is not None:
        query = query.where(QualityAction.role == role)
    if kinds is not None:
        query = query.where(QualityAction.kind.in_(kinds))
    return session.scalars(query.order_by(QualityAction.id)).all()


def actions(session: Session, *, user_id: int | None = None, limit: int = 500) -> Sequence[QualityAction]:
    query = select(QualityAction)
    if user_id is not None:
        query = query.where(QualityAction.user_id == user_id)
    return session.scalars(query.order_by(QualityAction.id.desc()).limit(limit)).all()


_SUSPENDED = (select(QualityAction.project)
              .where(QualityAction.user_id == bindparam("user_id"), QualityAction.lifted_at.is_(None),
                     QualityAction.kind == "suspension", QualityAction.role == bindparam("role")).distinct())


def suspended_projects(connection: Session | Connection, user_id: int, role: str) -> list[str]:
    """Projects ``user_id`` is barred from in ``role``: one read on the open-actions index."""
    return list(connection.scalars(_SUSPENDED, {"user_id": user_id, "role": role}))


def checks(session: Session, *, role: str, since: str | None = None, user_id: int | None = None,
           project: str | None = None) -> Sequence[QualityCheck]:
    query = select(QualityCheck).where(QualityCheck.role == role)
    if since is not None:
        query = query.where(QualityCheck.day >= since)
    if user_id is not None:
        query = query.where(QualityCheck.user_id == user_id)
    if project is not None:
        query = query.where(QualityCheck.project == project)
    return session.scalars(query.order_by(QualityCheck.day, QualityCheck.user_id, QualityCheck.project)).all()


# --- rework -------------------------------------------------------------------------------

def returned_tasks_since_before(session: Session, returned_before: datetime) -> list[tuple[Task, str, datetime]]:
    """Returned tasks (locked) whose latest return verdict is older than ``returned_before``:
    ``(task, project, returned at)``."""
    last_return = (select(Verdict.task_id, func.max(Verdict.created_at).label("at"))
                   .where(Verdict.decision == "returned").group_by(Verdict.task_id).subquery())
    rows = session.execute(
        select(Task, Clip.project, last_return.c.at).join(Clip, Clip.id == Task.clip_id)
        .join(last_return, last_return.c.task_id == Task.id)
        .where(Task.state == TaskState.RETURNED, last_return.c.at < returned_before)
        .order_by(Task.id).with_for_update(of=Task)
    ).all()
    return [(task, project, at) for task, project, at in rows]


# --- seniors --------------------------------------------------------------------------------

def is_senior(session: Session, user_id: int) -> bool:
    return session.get(SeniorReviewer, user_id) is not None


def seniors(session: Session) -> set[int]:
    return set(session.scalars(select(SeniorReviewer.user_id)))


def pending_senior_checks(session: Session, *, language: str, besides: int, limit: int = 200) -> Sequence[SeniorCheck]:
    """Undecided checks of ``language`` on verdicts that are not ``besides``'s own."""
    return session.scalars(select(SeniorCheck).where(SeniorCheck.language == language,
                                                     SeniorCheck.decided_at.is_(None),
                                                     SeniorCheck.reviewer_id != besides)
                           .order_by(SeniorCheck.id).limit(limit)).all()


def reviewer_check_counts(session: Session, reviewer_ids: Iterable[int] | None = None, *,
                          project: str | None = None) -> dict[tuple[int, str], tuple[int, int]]:
    """``{(reviewer, project): (checked verdicts, confirmed ones)}``: the senior checks decided
    on their verdicts, and their first-round acceptances of scored gold segments left as the
    transcriber wrote them (confirmed when the gold score passed), each in the project of its
    task (only ``project``'s when given)."""
    counts: dict[tuple[int, str], list[int]] = {}
    senior = (select(SeniorCheck.reviewer_id, SeniorCheck.project, func.count(),
                     func.coalesce(func.sum(cast(SeniorCheck.confirmed, Integer)), 0))
              .where(SeniorCheck.decided_at.is_not(None)).group_by(SeniorCheck.reviewer_id, SeniorCheck.project))
    corrected = exists().where(and_(Revision.segment_id == Verdict.segment_id,
                                    Revision.version == Verdict.segment_version, Revision.role == "reviewer"))
    gold = (select(Verdict.reviewer_id, Clip.project, func.count(),
                   func.coalesce(func.sum(cast(GoldScore.passed, Integer)), 0))
            .join(GoldScore, GoldScore.segment_id == Verdict.segment_id)
            .join(Task, Task.id == Verdict.task_id).join(Clip, Clip.id == Task.clip_id)
            .where(Verdict.decision == "accepted", Verdict.review_round == 1, ~corrected)
            .group_by(Verdict.reviewer_id, Clip.project))
    if reviewer_ids is not None:
        ids = list(reviewer_ids)
        senior = senior.where(SeniorCheck.reviewer_id.in_(ids))
        gold = gold.where(Verdict.reviewer_id.in_(ids))
    if project is not None:
        senior, gold = senior.where(SeniorCheck.project == project), gold.where(Clip.project == project)
    for query in (senior, gold):
        for reviewer, where, total, confirmed in session.execute(query):
            pair = counts.setdefault((reviewer, where), [0, 0])
            pair[0] += int(total)
            pair[1] += int(confirmed)
    return {key: (total, confirmed) for key, (total, confirmed) in counts.items()}


def held_reviews(session: Session, reviewer_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Task).where(
        Task.reviewer_id == reviewer_id, Task.state == TaskState.IN_REVIEW)) or 0


def last_verdicts(session: Session, task_id: int, review_round: int) -> dict[int, Verdict]:
    """``{segment id: its last verdict}`` of one review round of a task."""
    found: dict[int, Verdict] = {}
    for verdict in session.scalars(select(Verdict).where(Verdict.task_id == task_id,
                                                         Verdict.review_round == review_round).order_by(Verdict.id)):
        found[verdict.segment_id] = verdict
    return found


def neighbour_texts(session: Session, segment_ids: Iterable[int]) -> dict[int, tuple[str | None, str | None]]:
    """``{segment: (text of the live segment before it, of the one after)}`` in its task, in
    one statement (None at either end)."""
    ids = list(segment_ids)
    if not ids:
        return {}
    window = {"partition_by": Segment.task_id, "order_by": Segment.position}
    live = (select(Segment.id, func.lag(Segment.text).over(**window).label("before"),
                   func.lead(Segment.text).over(**window).label("after"))
            .where(Segment.task_id.in_(select(Segment.task_id).where(Segment.id.in_(ids))),
                   Segment.merged_into_id.is_(None))
            .subquery())
    found = session.execute(select(live.c.id, live.c.before, live.c.after).where(live.c.id.in_(ids)))
    return {segment_id: (before, after) for segment_id, before, after in found}


def corrected_texts(session: Session, verdict_ids: Iterable[int]) -> dict[int, str]:
    """``{verdict: the text the reviewer corrected}`` for the acceptances that came with a
    correction (the revision decided on is the reviewer's; the text it was based on)."""
    ids = list(verdict_ids)
    if not ids:
        return {}
    correction, base = aliased(Revision), aliased(Revision)
    return dict(session.execute(
        select(Verdict.id, base.text)
        .join(correction, and_(correction.segment_id == Verdict.segment_id,
                               correction.version == Verdict.segment_version, correction.role == "reviewer"))
        .join(base, and_(base.segment_id == correction.segment_id, base.version == correction.base_version))
        .where(Verdict.id.in_(ids))).all())


def segments_by_id(session: Session, segment_ids: Iterable[int]) -> Sequence[Segment]:
    ids = list(segment_ids)
    return session.scalars(select(Segment).where(Segment.id.in_(ids))).all() if ids else []
