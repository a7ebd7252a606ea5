"""The grade window computed by the database (window functions) is the rule in words.

The rule: for each of a transcriber's reviewed segments, the reviewer's last verdict in the
segment's first review round counts; the newest ``limit`` of those make the window. The
reference below walks the verdicts in Python; the store must agree with it on random review
histories, for one transcriber and for all at once, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from workbench.store import repo
from workbench.store.models import Segment, Task, Verdict

AT = datetime(2026, 3, 2, tzinfo=timezone.utc)


def reference_window(verdicts: list[tuple[int, int, int, str]], limit: int) -> list[tuple[int, str]]:
    """``verdicts`` as (id, segment_id, round, decision), in id order."""
    first_round: dict[int, tuple[int, int, str]] = {}
    for verdict_id, segment_id, review_round, decision in verdicts:
        known = first_round.get(segment_id)
        if known is None or known[0] == review_round:
            first_round[segment_id] = (review_round, verdict_id, decision)
    newest = sorted(first_round.items(), key=lambda item: item[1][1], reverse=True)[:limit]
    return [(segment_id, decision) for segment_id, (_, _, decision) in newest]


def random_history(wb, people, clip, rng: random.Random) -> dict[int, list[tuple[int, int, int, str]]]:
    """Three tasks split between tina and tom, each segment reviewed over 1-3 rounds with
    1-3 verdicts a round (a reviewer changing their mind); returns each transcriber's
    verdicts as the reference wants them."""
    task_ids = [clip(spans=[(float(i), i + 0.5) for i in range(12)], priority=p) for p in range(3)]
    owners = {task_ids[0]: people.tina.id, task_ids[1]: people.tom.id, task_ids[2]: people.tina.id}
    history: dict[int, list[tuple[int, int, int, str]]] = {people.tina.id: [], people.tom.id: []}
    with wb.store.session() as session:
        queues = []  # per segment, its verdicts in order: rounds only go up
        for task_id in task_ids:
            session.get(Task, task_id).transcriber_id = owners[task_id]
            for segment in session.query(Segment).filter(Segment.task_id == task_id):
                queues.append([(task_id, segment.id, review_round, rng.choice(["accepted", "returned"]))
                               for review_round in range(1, rng.randint(1, 3) + 1)
                               for _ in range(rng.randint(1, 3))])
        # Reviews of different segments and tasks interleave in time.
        while queues:
            queue = rng.choice(queues)
            task_id, segment_id, review_round, decision = queue.pop(0)
            if not queue:
                queues.remove(queue)
            row = Verdict(segment_id=segment_id, task_id=task_id, reviewer_id=people.rita.id, review_round=review_round,
                          decision=decision, comment=None, segment_version=1, created_at=AT)
            session.add(row)
            session.flush()
            history[owners[task_id]].append((row.id, segment_id, review_round, decision))
    return history


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("limit", [1, 7, 200])
def test_the_databases_grade_window_is_the_rule(wb, wb_people, wb_clip, seed, limit):
    history = random_history(wb, wb_people, wb_clip, random.Random(seed))
    with wb.store.reading() as session:
        everyone = repo.first_round_decisions_by_transcriber(session, limit)
        for user_id, verdicts in history.items():
            expected = reference_window(verdicts, limit)
            assert repo.first_round_decisions(session, user_id, limit) == expected
            assert everyone.get(user_id, []) == expected
        assert set(everyone) == set(history)
