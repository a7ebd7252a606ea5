"""Settings read from the environment, resolved once at start-up (never at import time)."""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

COOKIE_SECURE_CHOICES = ("auto", "always", "never")

MODES_MARKER = ".modes-owner-only"
"""Written in the data directory once its older files are owner-only (``tighten_data_dir``)."""

log = logging.getLogger(__name__)


class SettingsError(ValueError):
    """A setting in the environment has a value the workbench cannot use."""


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, lower-cased; None when it has no such part."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def parse_origins(text: str) -> tuple[str, ...]:
    """``WORKBENCH_ALLOWED_ORIGINS``: origins separated by commas or spaces; a malformed one
    is a ``ValueError`` (a typo must not silently lock the browser out, or let anyone in)."""
    origins = []
    for item in text.replace(",", " ").split():
        origin = origin_of(item)
        if origin is None or origin_of(origin) != item.rstrip("/").lower():
            raise ValueError(f"WORKBENCH_ALLOWED_ORIGINS: {item!r} is not an origin like https://host[:port]")
        origins.append(origin)
    return tuple(origins)


@dataclass(frozen=True)
class Settings:
    """Where the workbench keeps its data, and how the web server meets the outside.

    ``data_dir`` holds the SQLite file, uploads and processed audio. ``database_url`` defaults
    to that SQLite file; set ``WORKBENCH_DATABASE_URL=postgresql+psycopg://...`` for PostgreSQL.
    ``queue_url`` is empty for the SQLite-backed queue, or ``redis://...``.

    Behind a reverse proxy (README, "Security model"):

    - ``cookie_secure`` (``WORKBENCH_COOKIE_SECURE``): ``auto`` marks the session cookie
      ``Secure`` when the request came over https (as the server sees it), ``always`` always
      (the right choice behind a TLS-ending proxy), ``never`` never (plain-http testing only).
    - ``allowed_origins`` (``WORKBENCH_ALLOWED_ORIGINS``): origins besides the request's own
      whose pages may change state (``ui/origin.py``), e.g. ``https://workbench.example.org``.
    - ``trusted_proxies`` (``WORKBENCH_TRUSTED_PROXIES``): addresses of proxies whose
      ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed (uvicorn's
      ``forwarded_allow_ips``); empty (the default) believes no one, so the client address
      that sign-in throttling counts is the TCP peer's.
    """

    data_dir: Path
    database_url: str
    queue_url: str = ""
    cookie_secure: str = "auto"
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *,
                 data_dir: Path | str | None = None) -> "Settings":
        """The environment's settings; a given ``data_dir`` replaces ``WORKBENCH_DATA_DIR``
        (and so moves the default SQLite file with it). A bad value is a ``SettingsError``."""
        env = os.environ if environ is None else environ
        data_dir = Path(data_dir if data_dir is not None else env.get("WORKBENCH_DATA_DIR", "./workbench-data")).resolve()
        url = env.get("WORKBENCH_DATABASE_URL") or f"sqlite:///{data_dir / 'workbench.db'}"
        cookie_secure = env.get("WORKBENCH_COOKIE_SECURE", "").strip().lower() or "auto"
        if cookie_secure not in COOKIE_SECURE_CHOICES:
            raise SettingsError(f"WORKBENCH_COOKIE_SECURE must be one of {', '.join(COOKIE_SECURE_CHOICES)}; "
                                f"got {cookie_secure!r}")
        try:
            allowed_origins = parse_origins(env.get("WORKBENCH_ALLOWED_ORIGINS", ""))
        except ValueError as error:
            raise SettingsError(str(error)) from error
        return cls(data_dir=data_dir, database_url=url, queue_url=env.get("WORKBENCH_QUEUE_URL", ""),
                   cookie_secure=cookie_secure, allowed_origins=allowed_origins,
                   trusted_proxies=env.get("WORKBENCH_TRUSTED_PROXIES", "").strip())


def prepare_data_dir(data_dir: Path) -> Path:
    """Create ``data_dir`` owner-only, and make it so when it was created before (0755 by
    default): other users of the machine must not read the database, uploads or applicants'
    documents. An unusable directory (read-only, not ours) raises OSError here, first."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.chmod(0o700)
    return data_dir


def keep_files_private() -> None:
    """From now on this process creates files owner-only (umask 077): the database, its WAL,
    uploads, processed audio and documents hold workers' personal data and clients' audio.
    ``serve``, ``worker``, ``demo`` and every admin command call it at start-up."""
    os.umask(0o077)


def tighten_data_dir(data_dir: Path) -> int:
    """Make owner-only what was written in ``data_dir`` before the umask was 077 (0644 audio,
    0755 folders): the group and other bits come off, as the umask takes them off new files.
    Once per data directory (``MODES_MARKER`` says it was done); links are neither changed
    nor followed, so a link out of the data directory leaves its target alone. ``serve``,
    ``worker`` and ``demo`` call it at start. Returns how many entries it tightened."""
    if not data_dir.is_dir() or (data_dir / MODES_MARKER).exists():
        return 0
    tightened = 0
    for folder, names, files in os.walk(data_dir):  # does not descend into linked folders
        for name in (*names, *files):
            path = os.path.join(folder, name)
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:  # a worker removed its staging meanwhile
                continue
            if not stat.S_ISLNK(mode) and stat.S_IMODE(mode) & 0o077:
                os.chmod(path, stat.S_IMODE(mode) & ~0o077)
                tightened += 1
    (data_dir / MODES_MARKER).touch(mode=0o600)
    if tightened:
        log.warning("made %d file(s) and folder(s) in %s owner-only (written before umask 077)", tightened, data_dir)
    return tightened
