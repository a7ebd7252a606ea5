"""Time on task in real Chromium: the transcriber's page reports the active time it saw
(typing and moving between segments), and the server credits it, bounded by the clock."""

from __future__ import annotations

import time


PASSWORD = "e2e-time-password"


def credited(store, user_id: int) -> list[tuple[int, str, float]]:
    from workbench.store import pay_store

    with store.store.session() as session:
        return [(row.task_id, row.role, row.active_seconds)
                for row in pay_store.task_times(session, user_id=user_id)]


def test_the_transcribers_page_reports_active_time_when_it_is_left(new_page, login, store):
    admin = store.actor("admin")
    me = store.create_user(admin, username="e2e-time-on-task", password=PASSWORD, name="Timer",
                           roles={"transcriber"}, language="ko")
    store.register_processed_clip(admin, filename="time-on-task.wav", language="ko", project="e2e-time",
                                  duration=6.0, segments=[(0.0, 3.0), (3.0, 6.0)], priority=400)
    task_id = store.claim_next(me).id
    page = new_page()
    login(page, me.username, PASSWORD)
    page.goto(f"/work/transcribe/{task_id}")
    started = time.monotonic()
    page.locator(".seg-text").nth(0).click()
    page.keyboard.type("네 맞아요.", delay=150)
    page.wait_for_timeout(1500)
    page.locator(".seg-text").nth(1).click()
    page.keyboard.type("감사합니다.", delay=150)
    assert credited(store, me.id) == []                 # nothing sent before the page is left
    page.evaluate("window.dispatchEvent(new Event('pagehide'))")
    deadline = time.monotonic() + 10
    while not credited(store, me.id) and time.monotonic() < deadline:
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    [(task, role, seconds)] = credited(store, me.id)
    assert (task, role) == (task_id, "transcriber")
    # Typing for about three seconds and a pause of 1.5 s: all active, none of it idle.
    assert 2.0 < seconds <= elapsed
