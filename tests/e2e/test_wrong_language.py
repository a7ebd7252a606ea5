"""The transcriber's "Wrong language" button in real Chromium: one button and a confirm send
the whole clip back to the admin, whose clip list says who sent it back."""

from __future__ import annotations

from tests.builders import PASSWORD


def test_the_wrong_language_button_sends_the_whole_clip_back_to_the_admin_after_a_confirm(
        new_page, login, store, own_tasks, workbench_app):
    me, [task_id] = own_tasks("e2e", "e2e-wrong-language", priority=1200)
    page = new_page()
    login(page, me.username, PASSWORD, gradio=False)
    page.goto(f"/work/transcribe/{task_id}")
    button = page.locator("#wrong-language")
    page.locator(".seg-text").first.wait_for()
    assert button.is_enabled()

    # Saying no to the confirm changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    page.wait_for_timeout(300)
    assert [t.state for t in store.list_tasks(store.actor("admin")) if t.id == task_id] == ["in_progress"]

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    button.click()
    page.locator("#banner").get_by_text("Sent back to the admin as the wrong language").wait_for()
    assert "another language than ko" in questions[0]
    assert page.locator(".seg").count() == 0 and button.is_disabled()
    [task] = [t for t in store.list_tasks(store.actor("admin")) if t.id == task_id]
    assert (task.state, task.transcriber) == ("held", None)

    admin = workbench_app.login_for("admin")
    admin_page = new_page()
    login(admin_page, admin.username, admin.password)
    admin_page.get_by_role("tab", name="Clips").click()
    admin_page.locator("#wb-clips").get_by_text(f"sent back by {me.username}").wait_for()
