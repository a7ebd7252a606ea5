"""The ``workbench`` command: a thin typer layer over the library.

Each command parses its arguments, calls one library function and prints the result; one
module per command group. Heavy modules are imported inside the commands so
``workbench --help`` stays instant.
"""

from __future__ import annotations

import gc

import typer

from workbench.cli.audio import process
from workbench.cli.clips import clips_app
from workbench.cli.drafts import drafts_app
from workbench.cli.export import export_dataset
from workbench.cli.gold import gold_app
from workbench.cli.pay import pay_app
from workbench.cli.quality import quality_app
from workbench.cli.serve import demo, serve, worker
from workbench.cli.tasks import audit, tasks_app
from workbench.cli.users import users_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Speech data workbench.")
app.command()(process)
app.add_typer(users_app, name="users")
app.add_typer(clips_app, name="clips")
app.add_typer(tasks_app, name="tasks")
app.add_typer(drafts_app, name="drafts")
app.add_typer(gold_app, name="gold")
app.add_typer(quality_app, name="quality")
app.command()(worker)
app.command()(audit)
app.add_typer(pay_app, name="pay")
app.command("export")(export_dataset)
app.command()(serve)
app.command()(demo)


def main() -> None:
    """The ``workbench`` program: run the command, then leave what it imported to the operating
    system. The interpreter's last garbage collection otherwise walks every object of those
    modules on the way out: scipy.signal's alone took 0.12 s of ``workbench process``'s exit,
    0.02 s with them frozen (``gc.freeze``: the collector no longer looks at them). Open files
    and the database are closed by the commands themselves, not left to the collector."""
    try:
        app()
    finally:
        gc.freeze()
