"""Properties of the quality rules (workflow/quality.py): a suspended worker is never offered
work in that project, and the rules never fire twice for a day or a segment, nor on work a
later review reversed, however often and in whatever order the check runs."""

from __future__ import annotations

import json

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import processed_clip
from tests.quality_support import quality_rules, resubmit_unchanged, reviewed_task  # noqa: F401 (fixture)
from workbench.store.quality_models import QualityAction, QualityCheck
from workbench.workflow.errors import NotFound

PROJECTS = ("acme", "beta", "gamma")
PROPERTY = settings(max_examples=15, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def suspend(wb, user_id: int, projects) -> list[int]:
    """Open suspensions of ``user_id`` in ``projects``, written as the daily check writes them
    (running the check for each example would take minutes); lifted through the Workbench."""
    with wb.store.session() as session:
        rows = [QualityAction(user_id=user_id, project=p, role="transcriber", kind="suspension", rule="instant_rate",
                              reason="test", segment_ids="[]", created_at=wb.now()) for p in projects]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


@PROPERTY
@given(clips=st.lists(st.tuples(st.sampled_from(PROJECTS), st.integers(0, 9)), min_size=1, max_size=5),
       barred=st.sets(st.sampled_from(PROJECTS)))
def test_a_suspended_worker_is_never_offered_work_in_that_project(wb, wb_people, clips, barred):
    admin, tina = wb_people.admin, wb_people.tina
    for project, priority in clips:
        processed_clip(wb, admin, filename=f"{project}.wav", project=project, priority=priority)
    suspensions = suspend(wb, tina.id, barred)
    open_now = {t.id: t for t in wb.list_tasks(admin, state="open")}
    eligible = [t for t in open_now.values() if t.project not in barred]
    try:
        claimed = wb.claim_next(tina)
    except NotFound:
        assert eligible == []
    else:
        assert claimed.project not in barred
        assert claimed.priority == max(t.priority for t in eligible)
        wb.release_task(admin, claimed.id, reason="next example")
    for suspension in suspensions:
        wb.lift_suspension(admin, suspension, reason="next example")


def test_rules_never_fire_twice_nor_on_reversed_work_however_the_check_runs(wb, wb_people, quality_rules):
    quality_rules()
    people = wb_people
    reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)
    reversed_task, reversed_segments = reviewed_task(wb, people.admin, people.tom, people.rita, returns=3)
    resubmit_unchanged(wb, people.tom, people.rita, reversed_task)
    wb.clock.advance(days=1)
    reviewed_task(wb, people.admin, people.tina, people.rita, returns=1)

    @PROPERTY
    @given(steps=st.lists(st.tuples(st.integers(0, 40), st.sampled_from([None, 1, 2, 3])), min_size=1, max_size=6))
    def runs(steps):
        for hours, days_back in steps:
            wb.clock.advance(hours=hours)
            today = wb.clock.now.date()
            day = None if days_back is None else today.fromordinal(today.toordinal() - days_back)
            try:
                wb.run_quality_rules(people.admin, day=day)
            except Exception as error:  # a day not over yet in Seoul is refused, nothing else
                assert "over" in str(error), error
        with wb.store.engine.connect() as conn:
            days = conn.execute(sa.select(QualityCheck.user_id, QualityCheck.project, QualityCheck.role,
                                          QualityCheck.day)).all()
            named = [s for (ids,) in conn.execute(sa.select(QualityAction.segment_ids)) for s in json.loads(ids)]
            fired = conn.execute(sa.select(QualityAction.user_id, QualityAction.day)).all()
        assert len(days) == len(set(days))
        assert len(named) == len(set(named))
        assert not set(named) & set(reversed_segments)
        assert len(fired) == len(set(fired)) and people.tom.id not in {user for user, _ in fired}

    runs()
