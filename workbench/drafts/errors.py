"""The one error type the drafts package raises."""

from __future__ import annotations


class DraftEngineError(RuntimeError):
    """A draft engine that cannot be set up or cannot answer; ``str()`` says why and what to do.

    Raised for a missing or tampered model file, an engine that is not installed, an unknown
    backend name or a server that fails or times out. It is *not* raised for a segment
    without speech: that is a valid draft with empty text.
    """
