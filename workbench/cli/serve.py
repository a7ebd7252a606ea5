"""``workbench serve``, ``demo`` and ``worker``: the long-running processes."""

from __future__ import annotations

import typer

from workbench.cli.common import fail_cleanly, open_workbench


@fail_cleanly
def worker(
    workers: int = typer.Option(1, help="Jobs run at once by this process."),
    queue: str = typer.Option("clips", help="The queue to consume: clips (processing) or drafts "
                                            "(machine drafts; run a second worker for it)."),
    parent_pid: int = typer.Option(None, hidden=True, help="Exit when this process (the parent) dies."),
) -> None:
    """Process queued clips (or draft them, --queue drafts) until interrupted (start one per
    core or machine)."""
    import logging

    if parent_pid is not None:
        from workbench.lifeline import exit_with_parent

        exit_with_parent(parent_pid)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Alembic narrates every schema check at INFO; the worker's log is for clips.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from workbench.queue import QUEUE_NAMES
    from workbench.worker import jobs_of

    if queue not in QUEUE_NAMES:
        raise typer.BadParameter(f"choose {' or '.join(QUEUE_NAMES)}", param_hint="--queue")
    from workbench.config import tighten_data_dir

    wb = open_workbench()
    tighten_data_dir(wb.data_dir)
    typer.echo(f"{queue} worker on {wb.data_dir} ({workers} at once)")
    wb.queue.run_worker(jobs_of(wb), queue=queue, workers=workers)


@fail_cleanly
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(7860, help="Port to listen on."),
    worker: bool = typer.Option(True, help="Also run a queue worker so uploads get processed."),
    workers: int = typer.Option(1, min=1, help="Web processes over the same store, on PORT and the ports after "
                                "it; Gradio's pages need a proxy that keeps each browser on one (README)."),
    parent_pid: int = typer.Option(None, hidden=True, help="Exit when this process (the parent) dies."),
) -> None:
    """Serve the web app over the existing store in WORKBENCH_DATA_DIR."""
    from workbench.config import Settings, keep_files_private, tighten_data_dir
    from workbench.ui.serve import serve_forever

    if parent_pid is not None:
        from workbench.lifeline import exit_with_parent

        exit_with_parent(parent_pid)
    keep_files_private()
    settings = Settings.from_env()
    tighten_data_dir(settings.data_dir)
    serve_forever(settings, host=host, port=port, start_worker=worker, workers=workers)


@fail_cleanly
def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(7860, help="Port to listen on."),
    serve_app: bool = typer.Option(True, "--serve/--no-serve", help="Serve after seeding."),
) -> None:
    """Seed a demo store (sample clips processed, one login per role and language) and serve it."""
    from workbench.config import Settings, keep_files_private, tighten_data_dir
    from workbench.demo import drafts_note, format_logins, seed_demo
    from workbench.ui.serve import serve_forever

    keep_files_private()
    settings = Settings.from_env()
    tighten_data_dir(settings.data_dir)
    typer.echo(format_logins(seed_demo(settings)))
    typer.echo(drafts_note())
    if serve_app:
        serve_forever(settings, host=host, port=port, start_worker=True)
