"""The one error type the audio package raises for bad input."""

from __future__ import annotations


class AudioError(ValueError):
    """Input audio that cannot be processed; ``str()`` is a message fit to show a person.

    Raised for files that are not audio, truncated or corrupt files, empty files and
    settings out of range. It is *not* raised for a clip without speech: that is a valid
    result with zero segments.
    """
