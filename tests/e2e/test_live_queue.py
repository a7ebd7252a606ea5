"""The queue page stays live in real Chromium (ui/queue_page.py, static/work/queue.js): a task
the reviewer returns shows up on the transcriber's open /work page within the poll interval,
without a reload or a click; a hidden tab does not poll, and showing it again reads at once."""

from __future__ import annotations

from tests.builders import PASSWORD
from workbench.ui.queue_page import POLL_SECONDS

QUEUE_API = "/api/work/queue"


def submitted_task(store, own_tasks):
    """A transcriber of this test holding one typed and submitted task, and a reviewer."""
    me, [task_id] = own_tasks("live", "e2e-live", priority=940)
    for segment in store.open_task(me, task_id).segments:
        store.save_text(me, segment.id, "네 맞아요.", base_version=segment.version)
    store.submit_task(me, task_id)
    reviewer = store.create_user(store.actor("admin"), username=f"{me.username}-r", password=PASSWORD, name="r",
                                 roles={"reviewer"}, language="ko")
    return me, reviewer, task_id


def set_visibility(page, state: str) -> None:
    page.evaluate("""(state) => {
        Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
    }""", state)


def test_a_task_the_reviewer_returns_appears_on_the_open_queue_page_by_itself(new_page, login, store, own_tasks):
    me, reviewer, task_id = submitted_task(store, own_tasks)
    page = new_page()
    login(page, me.username, PASSWORD, gradio=False)
    page.locator("#offer").filter(has_not_text="Loading").wait_for()
    assert page.locator(f'#my-tasks li[data-task="{task_id}"]').count() == 0  # submitted: not held
    page.evaluate("window.notReloaded = true")

    for segment in store.start_review(reviewer, task_id).segments:
        store.return_segment(reviewer, segment.id, "다시 들어 보세요.")
    store.finish_review(reviewer, task_id)

    returned = page.locator(f'#my-tasks li.returned[data-task="{task_id}"]')
    returned.wait_for(timeout=(POLL_SECONDS + 8) * 1000)
    assert "다시 들어 보세요." in returned.inner_text()
    page.locator("#banner").get_by_text("1 task(s) came back from review").wait_for()
    assert page.evaluate("window.notReloaded") is True


def test_a_hidden_queue_page_does_not_poll_and_reads_at_once_when_shown(new_page, login, store, own_tasks):
    me, _, _ = submitted_task(store, own_tasks)
    page = new_page()
    page.clock.install()
    login(page, me.username, PASSWORD, gradio=False)
    page.locator("#offer").filter(has_not_text="Loading").wait_for()
    polls = []
    page.on("request", lambda request: polls.append(request.url) if request.url.endswith(QUEUE_API) else None)

    page.clock.run_for(POLL_SECONDS * 1000 + 500)
    page.wait_for_function("() => true")  # let the poll's request go out
    page.wait_for_timeout(300)
    assert len(polls) == 1, "a visible page polls once per interval"

    set_visibility(page, "hidden")
    polls.clear()
    page.clock.run_for(5 * POLL_SECONDS * 1000)
    page.wait_for_timeout(300)
    assert polls == [], "a hidden page does not poll"

    set_visibility(page, "visible")
    page.wait_for_timeout(300)
    assert len(polls) == 1, "showing the page again reads the queue at once"
