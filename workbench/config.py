"""Settings read from the environment, resolved once at start-up (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the workbench keeps its data.

    ``data_dir`` holds the SQLite file, uploads and processed audio. ``database_url`` defaults
    to that SQLite file; set ``WORKBENCH_DATABASE_URL=postgresql+psycopg://...`` for PostgreSQL.
    ``queue_url`` is empty for the SQLite-backed queue, or ``redis://...``.
    """

    data_dir: Path
    database_url: str
    queue_url: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *,
                 data_dir: Path | str | None = None) -> "Settings":
        """The environment's settings; a given ``data_dir`` replaces ``WORKBENCH_DATA_DIR``
        (and so moves the default SQLite file with it)."""
        env = os.environ if environ is None else environ
        data_dir = Path(data_dir if data_dir is not None else env.get("WORKBENCH_DATA_DIR", "./workbench-data")).resolve()
        url = env.get("WORKBENCH_DATABASE_URL") or f"sqlite:///{data_dir / 'workbench.db'}"
        return cls(data_dir=data_dir, database_url=url, queue_url=env.get("WORKBENCH_QUEUE_URL", ""))
