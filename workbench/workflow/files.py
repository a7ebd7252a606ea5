"""Safe file names and atomic copies into the data directory."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from workbench.workflow.errors import InvalidInput

_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_filename(name: str) -> str:
    """The upload's name as stored: one path component of letters, digits, ``._-``.

    A name that tries to leave its folder (``../x``, ``/etc/passwd``, ``a/b``, ``C:\\x``)
    is refused rather than quietly flattened: it is a hostile or broken client.

    >>> safe_filename("회의 녹음 (1).mp4")
    '회의_녹음_1_.mp4'
    """
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise InvalidInput("The file has no name.")
    if "\x00" in name or "/" in name or "\\" in name or name in (".", "..") or re.match(r"^[A-Za-z]:", name):
        raise InvalidInput(f"File name {name!r} contains a path; give a plain file name.")
    cleaned = _UNSAFE.sub("_", name).lstrip(".")
    if not cleaned.strip("_"):
        raise InvalidInput(f"File name {name!r} has no usable characters.")
    return cleaned[-200:]


def source_size(source: Path | bytes) -> int:
    if isinstance(source, bytes):
        return len(source)
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InvalidInput(f"Cannot read {source}: {error.strerror}.") from error
    if not path.is_file():
        raise InvalidInput(f"Cannot read {source}: not a file.")
    return size


def check_size(source: Path | bytes, limit: int, what: str) -> None:
    size = source_size(source)
    if size > limit:
        raise InvalidInput(f"The {what} is {size / 1024**2:.1f} MB; the limit is {limit / 1024**2:.1f} MB.")
    if size == 0:
        raise InvalidInput(f"The {what} is empty.")


def content_hash(source: Path | bytes) -> str:
    """The SHA-256 (hex) of the bytes; a file is read in pieces, so a large upload is never in memory."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    with open(source, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_atomically(source: Path | bytes, dest: Path) -> None:
    """Copy ``source`` to ``dest`` through a temporary file, so ``dest`` is whole or absent."""
    def copy(temp: Path) -> None:
        if isinstance(source, bytes):
            temp.write_bytes(source)
        else:
            shutil.copyfile(source, temp)

    write_through_temp(dest, copy)


def write_through_temp(dest: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(temp_path)`` and move the result to ``dest``, so readers never see half a
    file. The temporary file has ``dest``'s suffix (writers pick the format by it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=dest.parent, prefix=".part-", suffix=dest.suffix)
    os.close(handle)
    try:
        write(Path(temp))
        os.replace(temp, dest)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
