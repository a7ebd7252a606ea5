"""Writing an export directory all at once: a staging directory renamed into place.

Nothing half-written is ever left at the destination: the export is built in a hidden
sibling directory and renamed over the destination only when every file is complete.
A destination that already holds an earlier export (it has ``export.json``) is replaced;
any other non-empty directory is refused, so a typo in ``--out`` never deletes user files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.export.errors import ExportError

EXPORT_MARKER = "export.json"


def check_destination(out_dir: Path) -> Path:
    """The absolute destination, or ``ExportError`` if writing there could destroy data."""
    out_dir = Path(out_dir).expanduser().resolve()
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ExportError(f"{out_dir} exists and is not a directory")
        if any(out_dir.iterdir()) and not (out_dir / EXPORT_MARKER).is_file():
            raise ExportError(
                f"{out_dir} is not empty and holds no earlier export ({EXPORT_MARKER}); "
                "choose a new or empty directory"
            )
    return out_dir


@contextmanager
def atomic_directory(out_dir: Path) -> Iterator[Path]:
    """Yield a staging directory that becomes ``out_dir`` when the block ends without error.

    On any error the staging directory is removed and ``out_dir`` is left as it was.
    """
    out_dir = check_destination(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        if out_dir.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            out_dir.rename(retired / "export")
            staging.rename(out_dir)
            shutil.rmtree(retired)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
