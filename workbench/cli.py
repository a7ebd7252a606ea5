"""The ``workbench`` command: a thin typer layer over the library.

Each command parses its arguments, calls one library function and prints the result.
Heavy modules are imported inside the commands so ``workbench --help`` stays instant.
"""

from __future__ import annotations

import functools
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Speech data workbench.")


def _fail_cleanly(command):
    """Report bad input (a WorkbenchError or an AudioError), a bad setting, and a data
    directory or database that cannot be used (read-only, missing, not ours) as a one-line
    message and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        from sqlalchemy.exc import OperationalError

        from workbench.audio.errors import AudioError
        from workbench.config import SettingsError
        from workbench.drafts.errors import DraftEngineError
        from workbench.workflow.errors import WorkbenchError

        try:
            return command(*args, **kwargs)
        except (WorkbenchError, AudioError, SettingsError, DraftEngineError) as error:
            message = str(error)
        except OperationalError as error:
            message = f"cannot use the database: {error.orig}"
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            message = f"{error.strerror or error}{where}"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1)

    return run

# --- audio -------------------------------------------------------------------------

@app.command()
@_fail_cleanly
def process(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Audio or video file (wav, flac, mp3, ogg, m4a, mp4, mov, webm, ...)."),
    out: Path = typer.Option(..., "--out", help="Output directory; must not exist yet or be empty."),
    language: str = typer.Option("ko", help="Language of the speech: ko, en, zh or ja."),
    min_pause: float = typer.Option(None, help="Split at pauses at least this long, seconds (default 0.3)."),
    max_segment: float = typer.Option(None, help="Longest segment, seconds; longer ones split at their quietest point (default 20)."),
    padding: float = typer.Option(None, help="Seconds added at each segment edge (default 0.15)."),
    vad_aggressiveness: int = typer.Option(None, help="webrtcvad mode 0 (keeps most) to 3 (default 3)."),
    target_lufs: float = typer.Option(None, help="Loudness target, LUFS (default -23)."),
    max_gain: float = typer.Option(None, help="Most gain applied to reach the target, dB (default 20)."),
    true_peak: float = typer.Option(None, help="True-peak ceiling, dBTP (default -1)."),
    denoise: bool = typer.Option(None, "--denoise/--no-denoise", help="Spectral denoising when it helps (default on)."),
    second_opinion: bool = typer.Option(None, "--second-opinion/--no-second-opinion",
                                        help="Ask Silero VAD where webrtcvad is unsure, if the [silero] extra is installed (default on)."),
) -> None:
    """Decode INPUT, cut it into one-sentence segments, denoise and normalise it into --out."""
    from workbench.audio.pipeline import PipelineSettings, process_file

    chosen = {
        "min_pause_s": min_pause, "max_segment_s": max_segment, "padding_s": padding,
        "vad_aggressiveness": vad_aggressiveness, "target_lufs": target_lufs, "max_gain_db": max_gain,
        "true_peak_ceiling_dbtp": true_peak, "denoise": denoise, "second_opinion": second_opinion,
    }
    result = process_file(input_path, out, language=language,
                          settings=PipelineSettings(**{k: v for k, v in chosen.items() if v is not None}))
    report = result.report
    typer.echo(f"{len(result.segments)} segments, {report['segments']['speech_seconds']:.1f} s of speech "
               f"in {report['input']['duration']:.1f} s; loudness {report['loudness']['after_lufs']} LUFS, "
               f"denoised: {'yes' if report['denoise']['applied'] else 'no'} ({report['denoise']['reason']})")
    opinion = report["segments"]["second_opinion"]
    typer.echo(f"second opinion: Silero heard {opinion['seconds_heard']:.1f} s, dropped {opinion['dropped']}, split {opinion['splits']}"
               if opinion["used"] else f"second opinion: not used ({opinion['reason']})")
    if "note" in report:
        typer.echo(report["note"])
    typer.echo(f"wrote {result.out_dir}")

# --- store / workflow ---------------------------------------------------------------

users_app = typer.Typer(no_args_is_help=True, help="Accounts and applications (admin).")
clips_app = typer.Typer(no_args_is_help=True, help="Import and follow clips (admin).")
tasks_app = typer.Typer(no_args_is_help=True, help="Tasks (admin).")
app.add_typer(users_app, name="users")
app.add_typer(clips_app, name="clips")
app.add_typer(tasks_app, name="tasks")
drafts_app = typer.Typer(no_args_is_help=True, help="Machine drafts: which engine drafts what (admin).")
app.add_typer(drafts_app, name="drafts")

AS_ADMIN = typer.Option(None, "--as", help="Admin account to act as (default: the first admin).")


def _workbench():
    from workbench.config import keep_files_private
    from workbench.workflow.service import Workbench

    keep_files_private()
    return Workbench.open()


def _admin(wb, username: str | None):
    """The admin the command acts as: the CLI runs on the server, so it may act as any admin."""
    actor = wb.actor(username) if username else wb.first_admin()
    if actor is None or not actor.is_admin:
        raise typer.BadParameter("no admin account: create one with `workbench users add NAME --role admin`")
    return actor


@users_app.command("add")
@_fail_cleanly
def users_add(
    username: str,
    name: str = typer.Option(..., help="Full name."),
    role: list[str] = typer.Option(..., help="admin, reviewer or transcriber; repeat for several."),
    language: str = typer.Option(None, help="The worker's one language: ko, en, zh or ja."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    as_admin: str = AS_ADMIN,
) -> None:
    """Create an approved account (the first account needs no admin: it bootstraps one)."""
    wb = _workbench()
    actor = _admin(wb, as_admin) if wb.first_admin() else None
    user = wb.create_user(actor, username=username, password=password, name=name, roles=set(role),
                          language=language)
    typer.echo(f"created {user.username} ({', '.join(sorted(user.roles))}{', ' + user.language if user.language else ''})")


@users_app.command("approve")
@_fail_cleanly
def users_approve(
    username: str,
    reject: bool = typer.Option(False, "--reject", help="Reject instead of approving."),
    reason: str = typer.Option("", help="Why (required for a rejection)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Approve (or --reject) the pending application of USERNAME."""
    wb = _workbench()
    actor = _admin(wb, as_admin)
    application = wb.pending_application_of(actor, username)
    decided = wb.decide_application(actor, application.id, approve=not reject, reason=reason)
    typer.echo(f"{decided.username}: {decided.status}")


@users_app.command("deactivate")
@_fail_cleanly
def users_deactivate(
    username: str,
    reason: str = typer.Option(..., help="Why (kept in the audit log)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Close USERNAME's account: signed out everywhere, held tasks offered again, history kept."""
    wb = _workbench()
    closed = wb.deactivate_user(_admin(wb, as_admin), username, reason=reason)
    tasks = ", ".join(str(task) for task in closed.released_tasks) or "none"
    typer.echo(f"{closed.user.username}: {closed.user.status}; sessions ended: {closed.sessions_ended}; "
               f"tasks offered again: {tasks}")


@users_app.command("reactivate")
@_fail_cleanly
def users_reactivate(
    username: str,
    reason: str = typer.Option(..., help="Why (kept in the audit log)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Reopen USERNAME's closed account."""
    wb = _workbench()
    user = wb.reactivate_user(_admin(wb, as_admin), username, reason=reason)
    typer.echo(f"{user.username}: {user.status}")


@users_app.command("list")
@_fail_cleanly
def users_list(as_admin: str = AS_ADMIN) -> None:
    """Workers with their grade and task limit, then pending applications."""
    wb = _workbench()
    actor = _admin(wb, as_admin)
    for w in wb.list_workers(actor):
        rate = "-" if w.return_rate is None else f"{w.return_rate:.0%}"
        typer.echo(f"{w.username:<16} {','.join(sorted(w.roles)):<22} {w.language or '-':<3} {w.status:<9} "
                   f"grade {w.grade:<4} max {w.max_tasks} held {w.tasks_held} returned {rate} "
                   f"penalties {w.penalties} ({w.penalties_won} won)")
    for a in wb.list_applications(actor):
        typer.echo(f"pending application #{a.id}: {a.username} ({a.name}, {a.language}, document {a.document_name})")


@clips_app.command("import")
@_fail_cleanly
def clips_import(
    paths: list[Path] = typer.Argument(..., help="Audio or video files."),
    language: str = typer.Option(..., help="ko, en, zh or ja."),
    project: str = typer.Option(..., help="Project or client name."),
    priority: int = typer.Option(0, help="Higher is offered first."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Copy files into the data directory and queue their processing (run `workbench worker`)."""
    wb = _workbench()
    actor = _admin(wb, as_admin)
    for path in paths:
        clip = wb.import_clip(actor, filename=path.name, source=path, language=language, project=project,
                              priority=priority)
        typer.echo(f"clip {clip.id}: {clip.filename} {clip.status}")


@clips_app.command("list")
@_fail_cleanly
def clips_list(as_admin: str = AS_ADMIN) -> None:
    """Clips with their processing status."""
    wb = _workbench()
    for c in wb.list_clips(_admin(wb, as_admin)):
        progress = f"{c.stage} {c.percent:.0f}%" if c.status == "processing" else (c.error or "")
        typer.echo(f"{c.id:>5} {c.status:<10} {c.language} {c.project:<16} {c.filename} "
                   f"{c.segment_count} segments {progress}{' · ' + c.draft_progress if c.draft_progress else ''}")


@clips_app.command("draft")
@_fail_cleanly
def clips_draft(clip_id: int, as_admin: str = AS_ADMIN) -> None:
    """Queue a processed clip's machine drafts (again); typed segments are left alone."""
    wb = _workbench()
    clip = wb.redraft_clip(_admin(wb, as_admin), clip_id)
    typer.echo(f"clip {clip.id}: {clip.draft_progress}")


@clips_app.command("retry")
@_fail_cleanly
def clips_retry(clip_id: int, as_admin: str = AS_ADMIN) -> None:
    """Queue a failed clip again."""
    wb = _workbench()
    clip = wb.retry_clip(_admin(wb, as_admin), clip_id)
    typer.echo(f"clip {clip.id}: {clip.status}")


@drafts_app.command("show")
@_fail_cleanly
def drafts_show() -> None:
    """The draft settings (JSON): the engine per project and language."""
    import json

    wb = _workbench()
    typer.echo(f"# {wb.draft_engines.path}")
    typer.echo(json.dumps(wb.draft_engines.config().to_dict(), ensure_ascii=False, indent=2))


@drafts_app.command("set")
@_fail_cleanly
def drafts_set(
    backend: str = typer.Argument(..., help="whisper, openai, fake, or off (no drafts there)."),
    project: str = typer.Option(None, help="Only this project (with --language)."),
    language: str = typer.Option(None, help="Only this language: ko, en, zh or ja."),
    option: list[str] = typer.Option([], help="A backend option as key=value (value JSON or text); repeatable."),
) -> None:
    """Choose the engine that drafts a project and language (most specific wins), e.g.
    `workbench drafts set whisper --language en` or `workbench drafts set off --project acme --language ko`."""
    import json

    from workbench.drafts.registry import BackendChoice, DraftConfig, default_registry
    from workbench.workflow.errors import InvalidInput

    if project is not None and language is None:
        raise InvalidInput("--project needs --language too.")
    options = {}
    for item in option:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise InvalidInput(f"--option {item!r} is not key=value.")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    if backend == "off":
        choice = None
    elif backend in default_registry().names:
        choice = BackendChoice(backend, options)
    else:
        raise InvalidInput(f"Unknown draft backend {backend!r}; choose {', '.join(default_registry().names)} or off.")
    wb = _workbench()
    data = wb.draft_engines.config().to_dict()
    stored = None if choice is None else choice.to_dict()
    if project is not None:
        data["projects"].setdefault(project, {})[language] = stored
    elif language is not None:
        data["languages"][language] = stored
    else:
        data["default"] = stored
    wb.draft_engines.save(DraftConfig.from_dict(data))
    typer.echo(f"drafts for {project or 'every project'} / {language or 'every language'}: {backend}")


@tasks_app.command("list")
@_fail_cleanly
def tasks_list(
    state: str = typer.Option(None, help="open, in_progress, submitted, in_review, returned or complete."),
    language: str = typer.Option(None),
    project: str = typer.Option(None),
    as_admin: str = AS_ADMIN,
) -> None:
    """Tasks with their state, people and segment counts."""
    wb = _workbench()
    for t in wb.list_tasks(_admin(wb, as_admin), state=state, language=language, project=project):
        counts = " ".join(f"{k}={v}" for k, v in sorted(t.counts.items()))
        typer.echo(f"{t.id:>5} {t.state:<11} {t.language} p{t.priority} {t.project:<16} {t.clip_name} "
                   f"transcriber={t.transcriber or '-'} reviewer={t.reviewer or '-'} {counts}")


@tasks_app.command("release")
@_fail_cleanly
def tasks_release(task_id: int, reason: str = typer.Option(..., help="Why (kept in the audit log)."),
                  as_admin: str = AS_ADMIN) -> None:
    """Take a task back from a worker who left: it is offered again (text and history kept)."""
    wb = _workbench()
    task = wb.release_task(_admin(wb, as_admin), task_id, reason=reason)
    typer.echo(f"task {task.id}: {task.state}")


@app.command()
@_fail_cleanly
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
    wb = _workbench()
    typer.echo(f"{queue} worker on {wb.data_dir} ({workers} at once)")
    wb.queue.run_worker(jobs_of(wb), queue=queue, workers=workers)


@app.command()
@_fail_cleanly
def audit(
    task: int = typer.Option(None, help="Only this task's story, from its import on."),
    limit: int = typer.Option(50, help="How many changes, newest first."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Who changed what and when (Seoul time), newest first (admin)."""
    from workbench.pay.calendar import seoul_minute

    wb = _workbench()
    for entry in wb.audit_log(_admin(wb, as_admin), task_id=task, limit=limit):
        typer.echo(f"{seoul_minute(entry.at)}  {entry.actor or 'system':<14} {entry.action:<28} "
                   f"{entry.entity} #{entry.entity_id}  {entry.describe()}".rstrip())


# --- pay ---------------------------------------------------------------------------

pay_app = typer.Typer(no_args_is_help=True, help="Pay: settlements, statements, rates and reports (admin).")
pay_rates_app = typer.Typer(no_args_is_help=True, help="Won per audio minute: per language, and project bonuses.")
app.add_typer(pay_app, name="pay")
pay_app.add_typer(pay_rates_app, name="rates")
SEOUL_TIME = "date-time, e.g. 2026-12-01T14:00 (Asia/Seoul unless it carries an offset)"


@pay_app.command("settle")
@_fail_cleanly
def pay_settle(
    payday: str = typer.Option(..., help="The payday, e.g. 2026-11-30."),
    commit: bool = typer.Option(False, "--commit", help="Record it for good (default: a dry run)."),
    minimum_payout: int = typer.Option(5000, help="Smallest net amount paid, in won; less carries over."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Settle a payday and print each worker's line; --commit records it."""
    from workbench.pay.service import parse_payday, settle

    wb = _workbench()
    settlement = settle(wb, _admin(wb, as_admin), parse_payday(payday), commit=commit,
                        minimum_payout=minimum_payout)
    typer.echo(settlement.describe())


@pay_app.command("statement")
@_fail_cleanly
def pay_statement(
    username: str,
    out: Path = typer.Option(None, "--out", help="Also write it to a .xlsx or .csv file."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print USERNAME's statement: settlements, then every item with its rate and penalties."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import review_statement, statement, statement_lines, write_statement

    wb = _workbench()
    actor = _admin(wb, as_admin)
    lines, items = statement_lines(wb, actor, username), statement(wb, actor, username)
    if out is not None:
        typer.echo(f"wrote {write_statement(lines, items, out)}")
    typer.echo(f"Settlements of {username}:\n{format_table(lines)}\n")
    typer.echo(f"Items:\n{format_table(items)}")
    reviews = review_statement(wb, actor, username)
    if len(reviews):
        typer.echo(f"\nReview rounds:\n{format_table(reviews)}")


@pay_app.command("report")
@_fail_cleanly
def pay_report(
    out: Path = typer.Argument(..., help="A .xlsx file (every report) or a .csv file (one report)."),
    table: str = typer.Option("workers", help="For .csv: workers, languages or totals."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Export the pay reports of every committed settlement."""
    from workbench.pay.service import export_report

    wb = _workbench()
    typer.echo(f"wrote {export_report(wb, _admin(wb, as_admin), out, table=table)}")


@pay_app.command("time")
@_fail_cleanly
def pay_time(
    by: str = typer.Option("username,role,language",
                           help="Group by some of username, role, language, project (comma-separated)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print active time on paid work per group: minutes per audio minute and hourly pay
    against the minimum wage."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import time_on_task

    wb = _workbench()
    groups = tuple(part.strip() for part in by.split(",") if part.strip())
    typer.echo(format_table(time_on_task(wb, _admin(wb, as_admin), by=groups)))


@pay_rates_app.command("set")
@_fail_cleanly
def pay_rates_set(
    language: str,
    won_per_minute: int,
    effective_at: str = typer.Option(..., "--from", help=f"When it takes effect: {SEOUL_TIME}."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Set LANGUAGE's rate to WON_PER_MINUTE from a date-time on (earlier work keeps its rate)."""
    from workbench.pay.service import set_rate

    _set_language_rate(set_rate, language, won_per_minute, effective_at, as_admin)


@pay_rates_app.command("review")
@_fail_cleanly
def pay_rates_review(
    language: str,
    won_per_minute: int,
    effective_at: str = typer.Option(..., "--from", help=f"When it takes effect: {SEOUL_TIME}."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Pay reviewers of LANGUAGE WON_PER_MINUTE per minute of audio reviewed, from a date-time on."""
    from workbench.pay.service import set_reviewer_rate

    _set_language_rate(set_reviewer_rate, language, won_per_minute, effective_at, as_admin)


def _set_language_rate(setter, language: str, won_per_minute: int, effective_at: str, as_admin: str) -> None:
    """Run a pay.service rate setter as the admin and print the history it returns."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import parse_effective_at

    wb = _workbench()
    typer.echo(format_table(setter(wb, _admin(wb, as_admin), language, won_per_minute,
                                   parse_effective_at(effective_at))))


@pay_rates_app.command("bonus")
@_fail_cleanly
def pay_rates_bonus(
    project: str,
    won_per_minute: int,
    basis: str = typer.Option("source", help="Minutes the bonus pays: source (the clip) or speech."),
    effective_at: str = typer.Option(..., "--from", help=f"When it takes effect: {SEOUL_TIME}."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Give PROJECT a bonus of WON_PER_MINUTE on top of the language rate (0 ends it)."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import parse_effective_at, set_project_rate

    wb = _workbench()
    typer.echo(format_table(set_project_rate(wb, _admin(wb, as_admin), project, won_per_minute,
                                             parse_effective_at(effective_at), basis=basis)))


@pay_rates_app.command("list")
@_fail_cleanly
def pay_rates_list(as_admin: str = AS_ADMIN) -> None:
    """Print every rate and project bonus ever set."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import project_rate_history, rate_history, reviewer_rate_history

    wb = _workbench()
    actor = _admin(wb, as_admin)
    typer.echo(f"Rates:\n{format_table(rate_history(wb, actor))}\n")
    typer.echo(f"Project bonuses:\n{format_table(project_rate_history(wb, actor))}\n")
    typer.echo(f"Reviewer rates:\n{format_table(reviewer_rate_history(wb, actor))}")


# --- export ------------------------------------------------------------------------


@app.command("export")
@_fail_cleanly
def export_dataset(
    fmt: str = typer.Option(..., "--format", help="nemo, hf (Hugging Face audiofolder), kaldi or csv."),
    out: Path = typer.Option(..., "--out", help="Directory to write; an earlier export there is replaced."),
    language: str = typer.Option(None, help="Only clips of this language (ko, en, zh, ja)."),
    project: str = typer.Option(None, help="Only clips of this project."),
    clip: list[int] = typer.Option(None, "--clip", help="Only this clip id; repeat for several."),
    audio: str = typer.Option("clean", help="clean (processed) or original audio."),
    sample_rate: str = typer.Option("16000", "--sample-rate", help="Hz, or 'original' for the source's own rate."),
    text: str = typer.Option("spelling", help="spelling, pronunciation or both (two columns)."),
    seed: int = typer.Option(0, help="Seed of the train/dev/test split."),
    splits: str = typer.Option("0.8,0.1,0.1", help="train,dev,test shares of each language's audio."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Export accepted segments as a dataset, with a quality report in OUT/report/."""
    from workbench.export import run_export

    wb = _workbench()
    result = run_export(wb, _admin(wb, as_admin), fmt=fmt, out_dir=out, language=language, project=project,
                        clip_ids=clip or None, audio=audio, sample_rate=sample_rate, text=text, seed=seed,
                        splits=splits)
    typer.echo(result.summary())
    typer.echo(f"quality report: {result.out_dir / result.report}")


# --- serve / demo ------------------------------------------------------------------


@app.command()
@_fail_cleanly
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(7860, help="Port to listen on."),
    worker: bool = typer.Option(True, help="Also run a queue worker so uploads get processed."),
    workers: int = typer.Option(1, min=1, help="Web processes over the same store, on PORT and the ports after "
                                "it; Gradio's pages need a proxy that keeps each browser on one (README)."),
    parent_pid: int = typer.Option(None, hidden=True, help="Exit when this process (the parent) dies."),
) -> None:
    """Serve the web app over the existing store in WORKBENCH_DATA_DIR."""
    from workbench.config import Settings, keep_files_private
    from workbench.ui.serve import serve_forever

    if parent_pid is not None:
        from workbench.lifeline import exit_with_parent

        exit_with_parent(parent_pid)
    keep_files_private()
    serve_forever(Settings.from_env(), host=host, port=port, start_worker=worker, workers=workers)


# --- gold work (workflow/gold.py) ----------------------------------------------------

gold_app = typer.Typer(no_args_is_help=True, help="Gold work: references, and the scores of the copies (admin).")
app.add_typer(gold_app, name="gold")


@gold_app.command("mark")
@_fail_cleanly
def gold_mark(
    clip: int = typer.Option(None, "--clip", help="Make every accepted segment of this clip gold."),
    segment: list[int] = typer.Option([], "--segment", help="Make this accepted segment gold (repeat)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Make accepted segments (or a whole clip's) gold references."""
    wb = _workbench()
    marked = wb.mark_gold(_admin(wb, as_admin), clip_id=clip, segment_ids=segment)
    typer.echo(f"{marked} segment(s) made gold")


@gold_app.command("import")
@_fail_cleanly
def gold_import(
    output_dir: Path = typer.Argument(..., help="A processed clip's folder (clean.flac, original.flac)."),
    references: Path = typer.Option(..., "--references", help="CSV (start,end,text) or JSON of the reference."),
    language: str = typer.Option(..., help="ko, en, zh or ja."),
    project: str = typer.Option(..., help="The project whose work it checks."),
    name: str = typer.Option(None, help="The clip's file name (default: the folder's name)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Import a processed clip with its reference transcript as gold (never offered as work)."""
    from workbench.workflow.gold import read_references

    wb = _workbench()
    clip = wb.import_gold_clip(_admin(wb, as_admin), filename=name or output_dir.name, language=language,
                               project=project, references=read_references(references), output_dir=output_dir)
    typer.echo(f"imported clip {clip.id} with {clip.segment_count} gold segment(s)")


@gold_app.command("scores")
@_fail_cleanly
def gold_scores(
    username: str = typer.Option(None, "--user", help="Only this worker's scores."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print gold scores, newest first: worker, project, CER, WER, tags, notation, passed."""
    wb = _workbench()
    for s in wb.gold_scores(_admin(wb, as_admin), username=username):
        wer = "-" if s.wer is None else f"{s.wer:.3f}"
        typer.echo(f"{s.scored_at:%Y-%m-%d %H:%M} {s.username} {s.project} {s.language} segment {s.segment_id} "
                   f"cer {s.cer:.3f} wer {wer} tags {'ok' if s.tags_match else 'wrong'} "
                   f"notation {'ok' if s.notation_match else 'wrong'} {'passed' if s.passed else 'failed'}")


@app.command()
@_fail_cleanly
def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(7860, help="Port to listen on."),
    serve_app: bool = typer.Option(True, "--serve/--no-serve", help="Serve after seeding."),
) -> None:
    """Seed a demo store (sample clips processed, one login per role and language) and serve it."""
    from workbench.config import Settings, keep_files_private
    from workbench.demo import drafts_note, format_logins, seed_demo
    from workbench.ui.serve import serve_forever

    keep_files_private()
    settings = Settings.from_env()
    typer.echo(format_logins(seed_demo(settings)))
    typer.echo(drafts_note())
    if serve_app:
        serve_forever(settings, host=host, port=port, start_worker=True)


if __name__ == "__main__":
    app()
