"""People: accounts, argon2 passwords, the password rule, applications, one language.
(Sign-in throttling: test_throttle.py.)"""

import pytest

from workbench.workflow.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from workbench.workflow.people import same_person

APPLICANT = dict(username="minji", password="quiet-lantern-57", name="김민지", language="ko",
                 document_name="topik.pdf", document=b"%PDF-1.4 certificate", bank_holder="김 민지")

# Input validation happens before any query, so one backend is enough for these tables.
ONE_BACKEND = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)



def stored_files(wb):
    return sorted(p.relative_to(wb.data_dir) for p in wb.data_dir.rglob("*") if p.is_file()
                  and not p.name.startswith(("workbench.db", "queue.db")))


def test_only_the_first_account_can_be_created_without_an_admin(wb):
    admin = wb.create_user(None, username="root", password="quiet-lantern-57", name="Root", roles={"admin"})
    assert admin.is_admin
    with pytest.raises(PermissionDenied):
        wb.create_user(None, username="intruder", password="quiet-lantern-57", name="X", roles={"admin"})


def test_one_person_may_be_reviewer_and_transcriber(wb, wb_people):
    assert wb_people.bo.roles == {"reviewer", "transcriber"}
    assert wb.actor("bo").language == "ko"


@ONE_BACKEND
@pytest.mark.parametrize("change, message", [
    (dict(roles={"transcriber"}, language=None), "language"),
    (dict(roles={"transcriber"}, language="fr"), "Unknown language"),
    (dict(roles={"boss"}), "Roles"),
    (dict(password="short"), "password"),
    (dict(username="../etc"), "username"),
    (dict(username="tina"), "taken"),
])
def test_bad_accounts_are_refused(wb, wb_people, change, message):
    values = dict(username="new", password="quiet-lantern-57", name="New", roles={"transcriber"}, language="ko") | change
    with pytest.raises(InvalidInput, match=message):
        wb.create_user(wb_people.admin, **values)
    assert [w.username for w in wb.list_workers(wb_people.admin)] == ["bo", "ed", "eve", "rita", "tina", "tom"]


def test_a_non_admin_cannot_create_accounts(wb, wb_people):
    with pytest.raises(PermissionDenied):
        wb.create_user(wb_people.tina, username="x1", password="quiet-lantern-57", name="X", roles={"admin"})


def test_passwords_are_stored_as_argon2_hashes(wb, wb_people):
    with wb.store.session() as session:
        from workbench.store.repo import user_by_username

        stored = user_by_username(session, "tina").password_hash
    assert stored.startswith("$argon2id$") and "quiet-lantern-57" not in stored
    assert wb.authenticate("tina", "quiet-lantern-57").username == "tina"


@pytest.mark.parametrize("username, password", [("tina", "wrong-password"), ("nobody", "quiet-lantern-57")])
def test_a_wrong_login_does_not_say_which_part_was_wrong(wb, wb_people, username, password):
    with pytest.raises(AuthenticationFailed, match="Wrong username or password"):
        wb.authenticate(username, password)


def test_an_old_hash_is_upgraded_at_login(wb, wb_people, wb_reopen):
    stronger = wb_reopen(password_time_cost=2, password_memory_kib=2048)
    stronger.authenticate("tina", "quiet-lantern-57")
    with stronger.store.session() as session:
        from workbench.store.repo import user_by_username

        assert "m=2048,t=2" in user_by_username(session, "tina").password_hash


# --- applications ------------------------------------------------------------------------


def test_an_application_keeps_the_document_and_waits_for_an_admin(wb, wb_people):
    application = wb.submit_application(**APPLICANT)
    assert application.status == "pending" and application.language == "ko"
    document = wb.application_document(wb_people.admin, application.id)
    assert document.read_bytes() == APPLICANT["document"] and wb.data_dir in document.parents
    assert [a.username for a in wb.list_applications(wb_people.admin)] == ["minji"]
    with pytest.raises(PermissionDenied):
        wb.list_applications(wb_people.tina)


@ONE_BACKEND
@pytest.mark.parametrize("change, message", [
    (dict(bank_holder="이영희"), "bank account holder"),
    (dict(language="fr"), "Unknown language"),
    (dict(document_name="../../etc/passwd"), "path"),
    (dict(document_name="C:\\\\x.pdf"), "path"),
    (dict(document=b""), "empty"),
    (dict(password="password"), "common password"),
    (dict(password="minji-2026-zz"), "username"),
])
def test_a_bad_application_changes_nothing(wb, wb_people, change, message):
    before = stored_files(wb)
    with pytest.raises(InvalidInput, match=message):
        wb.submit_application(**(APPLICANT | change))
    assert wb.list_applications(wb_people.admin, status=None) == []
    assert stored_files(wb) == before
    with pytest.raises(NotFound):
        wb.actor("minji")


@pytest.mark.parametrize("change, message", [
    (dict(name="김민지\x00", bank_holder="김민지\x00"), "control character"),
    (dict(name="김" * 201, bank_holder="김" * 201), "at most 200"),
    (dict(bank_holder="김 민지\ud800"), "unpaired surrogate"),
])
def test_names_the_store_cannot_keep_are_refused_on_both_backends(wb, wb_people, change, message):
    with pytest.raises(InvalidInput, match=message):
        wb.submit_application(**(APPLICANT | change))
    assert wb.list_applications(wb_people.admin, status=None) == []


def test_applying_for_a_taken_username_stores_nothing_and_says_nothing(wb, wb_people):
    """The caller shows None exactly like a received application (no username enumeration)."""
    before = stored_files(wb)
    assert wb.submit_application(**(APPLICANT | dict(username="tina"))) is None
    assert wb.list_applications(wb_people.admin, status=None) == []
    assert stored_files(wb) == before
    assert wb.authenticate("tina", "quiet-lantern-57").status == "approved"


@ONE_BACKEND
def test_a_too_large_document_is_refused(wb, wb_people):
    with pytest.raises(InvalidInput, match="limit"):
        wb.submit_application(**(APPLICANT | dict(document=b"x" * (wb.policy.max_document_bytes + 1))))
    assert stored_files(wb) == []


@pytest.mark.parametrize("name, holder, same", [
    ("김민지", "김 민지", True), ("Hong Gildong", "HONG GILDONG", True), ("Hong Gildong", "Hong Gil", False),
    ("김민지", "", False), ("ｊｏｈｎ", "John", True),
])
def test_bank_holder_must_be_the_worker(name, holder, same):
    assert same_person(name, holder) is same


def test_only_approved_workers_get_work(wb, wb_people, wb_clip):
    wb_clip()
    application = wb.submit_application(**APPLICANT)
    applicant = wb.authenticate("minji", "quiet-lantern-57")
    with pytest.raises(PermissionDenied, match="not approved"):
        wb.claim_next(applicant)
    decided = wb.decide_application(wb_people.admin, application.id, approve=True, reason="TOPIK 6")
    assert (decided.status, decided.decided_by) == ("approved", "admin")
    assert wb.claim_next(wb.actor("minji")).transcriber == "minji"


def test_a_rejection_needs_a_reason_and_a_decision_is_final(wb, wb_people):
    application = wb.submit_application(**APPLICANT)
    with pytest.raises(InvalidInput, match="reason"):
        wb.decide_application(wb_people.admin, application.id, approve=False, reason=" ")
    with pytest.raises(PermissionDenied):
        wb.decide_application(wb_people.rita, application.id, approve=True, reason="")
    rejected = wb.decide_application(wb_people.admin, application.id, approve=False, reason="certificate expired")
    assert (rejected.status, rejected.reason) == ("rejected", "certificate expired")
    with pytest.raises(InvalidTransition):
        wb.decide_application(wb_people.admin, application.id, approve=True, reason="")
    assert wb.actor("minji").status == "rejected"


def test_a_workers_language_is_locked_once_their_first_task_started(wb, wb_people, wb_clip):
    assert wb.set_language(wb_people.admin, "tom", "en").language == "en"
    wb.set_language(wb_people.admin, "tom", "ko")
    wb_clip()
    wb.claim_next(wb_people.tom)
    with pytest.raises(InvalidTransition, match="can no longer change"):
        wb.set_language(wb_people.admin, "tom", "en")
    assert wb.actor("tom").language == "ko"
    assert {w.username: w.language_locked for w in wb.list_workers(wb_people.admin)}["tom"]
