"""Errors of the export. Each one is a ``WorkbenchError``, so ``str()`` is fit to show a user."""

from __future__ import annotations

from workbench.workflow.errors import WorkbenchError


class ExportError(WorkbenchError):
    """The export cannot be written as asked (bad option, output directory in the way)."""


class NothingToExport(ExportError):
    """The selection holds no accepted speech segment; no file is written."""
