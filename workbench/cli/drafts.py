"""``workbench drafts``: which engine drafts which project and language, and how much of
each project is held back from drafts."""

from __future__ import annotations

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench
from workbench.cli.table import print_rows


drafts_app = typer.Typer(no_args_is_help=True, help="Machine drafts: which engine drafts what (admin).")


@drafts_app.command("show")
@fail_cleanly
def drafts_show(as_admin: str = AS_ADMIN) -> None:
    """The draft settings (JSON): the engine per project and language; the languages whose
    unclaimed tasks the drafting job re-cuts by their drafts; then, once there is an admin, each project's share of ordinary tasks held back from drafts (one line a project)."""
    import json

    from workbench.workflow.draft_recut import PAUSE_SPLIT, recut_kinds

    wb = open_workbench()
    typer.echo(f"# {wb.draft_engines.path}")
    typer.echo(json.dumps(wb.draft_engines.config().to_dict(), ensure_ascii=False, indent=2))
    typer.echo("# re-cut by their drafts' sentences before anyone claims them (WORKBENCH_RECUT_LANGUAGES): "
               + (", ".join(code + _recut_how(code, recut_kinds(code), PAUSE_SPLIT) for code in wb.policy.recut_languages)
                  or "no language"))
    if as_admin or wb.first_admin() is not None:  # no admin yet: no clip, no project
        typer.echo("# held back from drafts: the share of each project's ordinary tasks served without them")
        print_rows(wb.holdback_shares(acting_admin(wb, as_admin)), holdback_row)


def _recut_how(code: str, kinds: tuple[str, ...], pause_split: tuple[str, ...]) -> str:
    """How a language's re-cut goes, after its code: nothing for the full one (splits and
    merges), else what it takes."""
    parts = ([] if "merge" in kinds else ["splits only"]) + (["at long pauses too"] if code in pause_split else [])
    return f" ({', '.join(parts)})" if parts else ""


def holdback_row(h) -> str:
    """A ``drafts show`` holdback line: project, share, and where it comes from (the gold rate
    and double share it covers), or why the project's tables are refused."""
    from workbench.workflow.holdback import FLOOR

    if h.share is None:
        return f"holdback {h.project:<16} {'-':>6} refused: {h.refusal}"
    source = "set" if h.configured else f"default, at least {FLOOR:.0%}"
    return f"holdback {h.project:<16} {h.share:6.1%} ({source}; gold {h.gold_rate:.1%} + double {h.double_share:.1%})"


@drafts_app.command("set")
@fail_cleanly
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
    wb = open_workbench()
    if choice is not None:  # refused here, not at the first job: building a backend loads no model
        try:
            wb.draft_engines.backend(choice)
        except (TypeError, ValueError, AttributeError) as error:
            raise InvalidInput(f"The {backend} options are refused: {error}") from None
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
