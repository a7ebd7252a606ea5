"""Worker keys: how an export names a transcriber without leading back to the person.

A key is an HMAC-SHA256 of the account id under a secret kept per deployment (in the data
directory, owner-only, made on first use). Within one deployment the same account always
gets the same key, so exports can be compared over time; without the secret a key cannot
be recomputed from a guessed id, and two deployments give the same id unrelated keys.

>>> worker_key(7, b"k" * 32) == worker_key(7, b"k" * 32) != worker_key(7, b"j" * 32)
True
>>> worker_key(None, b"k" * 32)
'w-none'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from workbench.export.errors import ExportError

SECRET_FILE = "export-worker-key.secret"
SECRET_BYTES = 32


def worker_key(user_id: int | None, secret: bytes) -> str:
    """The opaque key of the worker with account ``user_id`` under ``secret``."""
    if user_id is None:
        return "w-none"
    digest = hmac.new(secret, f"workbench-worker:{int(user_id)}".encode(), hashlib.sha256).hexdigest()
    return "w" + digest[:12]


def worker_key_secret(data_dir: Path) -> bytes:
    """The deployment's worker-key secret in ``data_dir``, created on first use.

    Created whole or not at all, and only once even when two exports start together
    (the first link wins, the other reads it), with mode 0600. A file too short to be a
    secret is an ``ExportError``, never silently used.
    """
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(SECRET_BYTES))
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temp)
    secret = path.read_bytes()
    if len(secret) < SECRET_BYTES:
        raise ExportError(f"{path} holds {len(secret)} bytes, not a {SECRET_BYTES}-byte secret: "
                           "restore it from a backup, or delete it to start new worker keys.")
    return secret
