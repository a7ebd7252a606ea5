"""JSON endpoints for the transcriber and reviewer pages (UI engineer 2 fills this in).

Every endpoint depends on ``workbench.ui.server.require_actor``.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
