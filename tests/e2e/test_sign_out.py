"""Signing out in real Chromium ends the session on the server: another browser holding a
copy of the cookie is sent to the login page, and a second sign-in elsewhere is unaffected."""

from __future__ import annotations


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(new_page, login, workbench_app):
    user = workbench_app.login_for("reviewer", "en")
    page = new_page()
    login(page, user.username, user.password)
    copy = new_page()
    copy.context.add_cookies(page.context.cookies())
    elsewhere = new_page()
    login(elsewhere, user.username, user.password)
    copy.goto("/")
    copy.get_by_text("Signed in as").wait_for()

    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url("**/login")
    copy.goto("/")
    assert copy.url.endswith("/login")
    elsewhere.reload()
    elsewhere.get_by_text("Signed in as").wait_for()
    assert elsewhere.url.endswith("/")
