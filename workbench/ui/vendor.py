"""Browser libraries from npm, served from the project's own install of them.

``package.json`` (at the project's root) names them and ``package-lock.json`` pins them;
``npm ci`` (scripts/test runs it; README's install says so) puts them in ``node_modules/``
beside the ``workbench`` package of a source checkout. Nothing of them is copied into the
repository. A wheel or sdist does not carry ``node_modules``: a deployment from one runs
``npm ci`` in a copy of the source tree and points ``WORKBENCH_NODE_MODULES`` at the result.
Without them the task pages work as before, only without the whole-clip timeline.

Only the files named in ``FILES`` are served, by fixed name (no path from the request
reaches the file system).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

VENDOR_PREFIX = "/ui-vendor"
# The URL name of each file, the import-map name the task pages use, and where npm puts it.
FILES = {
    "wavesurfer.esm.js": ("wavesurfer", "wavesurfer.js/dist/wavesurfer.esm.js"),
    "regions.esm.js": ("wavesurfer/regions", "wavesurfer.js/dist/plugins/regions.esm.js"),
}
PACKAGE = "wavesurfer.js"


def node_modules() -> Path:
    """Where ``npm ci`` installed the libraries: ``WORKBENCH_NODE_MODULES``, else the
    source checkout's ``node_modules``."""
    configured = os.environ.get("WORKBENCH_NODE_MODULES")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "node_modules"


def installed_version() -> str | None:
    """The installed wavesurfer.js's version, or None when it is not installed (complete)."""
    root = node_modules()
    try:
        version = json.loads((root / PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None
    return version if all((root / path).is_file() for _, path in FILES.values()) else None


def import_map_entries() -> dict[str, str]:
    """Import-map entries for the task pages (``{"wavesurfer": url, …}``); empty when the
    libraries are not installed, so the page's timeline stays hidden."""
    version = installed_version()
    if version is None:
        return {}
    return {name: f"{VENDOR_PREFIX}/{file}?v={version}" for file, (name, _) in FILES.items()}


router = APIRouter()


@router.get(VENDOR_PREFIX + "/{name}")
def vendor_file(name: str) -> FileResponse:
    if name not in FILES or installed_version() is None:
        raise HTTPException(404, "Not found.")
    # The URL carries the version, so a copy may be kept; an upgrade changes the URL.
    return FileResponse(node_modules() / FILES[name][1], media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})
