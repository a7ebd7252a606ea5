"""The pay rule of double transcription (workflow/double.py), as a property: each side is a
task of its own, paid once to the worker who did it; so however claims, releases and submits
interleave, the audio of a doubled clip is paid at most twice, never twice to one worker, and
no task is paid twice."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import SettableClock, add_admin, add_people, open_workbench, processed_clip, transcribe
from tests.listening import hear
from tests.test_double import Always, projects_table
from workbench.workflow.double import Double
from workbench.workflow.errors import WorkbenchError
from workbench.workflow.guidelines import GUIDELINES_DIR_ENV, guidelines_dir

WORKERS = ("tina", "tom", "bo")
STEPS = st.lists(st.tuples(st.sampled_from(("claim", "submit", "release")), st.sampled_from(WORKERS)),
                 min_size=1, max_size=12)


@settings(max_examples=12, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS, clips=st.integers(min_value=1, max_value=3))
def test_each_side_is_paid_once_and_no_worker_is_paid_twice_for_the_same_audio(tmp_path_factory, monkeypatch,
                                                                               steps, clips):
    from workbench.queue import RecordingQueue
    from workbench.store import pay_store

    folder = tmp_path_factory.mktemp("guidelines")
    shutil.copytree(guidelines_dir(), folder, dirs_exist_ok=True)
    (folder / "projects.toml").write_text(projects_table("double", {"acme": {"share": 0.5}}), encoding="utf-8")
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(folder))
    monkeypatch.setattr(Double, "double_random", Always(0.0))
    clock = SettableClock(datetime(2026, 3, 2, 4, 59, tzinfo=timezone.utc))
    wb = open_workbench(tmp_path_factory.mktemp("data"), clock=clock, queue=RecordingQueue())
    try:
        admin = add_admin(wb)
        people = add_people(wb, admin, {name: ({"transcriber", "reviewer"} if name == "bo" else {"transcriber"}, "ko")
                                        for name in WORKERS} | {"rita": ({"reviewer"}, "ko")})
        for n in range(clips):
            processed_clip(wb, admin, filename=f"clip-{n}.wav")
        for action, name in steps:
            held = wb.my_queue(people[name]).open
            try:
                if action == "claim":
                    wb.claim_next(people[name])
                elif held and action == "submit":
                    transcribe(wb, people[name], held[0].id)
                elif held:
                    wb.release_task(admin, held[0].id, reason="gone")
            except WorkbenchError:
                pass  # nothing offered, or the grade's limit: the interleaving goes on
        for name in WORKERS:  # whatever is still held is finished, then every submitted task accepted
            for task in wb.my_queue(people[name]).open:
                transcribe(wb, people[name], task.id)
        for task in wb.list_tasks(admin):
            if task.state == "submitted":
                hear(wb, people["rita"], wb.start_review(people["rita"], task.id).segments, clock)
                wb.accept_all_played(people["rita"], task.id)
                wb.finish_review(people["rita"], task.id)
        with wb.store.reading() as session:
            items = pay_store.work_items(session)
        by_task = Counter(item.task_id for item in items)
        assert all(count == 1 for count in by_task.values())
        by_audio = Counter((item.clip_name, item.user_id) for item in items)
        assert all(count == 1 for count in by_audio.values())  # never twice to one worker
        assert all(count <= 2 for count in Counter(item.clip_name for item in items).values())
    finally:
        wb.close()
