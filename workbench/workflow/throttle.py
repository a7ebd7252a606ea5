"""Throttling of anonymous doors (sign-in, applications): token buckets kept in the database.

A bucket holds up to ``Rate.burst`` tokens and gains one every ``Rate.every``. An attempt
needs one token from *each* bucket it is charged to; it takes them all, or, when any of
them is empty, none, and is refused with the wait until the emptiest bucket has a token
again. A refused attempt costs nothing, so hammering a bucket never pushes its refill
further away: the longest anyone ever waits is one ``every``. This slows an attacker to
the refill rate and never locks anyone out.

Buckets live in the database (``throttle_buckets``), and one attempt takes its tokens in
one transaction with the rows locked, so every web process counts every attempt exactly
once, however many run at the same instant.

The sign-in rule (``People.authenticate``):

- ``login-client:<address>``: every checked password from one client address, whatever the
  username (``Policy.login_client_rate``). A correct password gives its token back, so
  colleagues behind one address signing in are not slowed.
- ``login-account:<username>``: every checked password for one account, whatever the client
  (``Policy.login_account_rate``), also given back on success. A client whose latest checked
  password for that account, within ``Policy.login_trust_window``, was right is not charged
  to it: the real user on their usual address signs in even while strangers hammer the
  account; one wrong password from there and they are charged like anyone else again.

Applications (``People.submit_application``) are charged to ``apply-client:<address>``
(``Policy.apply_client_rate``).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from workbench.store import repo
from workbench.workflow.policy import Rate

# Buckets idle this long are dropped (a missing bucket is a full one); every rate of the
# policy must refill within it.
FORGET_AFTER = timedelta(days=1)


def wait_for(session, now: datetime, rates: dict[str, Rate]) -> float:
    """What ``take`` would answer now, read without locking or writing anything: a flood of
    refused attempts then costs reads, which do not queue behind anyone's save (SQLite
    readers run beside the writer). Only ``take`` decides; this merely spares it the work."""
    wait = max((rates[key].wait(rates[key].level(bucket.tokens, bucket.at, now))
                for key, bucket in repo.buckets(session, list(rates)).items()), default=0.0)
    return max(1.0, math.ceil(wait)) if wait > 0 else 0.0


def take(session, now: datetime, rates: dict[str, Rate]) -> float:
    """Take one token from every bucket in ``rates`` and return 0, or take none and return
    the seconds to wait (rounded up, at least 1) when any bucket is empty."""
    repo.forget_buckets_idle_since(session, now - FORGET_AFTER)
    buckets = repo.locked_buckets(session, {key: rate.burst for key, rate in rates.items()}, now)
    levels = {key: rates[key].level(bucket.tokens, bucket.at, now) for key, bucket in buckets.items()}
    wait = max(rates[key].wait(level) for key, level in levels.items())
    if wait > 0:
        return max(1.0, math.ceil(wait))
    for key, bucket in buckets.items():
        bucket.tokens, bucket.at = levels[key] - 1.0, now
    return 0.0


def give_back(session, now: datetime, rates: dict[str, Rate]) -> None:
    """Return the token an attempt took from each bucket in ``rates`` (a success)."""
    buckets = repo.locked_buckets(session, {key: rate.burst for key, rate in rates.items()}, now)
    for key, bucket in buckets.items():
        bucket.tokens, bucket.at = min(float(rates[key].burst), rates[key].level(bucket.tokens, bucket.at, now) + 1.0), now
