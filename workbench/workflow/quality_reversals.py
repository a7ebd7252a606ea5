"""A return reversed after its day was judged (workflow/quality.py's sweep calls this first).

A return a later review round accepts unchanged was wrong: it is no defect. When the day it
counted in is judged already, the day is judged again without it: its ``quality_checks`` row
loses the segment (``defect_ids``, ``checked``, ``defects``, ``rate``; audited
``quality.rejudged``), and every open warning or suspension of that worker, project and role
given for that day or a later one (whose window holds it) is judged again by
``quality_rules.rejudge_step`` with the figures as they now stand and the warnings that still
stand. A step that would not have fired is closed (``lifted_at`` set, by nobody, audited
``quality.reversed`` with the reversed segments and the day's new outcome, which its row now
records); a suspension that would only have been a warning is closed and a warning given in
its place; a step that still stands stays. A closed suspension no longer bars the worker from
the next claim on (the claim reads open steps). A step an admin lifted is left as it is.
Idempotent: a reversed segment leaves the day's ``defect_ids``, so the next sweep finds
nothing to do.

**The days a closed suspension muted.** While a suspension is open, the worker's days are
judged ``none`` whatever their figures. When a reversal closes one (or turns it into a
warning), the days judged ``none`` while it was open, and while no other suspension that
still stands was (one still open, or lifted by an admin after the day was judged:
``quality_rules.muted_by_reversed``), are judged again at once, oldest first, as if it had
never been given: with the figures as they now stand, the window's judged days before each,
and the warnings given for earlier days that stand (a warning given in the suspension's place
among them). A step they earn is given for that day (so a warning-level day after a
suspension turned into a warning is the second warning, and bars), the row records the
outcome and is stamped judged now (audited ``quality.rejudged`` with ``outcome`` and the
closed ``suspensions``), and a suspension one of them earns mutes the days after it, as it
would have then (those are judged again too, and stay ``none``). The stamp makes it happen
once: a day judged at or after a suspension's closing is not one it muted. A suspension an
admin lifted, or one that still stands, leaves its days as they are.

Limits. Reversals are looked for among returns given from the start of the Seoul day
``REVERSAL_DAYS`` (30) days before today on, and accepted since: an older return stays
counted, and the steps it counted in stand, even when a round accepts it unchanged today; a
muted day is judged again only when it is within the same 30 days. Only the transcriber's
rule: a reviewer's defects are overturned or failed acceptances, which no later round
reverses. Days judged before 0016_settle kept no ``defect_ids``; for them the segments named
by the day's own step stand in (a day that gave no step is left as it is, and so is such a
day a suspension muted). Not redone: the segments a closed suspension named stay named (a
later return of them counts for no step), and an ``unfixed_to_block`` suspension skipped
because the worker was suspended comes with the next unfixed mark, not at the closing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta

from workbench.store import quality_queries as qq
from workbench.store.quality_models import QualityAction
from workbench.workflow.quality_rules import (closed_by_reversal, day_bounds, muted_by_reversed, quality_settings,
                                              rate, rejudge_step, reversed_returns, seoul_day)

REVERSAL_DAYS = 30  # judged days this far back are judged again when a return of theirs is reversed


def undo_reversals(ctx, session, *, today: date, rules: tuple[str, ...], act, weigh) -> list[QualityAction]:
    """Judge again the days that counted a return reversed since, and the days a suspension
    closed for it had muted (module docstring); the steps given. ``act`` gives a step
    (``Quality._act``), ``weigh`` weighs a day's figures (``Quality._weigh``)."""
    since = (today - timedelta(days=REVERSAL_DAYS)).isoformat()
    found = qq.reversals_since(session, day_bounds(date.fromisoformat(since))[0])
    if not found:
        return []
    checks = qq.judged_defects(session, days={seoul_day(r.returned_at).isoformat() for r in found},
                               user_ids={u for r in found for u in r.users})
    legacy = _legacy_defects(session, since, rules) if any(c.defect_ids is None for c in checks) else {}
    counted = {c.id: set(json.loads(c.defect_ids)) if c.defect_ids is not None
               else legacy.get((c.user_id, c.project, c.role, c.day), set()) for c in checks}
    verdicts = defaultdict(list)
    for verdict in qq.verdicts_of(session, set().union(*counted.values())):
        verdicts[verdict.segment_id].append(verdict)
    first_day: dict[tuple[int, str, str], str] = {}
    gone_of: dict[tuple[int, str, str], set[int]] = defaultdict(set)
    for check in checks:
        start, end = day_bounds(date.fromisoformat(check.day))
        gone = reversed_returns([v for s in sorted(counted[check.id]) for v in verdicts[s]], start, end)
        gone &= counted[check.id]
        if not gone:
            continue
        check.checked, check.defects = check.checked - len(gone), check.defects - len(gone)
        check.rate, check.defect_ids = rate(check.defects, check.checked), json.dumps(sorted(counted[check.id] - gone))
        ctx.audit(session, None, "quality.rejudged", "user", check.user_id, project=check.project, role=check.role,
                  day=check.day, segments=sorted(gone), checked=check.checked, defects=check.defects)
        key = (check.user_id, check.project, check.role)
        first_day[key] = min(first_day.get(key, check.day), check.day)
        gone_of[key] |= gone
    session.flush()
    given = []
    for key in sorted(first_day):
        closed: list[QualityAction] = []
        given += _rejudge_steps(ctx, session, key, first_day[key], gone_of[key], rules, act, closed)
        given += _unmute(ctx, session, key, closed, since=since, act=act, weigh=weigh)
    return given


def _legacy_defects(session, since: str, rules) -> dict[tuple, set[int]]:
    """For days judged before 0016_settle: the segments each day's own step named."""
    return {(a.user_id, a.project, a.role, a.day): set(json.loads(a.segment_ids))
            for a in qq.steps_since(session, since, rules)}


def _rejudge_steps(ctx, session, key: tuple[int, str, str], first_day: str, gone: set[int], rules, act,
                   closed: list[QualityAction]) -> list[QualityAction]:
    """Judge again the open steps of ``key`` given for ``first_day`` or later; the warnings
    given in place of suspensions. The suspensions closed are added to ``closed``."""
    user_id, project, role = key
    settings = quality_settings(project)
    history = sorted((a for a in qq.actions(session, user_id=user_id, limit=10_000)
                      if (a.project, a.role) == (project, role)), key=lambda a: a.id)
    replaced: list[int] = []  # suspensions closed with a warning in their place
    given = []
    for step in history:
        if step.lifted_at is not None or step.rule not in rules or step.day is None or step.day < first_day:
            continue
        check = qq.check_of(session, user_id=user_id, project=project, role=role, day=step.day)
        if check is None:
            continue
        first = (date.fromisoformat(step.day) - timedelta(days=settings.window_days - 1)).isoformat()
        window_checked, window_defects = qq.window_totals(session, user_id=user_id, project=project, role=role,
                                                          first=first, last=step.day)
        earlier = sum(1 for a in history if a.kind == "warning" and a.id < step.id and _stood(a, step.created_at))
        earlier += sum(1 for suspension_id in replaced if suspension_id < step.id)
        fate = rejudge_step(settings, step.kind, checked=check.checked, defects=check.defects,
                            window_checked=window_checked, window_defects=window_defects, earlier_warnings=earlier)
        if fate.fate == "stands":
            continue
        step.lifted_at, step.lift_reason = ctx.now(), (
            "A later review reversed returns this step counted: segments " + ", ".join(map(str, sorted(gone))) + ".")
        check.outcome = fate.judgement.outcome  # the day's record says what it brings now
        ctx.audit(session, None, "quality.reversed", "user", user_id, project=project, role=role, action_id=step.id,
                  kind=step.kind, day=step.day, segments=sorted(gone), outcome=fate.judgement.outcome)
        if step.kind == "suspension":
            closed.append(step)
        if fate.fate == "warning":
            replaced.append(step.id)
            given.append(act(session, user_id, project, role, kind="warning", rule=fate.judgement.rule,
                             reason=fate.judgement.reason, day=step.day,
                             segment_ids=[s for s in json.loads(step.segment_ids) if s not in gone]))
    return given


def _unmute(ctx, session, key: tuple[int, str, str], closed: list[QualityAction], *, since: str, act,
            weigh) -> list[QualityAction]:
    """Judge again, oldest first and as if ``closed`` (suspensions a reversal closed just now)
    had never been given, the days of ``key`` from ``since`` on judged ``none`` only because
    one of them was open; the steps given. A suspension one of these days gives mutes the
    days after it, as it would have then."""
    if not closed:
        return []
    user_id, project, role = key
    history = [a for a in qq.actions(session, user_id=user_id, limit=10_000) if (a.project, a.role) == (project, role)]
    suspensions = [a for a in history if a.kind == "suspension"]
    closed_ids = {s.id for s in closed}
    muted = [c for c in qq.checks(session, role=role, since=since, user_id=user_id, project=project)
             if c.outcome == "none" and c.defect_ids is not None
             and muted_by_reversed(c.day, c.checked_at, suspensions, closed_ids)]
    given: list[QualityAction] = []
    for check in muted:
        judged_at, now = check.checked_at, ctx.now()
        warnings = sum(1 for a in history + given if a.kind == "warning" and a.day is not None
                       and a.day < check.day and _stood(a, judged_at))
        fresh, judgement, outcome = weigh(session, date.fromisoformat(check.day), key, check.checked,
                                          json.loads(check.defect_ids), open_warnings=warnings,
                                          suspended=any(a.kind == "suspension" for a in given))
        check.defects, check.defect_ids, check.outcome, check.checked_at = (len(fresh), json.dumps(sorted(fresh)),
                                                                            outcome, now)
        check.rate = rate(check.defects, check.checked)
        ctx.audit(session, None, "quality.rejudged", "user", user_id, project=project, role=role, day=check.day,
                  checked=check.checked, defects=check.defects, outcome=outcome, suspensions=sorted(closed_ids))
        if outcome in ("warning", "suspension"):
            given.append(act(session, user_id, project, role, kind=outcome, rule=judgement.rule,
                             reason=judgement.reason, day=check.day, segment_ids=fresh))
    return given


def _stood(warning: QualityAction, at) -> bool:
    """Whether ``warning`` was open at ``at`` and was not closed by a reversal since (an
    admin's lift after ``at`` leaves it counted, as it was then)."""
    return not closed_by_reversal(warning) and (warning.lifted_at is None or warning.lifted_at > at)
