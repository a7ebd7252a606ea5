"""Many transcribers pressing "Take the next task" at once, through the real server and
Gradio's queue API: every click gets its own task, none is given twice, and the handlers run
side by side (bench/claims.py measures how fast)."""

from __future__ import annotations

import asyncio
from collections import Counter

from bench.claims import claim_together, seed, served
from workbench.ui.server import create_app

USERS = 120


def test_simultaneous_claims_each_get_their_own_task(wb):
    usernames = seed(wb, USERS)
    with served(create_app(wb)) as base_url:
        claims = asyncio.run(claim_together(base_url, usernames))
    assert [claim.error for claim in claims if claim.task_id is None] == []
    assert len({claim.task_id for claim in claims}) == USERS
    # The store agrees: each transcriber holds exactly the task their page opened.
    held = {username: [task.id for task in wb.my_queue(wb.actor(username)).open] for username in usernames}
    assert held == {claim.username: [claim.task_id] for claim in claims}
    assert Counter(task for tasks in held.values() for task in tasks).most_common(1)[0][1] == 1
