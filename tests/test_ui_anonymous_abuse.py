"""Anonymous abuse over raw HTTP, as an attacker would do it: guessing passwords, spraying
usernames, filling the disk through /apply, probing which usernames exist, weak passwords.

Every client here has its own address (``TestClient(client=...)``), as distinct machines do.
"""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from workbench.ui.server import SESSION_COOKIE, create_app

SECRET = b"test-secret-for-signing-sessions"
PASSWORD = "quiet-lantern-57"
ATTACKER = ("203.0.113.9", 40000)
HOME = ("198.51.100.7", 40000)
DOCUMENT = ("id.pdf", b"%PDF-1.4 identity", "application/pdf")

# HTTP behaviour only; the store's counting is tested on both backends in test_throttle.py.
ONE_BACKEND = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
pytestmark = ONE_BACKEND


@pytest.fixture
def app(wb, wb_people):
    return create_app(wb, secret=SECRET)


def sign_in(app, username: str, password: str = PASSWORD, *, client=HOME, **headers):
    return TestClient(app, client=client).post(
        "/login", data={"username": username, "password": password}, headers=headers, follow_redirects=False)


def application(username: str, **changes) -> dict[str, str]:
    return {"name": "Kim Minji", "username": username, "password": PASSWORD, "language": "ko",
            "bank_holder": "KIM MINJI"} | changes


def apply(app, form: dict[str, str], *, client=ATTACKER, document=DOCUMENT):
    return TestClient(app, client=client).post("/apply", data=form, files={"document": document})


def stored_documents(wb) -> list:
    folder = wb.data_dir / "applications"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- sign-in -----------------------------------------------------------------------------


def test_wrong_passwords_from_a_stranger_never_lock_the_admin_out(app, wb):
    assert sign_in(app, "admin").status_code == 303  # the admin's usual machine
    guesses = [sign_in(app, "admin", f"guess-{n}", client=ATTACKER).status_code for n in range(40)]
    assert guesses.count(401) == wb.policy.login_account_rate.burst
    assert set(guesses[wb.policy.login_account_rate.burst:]) == {429}
    response = sign_in(app, "admin")
    assert response.status_code == 303 and SESSION_COOKIE in response.cookies


def test_a_throttled_guess_is_told_when_to_retry_and_the_wait_never_grows(app, wb, wb_clock):
    for n in range(60):
        refused = sign_in(app, "tina", f"guess-{n}", client=ATTACKER)
    every = wb.policy.login_account_rate.every.total_seconds()
    assert refused.status_code == 429 and "try again in" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= every
    # The owner on a machine never used before waits one refill at most, then signs in.
    assert sign_in(app, "tina", client=("192.0.2.44", 1)).status_code == 429
    wb_clock.advance(seconds=every)
    assert sign_in(app, "tina", client=("192.0.2.44", 1)).status_code == 303


def test_one_client_guessing_across_many_usernames_is_throttled(app, wb):
    usernames = [f"user{n}" for n in range(30)]
    statuses = [sign_in(app, username, f"guess-{n}", client=ATTACKER).status_code
                for n in range(3) for username in usernames]
    assert len(statuses) == 90
    assert statuses.count(401) == wb.policy.login_client_rate.burst
    assert statuses.count(429) == 90 - wb.policy.login_client_rate.burst
    assert sign_in(app, "tina").status_code == 303  # everyone else is unaffected


def test_a_forged_x_forwarded_for_does_not_make_a_new_client(app, wb):
    burst = wb.policy.login_client_rate.burst
    statuses = [sign_in(app, f"user{n}", "guess", client=ATTACKER, **{"X-Forwarded-For": f"10.0.{n}.1"}).status_code
                for n in range(burst + 5)]
    assert statuses[burst:] == [429] * 5


def test_one_ipv6_machine_cannot_become_many_clients(app, wb):
    """A host usually holds a whole /64: each of its addresses is the same client."""
    burst = wb.policy.login_client_rate.burst
    statuses = [sign_in(app, f"user{n}", "guess", client=(f"2001:db8:1:2::{n + 1:x}", 1)).status_code
                for n in range(burst + 5)]
    assert statuses[burst:] == [429] * 5
    assert sign_in(app, "tina", client=("2001:db8:1:3::1", 1)).status_code == 303


def test_colleagues_behind_one_address_all_sign_in(app, wb):
    office = ("192.0.2.10", 1)
    for _ in range(wb.policy.login_client_rate.burst + 5):
        for username in ("tina", "tom", "rita"):
            assert sign_in(app, username, client=office).status_code == 303


def test_password_checks_run_off_the_event_loop(app, wb, monkeypatch):
    """argon2 takes tens of milliseconds: on the event loop it would stall every user."""
    on_loop = []

    def record(method):
        def wrapper(*args, **kwargs):
            try:
                asyncio.get_running_loop()
                on_loop.append(method.__name__)
            except RuntimeError:
                pass
            return method(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(wb, "authenticate", record(wb.authenticate))
    monkeypatch.setattr(wb, "submit_application", record(wb.submit_application))
    assert sign_in(app, "tina").status_code == 303
    assert apply(app, application("minji")).status_code == 200
    assert on_loop == []


# --- applications --------------------------------------------------------------------------


def test_one_client_cannot_fill_the_disk_with_applications(app, wb):
    burst = wb.policy.apply_client_rate.burst
    statuses = [apply(app, application(f"filler{n}")).status_code for n in range(burst + 3)]
    assert statuses == [200] * burst + [429] * 3
    assert len(stored_documents(wb)) == burst
    assert apply(app, application("someone"), client=HOME).status_code == 200


def test_pending_applications_have_a_quota_per_client_and_in_all(app, wb, wb_clock, wb_people):
    limit = wb.policy.max_pending_per_client
    for n in range(limit):
        assert apply(app, application(f"first{n}")).status_code == 200
        wb_clock.advance(hours=2)  # past the rate limit: the quota still holds
    refused = apply(app, application("one-too-many"))
    assert refused.status_code == 429 and "cannot take more applications" in refused.text
    # An admin deciding makes room again.
    [oldest, *_] = wb.list_applications(wb_people.admin)
    wb.decide_application(wb_people.admin, oldest.id, approve=False, reason="not a real person")
    assert apply(app, application("room-again")).status_code == 200


def test_pending_applications_have_a_quota_in_all(app, wb, wb_clock, wb_reopen):
    small = create_app(wb_reopen(max_pending_applications=2), secret=SECRET)
    assert apply(small, application("a-one"), client=("192.0.2.1", 1)).status_code == 200
    assert apply(small, application("a-two"), client=("192.0.2.2", 1)).status_code == 200
    assert apply(small, application("a-three"), client=("192.0.2.3", 1)).status_code == 429
    assert len(stored_documents(wb)) == 2


def test_a_rejected_applications_document_is_deleted_and_its_record_kept(app, wb, wb_people):
    assert apply(app, application("minji")).status_code == 200
    [pending] = wb.list_applications(wb_people.admin)
    assert len(stored_documents(wb)) == 1
    wb.decide_application(wb_people.admin, pending.id, approve=False, reason="blurred scan")
    assert stored_documents(wb) == []
    [rejected] = wb.list_applications(wb_people.admin, status="rejected")
    assert (rejected.username, rejected.reason) == ("minji", "blurred scan")
    admin = TestClient(app, client=HOME)
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    assert admin.get(f"/media/document/{pending.id}").status_code == 404


def test_apply_answers_the_same_whether_or_not_the_username_exists(app, wb, wb_people):
    taken = apply(app, application("tina"), client=("192.0.2.1", 1))
    free = apply(app, application("brand-new"), client=("192.0.2.2", 1))
    assert (taken.status_code, taken.text) == (free.status_code, free.text.replace("brand-new", "tina"))
    assert "application was received" in taken.text
    # Nothing changed for the existing account, and no application was stored for it.
    assert [a.username for a in wb.list_applications(wb_people.admin)] == ["brand-new"]
    assert sign_in(app, "tina").status_code == 303
    assert len(stored_documents(wb)) == 1


@pytest.mark.parametrize("password, message", [
    ("password", "common password"),
    ("12345678", "common password"),
    ("short-1", "at least"),
    ("weakling-applicant", "must not contain your username"),
    ("Kim Minji 2026", "harder password"),
    ("qwertyuiop", "harder password"),
])
def test_weak_passwords_are_refused(app, wb, wb_people, password, message):
    response = apply(app, application("weakling", password=password), client=("192.0.2.9", 1))
    assert response.status_code == 422 and message in response.text
    assert wb.list_applications(wb_people.admin) == []
