"""Sign-in throttling in the store (workflow/throttle.py): counted per account and per client,
atomically across threads and processes, slowing a guesser without locking anyone out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workbench.store.models import LoginAttempt
from workbench.workflow.errors import AuthenticationFailed, TooManyAttempts
from workbench.workflow.policy import Rate

PASSWORD = "quiet-lantern-57"


def outcome(wb, username: str, password: str, client: str) -> str:
    try:
        wb.authenticate(username, password, client=client)
    except AuthenticationFailed:
        return "checked"
    except TooManyAttempts:
        return "throttled"
    return "signed in"


def checked_attempts(wb, username: str | None = None) -> int:
    with wb.store.reading() as session:
        query = select(func.count()).select_from(LoginAttempt)
        if username is not None:
            query = query.where(LoginAttempt.username == username)
        return session.scalar(query)


@pytest.mark.parametrize("clients", ["one client", "sixty clients"])
def test_concurrent_guesses_at_one_account_are_each_counted_once(wb, wb_people, clients):
    """60 simultaneous wrong passwords: exactly the account's burst are checked, whatever the
    number of web threads (PostgreSQL runs them truly in parallel)."""
    def guess(n: int) -> str:
        return outcome(wb, "tina", f"guess-{n}", "203.0.113.9" if clients == "one client" else f"203.0.113.{n}")

    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(guess, range(60)))
    burst = wb.policy.login_account_rate.burst
    assert (outcomes.count("checked"), outcomes.count("throttled")) == (burst, 60 - burst)
    assert checked_attempts(wb, "tina") == burst


def test_concurrent_guesses_from_one_client_across_usernames_are_each_counted_once(wb, wb_people):
    def guess(n: int) -> str:
        return outcome(wb, f"user{n % 30}", f"guess-{n}", "203.0.113.9")

    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(guess, range(90)))
    burst = wb.policy.login_client_rate.burst
    assert outcomes.count("checked") == burst
    assert checked_attempts(wb) == burst


def test_the_owner_signs_in_from_her_usual_address_while_the_account_is_hammered(wb, wb_people, wb_reopen):
    assert outcome(wb, "tina", PASSWORD, "home") == "signed in"
    outcomes = [outcome(wb, "tina", f"guess-{n}", f"bot-{n}") for n in range(50)]
    assert outcomes.count("checked") == wb.policy.login_account_rate.burst
    # Another web process over the same database sees the same counts.
    other = wb_reopen()
    assert outcome(other, "tina", "guess", "bot-new") == "throttled"
    assert outcome(other, "tina", PASSWORD, "home") == "signed in"


def test_one_wrong_password_from_the_usual_address_ends_its_trust(wb, wb_people):
    assert outcome(wb, "tina", PASSWORD, "home") == "signed in"
    for n in range(wb.policy.login_account_rate.burst):
        outcome(wb, "tina", f"guess-{n}", f"bot-{n}")
    assert outcome(wb, "tina", "typo", "home") == "checked"
    assert outcome(wb, "tina", PASSWORD, "home") == "throttled"


def test_trust_lapses_after_the_window(wb, wb_people, wb_clock):
    assert outcome(wb, "tina", PASSWORD, "home") == "signed in"
    wb_clock.advance(days=wb.policy.login_trust_window.days + 1)
    for n in range(wb.policy.login_account_rate.burst):
        outcome(wb, "tina", f"guess-{n}", f"bot-{n}")
    assert outcome(wb, "tina", PASSWORD, "home") == "throttled"


def test_an_accounts_attempts_older_than_the_trust_window_are_dropped_at_its_next_sign_in(wb, wb_people, wb_clock):
    for n in range(3):
        outcome(wb, "tina", f"guess-{n}", "bot")
    outcome(wb, "tom", "typo", "office")
    wb_clock.advance(days=wb.policy.login_trust_window.days + 1)
    assert outcome(wb, "tina", PASSWORD, "home") == "signed in"
    # Only the new attempt is left of tina's; tom's old one waits for tom's next sign-in.
    assert (checked_attempts(wb, "tina"), checked_attempts(wb, "tom")) == (1, 1)


def test_refused_attempts_cost_nothing_so_the_wait_is_at_most_one_refill(wb, wb_people, wb_clock):
    for n in range(200):
        outcome(wb, "tina", f"guess-{n}", "bot")
    with pytest.raises(TooManyAttempts) as refused:
        wb.authenticate("tina", PASSWORD, client="cafe")
    every = wb.policy.login_account_rate.every
    assert 0 < refused.value.retry_after <= every.total_seconds()
    wb_clock.advance(seconds=every.total_seconds())
    assert outcome(wb, "tina", PASSWORD, "cafe") == "signed in"


def test_a_correct_password_gives_its_tokens_back(wb, wb_people):
    for _ in range(3 * wb.policy.login_client_rate.burst):
        assert outcome(wb, "tom", PASSWORD, "office") == "signed in"


def test_names_no_account_can_have_share_one_bucket_and_store_nothing_of_the_name(wb, wb_people):
    names = ["x" * 500, "bad\x00name", "../etc", "名前"]
    assert [outcome(wb, name, "guess", f"c{n}") for n, name in enumerate(names)] == ["checked"] * 4
    with wb.store.reading() as session:
        assert set(session.scalars(select(LoginAttempt.username))) == {""}


@pytest.mark.parametrize("tokens, elapsed, level", [(0.0, 0, 0.0), (0.0, 30, 0.5), (2.5, 60, 3.0), (0.0, 600, 3.0)])
def test_a_bucket_refills_at_its_rate_up_to_its_burst(wb_clock, tokens, elapsed, level):
    rate = Rate(burst=3, every=timedelta(minutes=1))
    assert rate.level(tokens, wb_clock.now, wb_clock.now + timedelta(seconds=elapsed)) == level
