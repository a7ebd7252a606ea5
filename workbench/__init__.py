"""Audio transcription and cleanup workbench."""

__version__ = "0.1.0"
