"""The ``workbench`` command: a thin typer layer over the library.

Each command parses its arguments, calls one library function and prints the result.
Heavy modules are imported inside the commands so ``workbench --help`` stays instant.
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Speech data workbench.")

# --- audio (issue 2) -------------------------------------------------------------------

# --- store / workflow (issue 3) ---------------------------------------------------------

# --- pay (issue 4) ---------------------------------------------------------------------

# --- export (issue 6) ------------------------------------------------------------------

# --- serve / demo (issue 5) ------------------------------------------------------------


if __name__ == "__main__":
    app()
