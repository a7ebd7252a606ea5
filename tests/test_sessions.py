"""Sign-in sessions: kept in the database as hashes of random tokens, ended by signing out,
by their age or by closing the account, and still open after the process that made them."""

import hashlib

import pytest
import sqlalchemy as sa

from workbench.store.models import User, UserSession
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied

APPLICANT = dict(username="minji", password="quiet-lantern-57", name="김민지", language="ko",
                 document_name="topik.pdf", document=b"%PDF-1.4 certificate", bank_holder="김 민지")


def session_rows(wb) -> list[UserSession]:
    with wb.store.reading() as session:
        return list(session.scalars(sa.select(UserSession).order_by(UserSession.id)))


def test_a_session_opens_for_its_user_until_it_is_closed(wb, wb_people):
    token = wb.open_session(wb_people.tina)
    assert wb.resolve_session(token) == "tina"
    wb.close_session(token)
    assert wb.resolve_session(token) is None


def test_closing_one_session_leaves_the_users_other_sessions_open(wb, wb_people):
    laptop, phone = wb.open_session(wb_people.tina), wb.open_session(wb_people.tina)
    assert laptop != phone
    wb.close_session(laptop)
    assert (wb.resolve_session(laptop), wb.resolve_session(phone)) == (None, "tina")


@pytest.mark.parametrize("token", ["", "not-a-session", "A" * 43])
def test_an_unknown_token_opens_nothing_and_closing_it_changes_nothing(wb, wb_people, token):
    real = wb.open_session(wb_people.tina)
    assert wb.resolve_session(token) is None
    wb.close_session(token)
    assert wb.resolve_session(real) == "tina"


def test_the_store_keeps_only_a_hash_of_the_token(wb, wb_people, wb_clock):
    token = wb.open_session(wb_people.tina)
    [row] = session_rows(wb)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.token_hash, str(row.user_id)}
    assert (row.user_id, row.created_at, row.revoked_at) == (wb_people.tina.id, wb_clock.now, None)
    assert row.expires_at == wb_clock.now + wb.policy.session_lifetime


def test_a_session_ends_when_its_lifetime_is_over(wb, wb_people, wb_clock):
    token = wb.open_session(wb_people.tina)
    wb_clock.advance(seconds=wb.policy.session_lifetime.total_seconds() - 1)
    assert wb.resolve_session(token) == "tina"
    wb_clock.advance(seconds=1)
    assert wb.resolve_session(token) is None


def test_expired_sessions_are_dropped_at_the_next_sign_in(wb, wb_people, wb_clock):
    wb.open_session(wb_people.tina)
    wb.close_session(wb.open_session(wb_people.tom))
    wb_clock.advance(seconds=wb.policy.session_lifetime.total_seconds())
    live = wb.open_session(wb_people.bo)
    assert [row.user_id for row in session_rows(wb)] == [wb_people.bo.id]
    assert wb.resolve_session(live) == "bo"


def test_a_session_outlives_the_process_that_opened_it(wb, wb_people, wb_reopen):
    token = wb.open_session(wb_people.tina)
    restarted = wb_reopen()
    assert restarted.resolve_session(token) == "tina"
    restarted.close_session(token)
    assert wb.resolve_session(token) is None


def test_closing_an_account_ends_its_sessions_and_refuses_new_ones(wb, wb_people):
    tina_sessions = [wb.open_session(wb_people.tina) for _ in range(2)]
    tom_session = wb.open_session(wb_people.tom)
    closed = wb.deactivate_user(wb_people.admin, "tina", reason="left the project")
    assert closed.user.status == "deactivated" and not closed.user.approved and closed.sessions_ended == 2
    assert [wb.resolve_session(t) for t in tina_sessions] == [None, None]
    assert wb.resolve_session(tom_session) == "tom"
    with pytest.raises(PermissionDenied):
        wb.open_session(wb.actor("tina"))
    [entry] = [e for e in wb.audit_log(wb_people.admin) if e.action == "user.deactivated"]
    assert '"sessions": 2' in entry.detail and "left the project" in entry.detail


@pytest.mark.parametrize("by, username, reason, error", [
    ("tom", "tina", "left", PermissionDenied),
    ("admin", "tina", "  ", InvalidInput),
    ("admin", "admin", "left", InvalidInput),
    ("admin", "nobody", "left", NotFound),
])
def test_a_refused_account_closing_changes_nothing(wb, wb_people, by, username, reason, error):
    token = wb.open_session(wb_people.tina)
    with pytest.raises(error):
        wb.deactivate_user(wb.actor(by), username, reason=reason)
    assert wb.actor("tina").approved and wb.actor("admin").approved
    assert wb.resolve_session(token) == "tina"


def test_a_closed_account_cannot_be_closed_again(wb, wb_people):
    wb.deactivate_user(wb_people.admin, "tina", reason="left")
    with pytest.raises(InvalidTransition):
        wb.deactivate_user(wb_people.admin, "tina", reason="left")


def test_a_session_whose_user_lost_approval_opens_nothing(wb, wb_people):
    """Whatever changes a status, the check is made at every request, not only at sign-in."""
    token = wb.open_session(wb_people.tina)
    with wb.store.session() as session:
        session.execute(sa.update(User).where(User.username == "tina").values(status="rejected"))
    assert wb.resolve_session(token) is None


def test_applicants_get_no_session_before_approval_nor_after_rejection(wb, wb_people):
    application = wb.submit_application(**APPLICANT)
    with pytest.raises(PermissionDenied):
        wb.open_session(wb.actor("minji"))
    wb.decide_application(wb_people.admin, application.id, approve=False, reason="no certificate")
    with pytest.raises(PermissionDenied):
        wb.open_session(wb.actor("minji"))
    assert session_rows(wb) == []


def test_a_user_or_an_admin_can_sign_a_user_out_everywhere(wb, wb_people):
    tina_sessions = [wb.open_session(wb_people.tina) for _ in range(2)]
    tom_session = wb.open_session(wb_people.tom)
    with pytest.raises(PermissionDenied):
        wb.end_sessions(wb_people.tom, "tina")
    assert wb.resolve_session(tina_sessions[0]) == "tina"
    assert wb.end_sessions(wb_people.tina, "tina") == 2
    assert [wb.resolve_session(t) for t in tina_sessions] == [None, None]
    assert wb.end_sessions(wb_people.admin, "tom") == 1
    assert wb.resolve_session(tom_session) is None
    with pytest.raises(NotFound):
        wb.end_sessions(wb_people.admin, "nobody")
