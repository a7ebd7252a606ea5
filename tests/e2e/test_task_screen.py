"""The admin's Tasks tab in real Chromium: the task list with its clip minutes, and a task
given to another transcriber from the page (not only from the CLI)."""

from __future__ import annotations

from tests.builders import PASSWORD


def test_the_task_screen_lists_a_held_task_and_reassigns_it_from_the_page(
        new_page, login, store, own_tasks, workbench_app):
    me, [task_id] = own_tasks("e2e", "e2e-task-screen", priority=1300)
    other = store.create_user(store.actor("admin"), username="e2e-other-taker", password=PASSWORD, name="Other",
                              roles={"transcriber"}, language="ko")
    admin = workbench_app.login_for("admin")
    page = new_page()
    login(page, admin.username, admin.password)
    page.get_by_role("tab", name="Tasks").click()
    # innerText: what is shown (the dataframe keeps a hidden copy of its cells for measuring).
    page.wait_for_function("(name) => document.querySelector('#wb-tasks').innerText.includes(name)",
                           arg=me.username)
    assert "clip minutes" in page.locator("#wb-tasks").inner_text()

    page.locator("#wb-task-id input").fill(str(task_id))
    page.locator("#wb-task-to textarea").fill(other.username)
    page.locator("#wb-task-reason textarea").fill("on leave this week")
    page.get_by_role("button", name="Release or reassign").click()
    page.locator("#wb-task-result").get_by_text(f"now belongs to {other.username}").wait_for()
    [task] = [t for t in store.list_tasks(store.actor("admin")) if t.id == task_id]
    assert (task.state, task.transcriber) == ("in_progress", other.username)
