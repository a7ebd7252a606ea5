"""The password rule: long enough, not built from the username or the person's name, and not
guessable by an attacker's dictionary.

Guessability is zxcvbn's estimate (the maintained Python port of Dropbox's estimator): it
knows the common passwords of public leaks, dictionary words, names, keyboard walks,
sequences, dates and l33t spellings, and scores 0 (guessed at once) to 4. The rule asks for
``Policy.min_password_score`` (default 3: about 10^8 guesses, far beyond what sign-in
throttling lets anyone try). The username and the name are given to zxcvbn as words an
attacker knows, and a password containing the username is refused outright.

What this does *not* do: ask a breach service (nothing leaves the server) or force
character classes (length and unguessability matter, "Passw0rd!" is still refused).
"""

from __future__ import annotations

import re
import unicodedata

from zxcvbn import zxcvbn

from workbench.workflow.errors import InvalidInput
from workbench.workflow.policy import Policy


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def check_password(password: str, *, username: str, name: str, policy: Policy) -> None:
    """Refuse (``InvalidInput``, saying why) a password the rule does not accept."""
    password = password or ""
    if len(password) < policy.min_password_length:
        raise InvalidInput(f"The password needs at least {policy.min_password_length} characters.")
    # zxcvbn's cost grows with the length; nobody types more than this.
    if len(password) > policy.max_password_length:
        raise InvalidInput(f"The password can have at most {policy.max_password_length} characters.")
    if username and _fold(username) in _fold(password):
        raise InvalidInput("The password must not contain your username.")
    known_words = [username, name, *re.split(r"\s+", name or "")]
    estimate = zxcvbn(password, user_inputs=[word for word in known_words if word])
    if estimate["score"] < policy.min_password_score:
        hint = estimate["feedback"].get("warning") or "It is too easy to guess."
        raise InvalidInput(f"Choose a harder password: {hint.rstrip('.')}. "
                           "A few unrelated words or a longer phrase work well.")
