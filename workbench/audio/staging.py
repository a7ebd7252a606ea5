"""Where ``process_file`` builds its output: a hidden sibling directory renamed into place
at the end, and how to find those a killed run left."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

STAGING_MARK = ".partial-"


def staging_dirs(parent: Path) -> dict[Path, str]:
    """The staging directories of ``process_file`` runs under ``parent``, each with the name
    of the output directory it is building.

    A run removes its own on any error, but a process killed mid-run cannot: its directory
    (as big as the decoded clip) stays until someone who knows the run is dead removes it.
    A run still going has one too; telling the two apart is the caller's business.
    """
    if not Path(parent).is_dir():
        return {}
    found = {}
    for path in Path(parent).iterdir():
        building, mark, _ = path.name[1:].rpartition(STAGING_MARK)
        if path.name.startswith(".") and mark and path.is_dir():
            found[path] = building
    return found


@contextlib.contextmanager
def atomic_output_dir(out_dir: Path) -> Iterator[Path]:
    """A hidden sibling directory that becomes ``out_dir`` on success and vanishes on failure."""
    created = [p for p in reversed(out_dir.absolute().parents) if not p.exists()]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{STAGING_MARK}", dir=out_dir.parent))
    try:
        yield staging
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked up front); a file appearing since is an error
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for parent in reversed(created):
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
