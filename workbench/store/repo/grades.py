"""The facts a grade is computed from: first-round decisions and penalties."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import Connection, Row, bindparam, func, select
from sqlalchemy.orm import Session

from workbench.store.models import Penalty, Task, Verdict


def first_round_decisions(session: Session, transcriber_id: int, limit: int) -> list[tuple[int, str]]:
    """``(segment_id, decision)`` for the transcriber's last ``limit`` reviewed segments,
    newest first, where the decision is the reviewer's final word in the segment's first
    review round (a reviewer who changed their mind within the round is not held against)."""
    rows = session.execute(_one_transcribers_decisions(), {"transcriber_id": transcriber_id, "limit": limit})
    return [(segment_id, decision) for _, segment_id, decision in rows]


def first_round_decisions_by_transcriber(session: Session, limit: int) -> dict[int, list[tuple[int, str]]]:
    """``first_round_decisions`` for every transcriber at once, computed by the database with
    window functions: one query however many workers and verdicts there are."""
    decisions: dict[int, list[tuple[int, str]]] = {}
    for transcriber, segment_id, decision in session.execute(_every_transcribers_decisions(), {"limit": limit}):
        decisions.setdefault(transcriber, []).append((segment_id, decision))
    return decisions


@functools.cache
def _one_transcribers_decisions():
    # Built once: every claim asks for the claimer's grade, and building this statement
    # cost more than running it.
    return _decisions_statement(Task.transcriber_id == bindparam("transcriber_id"))


@functools.cache
def _every_transcribers_decisions():
    return _decisions_statement(Task.transcriber_id.is_not(None))


def _decisions_statement(transcribers):
    """``(transcriber_id, segment_id, decision)`` of the ``:limit`` newest first-round
    decisions of each transcriber matched by ``transcribers``, newest first."""
    first_round = func.min(Verdict.review_round).over(partition_by=Verdict.segment_id)
    verdicts = (
        select(Task.transcriber_id.label("transcriber_id"), Verdict.segment_id, Verdict.review_round, Verdict.id,
               Verdict.decision, first_round.label("first_round"))
        .join(Task, Task.id == Verdict.task_id)
        .where(transcribers)
        .subquery()
    )
    # The last word in each segment's first round ...
    final = (
        select(verdicts.c.transcriber_id, verdicts.c.segment_id, verdicts.c.id, verdicts.c.decision,
               func.row_number().over(partition_by=verdicts.c.segment_id, order_by=verdicts.c.id.desc()).label("nth"))
        .where(verdicts.c.review_round == verdicts.c.first_round)
        .subquery()
    )
    # ... and of those, each transcriber's newest ``limit``.
    newest = (
        select(final.c.transcriber_id, final.c.segment_id, final.c.id, final.c.decision,
               func.row_number().over(partition_by=final.c.transcriber_id, order_by=final.c.id.desc()).label("rank"))
        .where(final.c.nth == 1)
        .subquery()
    )
    return (
        select(newest.c.transcriber_id, newest.c.segment_id, newest.c.decision)
        .where(newest.c.rank <= bindparam("limit"))
        .order_by(newest.c.transcriber_id, newest.c.id.desc())
    )


def penalties_of(session: Session, user_id: int) -> Sequence[Penalty]:
    return session.scalars(select(Penalty).where(Penalty.user_id == user_id).order_by(Penalty.id)).all()


def penalised_segments(session: Session | Connection, user_id: int) -> Sequence[Row]:
    """The user's penalties as rows of their ``segment_id`` (all a grade needs of them)."""
    return session.execute(select(Penalty.segment_id).where(Penalty.user_id == user_id).order_by(Penalty.id)).all()


def penalties_by_user(session: Session) -> dict[int, list[Penalty]]:
    grouped: dict[int, list[Penalty]] = {}
    for penalty in session.scalars(select(Penalty).order_by(Penalty.id)):
        grouped.setdefault(penalty.user_id, []).append(penalty)
    return grouped
