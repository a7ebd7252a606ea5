"""Files that the audio package's optional extras ship inside their wheels (models)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path


def installed_file(distribution: str, relative: str) -> Path | None:
    """``relative`` inside the installed ``distribution``, found through its metadata (the
    package is never imported); ``None`` when the distribution or the file is missing."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(relative)))
    return path if path.is_file() else None
