"""Export accepted work as datasets (NeMo, Hugging Face audiofolder, Kaldi, CSV) with a
data-quality report. ``run_export`` reads the store; ``core.write_export`` is the
database-free part it feeds."""

from workbench.export.core import ExportOptions, ExportResult, write_export
from workbench.export.errors import ExportError, NothingToExport
from workbench.export.run import run_export

__all__ = ["ExportError", "ExportOptions", "ExportResult", "NothingToExport", "run_export", "write_export"]
