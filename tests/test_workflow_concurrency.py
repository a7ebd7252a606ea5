"""Concurrency, with real threads on each backend (PostgreSQL is the multi-process
deployment): claims never share a task, one of two saves on the same base wins, one of
two reviewers starting the same task wins."""

import threading


from workbench.store import repo
from workbench.workflow.errors import InvalidTransition, NotFound, StaleVersion


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
