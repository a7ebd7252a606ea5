"""Concurrency, with real threads on each backend (PostgreSQL is the multi-process
deployment): claims never share a task, one of two saves on the same base wins, one of
two reviewers starting the same task wins."""

import threading

import sqlalchemy as sa

from workbench.store import repo
from tests.listening import hear
from workbench.workflow.errors import GuidelineViolation, InvalidTransition, NotFound, StaleVersion


def race(calls):
    """Run ``calls`` at the same instant in threads; each result or the error it raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_transcribers_claiming_at_once_never_share_a_task(wb, wb_people, wb_clip):
    crowd = [wb.create_user(wb_people.admin, username=f"typist{i}", password="quiet-lantern-57", name=f"Typist {i}",
                            roles={"transcriber"}, language="ko") for i in range(10)]
    tasks = {wb_clip(priority=p) for p in range(6)}
    results = race([lambda actor=actor: wb.claim_next(actor) for actor in crowd])
    claimed = [r.id for r in results if not isinstance(r, Exception)]
    assert sorted(claimed) == sorted(tasks)
    assert all(isinstance(r, NotFound) for r in results if isinstance(r, Exception))
    owners = {t.id: t.transcriber for t in wb.list_tasks(wb_people.admin)}
    assert len(set(owners.values())) == 6


def test_one_transcriber_in_two_tabs_cannot_exceed_the_limit(wb, wb_people, wb_clip):
    for priority in range(6):
        wb_clip(priority=priority)
    results = race([lambda: wb.claim_next(wb_people.tina) for _ in range(4)])
    assert sum(not isinstance(r, Exception) for r in results) == wb.my_queue(wb_people.tina).max_tasks
    assert all(isinstance(r, InvalidTransition) for r in results if isinstance(r, Exception))


def test_two_tabs_saving_on_the_same_version_exactly_one_wins(wb, wb_people, wb_clip):
    wb_clip()
    task_id = wb.claim_next(wb_people.tina).id
    segment = wb.open_task(wb_people.tina, task_id).segments[0]
    texts = ["첫째 탭의 글.", "둘째 탭의 글."]
    results = race([lambda text=text: wb.save_text(wb_people.tina, segment.id, text, base_version=0)
                    for text in texts])
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, StaleVersion)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].current.text == winners[0].text and winners[0].version == 1
    with wb.store.session() as session:
        assert [r.text for r in repo.revisions_of(session, segment.id)] == [winners[0].text]


def test_two_reviewers_starting_one_task_one_wins(wb, wb_people, wb_clip):
    wb_clip()
    task_id = wb.claim_next(wb_people.tina).id
    for segment, text in zip(wb.open_task(wb_people.tina, task_id).segments, ["안녕하세요.", "반갑습니다.", "네 좋아요."]):
        wb.save_text(wb_people.tina, segment.id, text, base_version=0)
    wb.submit_task(wb_people.tina, task_id)
    results = race([lambda: wb.start_review(wb_people.rita, task_id),
                    lambda: wb.start_review(wb_people.bo, task_id)])
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1 and isinstance(next(r for r in results if r not in winners), InvalidTransition)
    task = wb.open_task(wb_people.admin, task_id).task
    assert (task.state, task.reviewer, task.review_round) == ("in_review", winners[0].task.reviewer, 1)


# --- the guards themselves, without relying on how threads interleave -------------------
# On SQLite BEGIN IMMEDIATE runs racing writers one after another, so the thread tests above
# pass there even without the guards. These put the stale state in front of the guard
# deterministically, inside one transaction, on both backends.


def test_bump_version_refuses_a_stale_base_version(wb, wb_people, wb_clip):
    task_id = wb_clip()
    wb.claim_next(wb_people.tina)
    segment_id = wb.open_task(wb_people.tina, task_id).segments[0].id
    wb.save_text(wb_people.tina, segment_id, "첫째 탭의 글.", base_version=0)
    with wb.store.session() as session:
        segment = repo.get_segment(session, segment_id)
        assert repo.bump_version(session, segment, 0, text="옛 판의 글.") is False
        assert (segment.version, segment.text) == (1, "첫째 탭의 글.")
    with wb.store.transaction() as connection:  # the autosave's own guard, on a plain connection
        assert repo.bump_version_row(connection, segment_id, 0, text="옛 판의 글.") is False
        assert repo.segment_to_save(connection, segment_id).text == "첫째 탭의 글."


def test_claim_open_task_never_takes_a_task_claimed_between_its_pick_and_its_update(wb, wb_people, wb_clip):
    """Another claimer commits between this claimer's SELECT and its UPDATE (what READ
    COMMITTED allows on PostgreSQL): the UPDATE must find the task no longer open and move
    on to the next one, leaving the other claim alone."""
    first, second = wb_clip(priority=2), wb_clip(priority=1)
    tina, tom = wb_people.tina, wb_people.tom
    with wb.store.session() as session:
        connection = session.connection()
        meanwhile = []

        def tom_claims_first(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("UPDATE TASKS") and not meanwhile:
                meanwhile.append(statement)
                other = conn.connection.dbapi_connection.cursor()
                other.execute(f"UPDATE tasks SET state = 'in_progress', transcriber_id = {int(tom.id)} "
                              f"WHERE id = {int(first)}")
                other.close()

        sa.event.listen(connection, "before_cursor_execute", tom_claims_first)
        try:
            claimed = repo.claim_open_task(session, language="ko", user_id=tina.id, now=wb.now())
        finally:
            sa.event.remove(connection, "before_cursor_execute", tom_claims_first)
        assert meanwhile, "the claim never issued its UPDATE"
        assert claimed == second
        assert (repo.get_task(session, first).transcriber_id, repo.get_task(session, first).state) == (tom.id, "in_progress")


# --- save against submit: the task row is the lock both take --------------------------------

SAVE_VS_SUBMIT_TRIALS = 20


def typed_task(wb, wb_people, wb_clip, trial: int):
    """A new ko transcriber (one per trial) holding a new task with every segment typed:
    ``(typist, task_id, segments)``, each segment at version 1."""
    typist = wb.create_user(wb_people.admin, username=f"racer{trial}", password="quiet-lantern-57",
                            name=f"Racer {trial}", roles={"transcriber"}, language="ko")
    task_id = wb_clip(priority=-trial)
    assert wb.claim_next(typist).id == task_id
    segments = wb.open_task(typist, task_id).segments
    for segment, text in zip(segments, ["안녕하세요.", "반갑습니다.", "네 좋아요."]):
        wb.save_text(typist, segment.id, text, base_version=0)
    return typist, task_id, segments


def test_a_save_racing_a_submit_never_leaves_a_submitted_task_breaking_the_guidelines(wb, wb_people, wb_clip):
    """A save that empties a segment races the submit of its task, repeatedly. Either the
    save lands first (the submit then sees the empty segment and is refused) or the submit
    does (the save is then refused): never a submitted task with an empty segment. Before
    the save locked the task row, PostgreSQL let the save land after the submit had passed
    its guideline check in most trials."""
    broken = []
    for trial in range(SAVE_VS_SUBMIT_TRIALS):
        typist, task_id, segments = typed_task(wb, wb_people, wb_clip, trial)
        results = race([lambda: wb.save_text(typist, segments[1].id, "", base_version=1),
                        lambda: wb.submit_task(typist, task_id)])
        assert all(not isinstance(r, Exception) or isinstance(r, (InvalidTransition, GuidelineViolation))
                   for r in results), results
        view = wb.open_task(wb_people.admin, task_id)
        if view.task.state == "submitted" and any(not s.text for s in view.segments):
            broken.append(trial)
    assert broken == []


def test_a_return_racing_the_finish_of_a_review_never_leaves_a_complete_task_with_a_returned_segment(
        wb, wb_people, wb_clip, wb_clock):
    """The reviewer's twin of the race above: a return against the finish that has just
    counted every segment as accepted."""
    broken = []
    for trial in range(SAVE_VS_SUBMIT_TRIALS):
        typist, task_id, _ = typed_task(wb, wb_people, wb_clip, trial)
        wb.submit_task(typist, task_id)
        segments = wb.start_review(wb_people.rita, task_id).segments
        hear(wb, wb_people.rita, segments, wb_clock)
        for segment in segments:
            wb.accept_segment(wb_people.rita, segment.id)
        results = race([lambda: wb.return_segment(wb_people.rita, segments[0].id, "다시 들어 보세요."),
                        lambda: wb.finish_review(wb_people.rita, task_id)])
        assert all(not isinstance(r, Exception) or isinstance(r, InvalidTransition) for r in results), results
        view = wb.open_task(wb_people.admin, task_id)
        if view.task.state == "complete" and any(s.status != "accepted" for s in view.segments):
            broken.append(trial)
    assert broken == []
