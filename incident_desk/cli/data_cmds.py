"""Commands over whole records and the workspace: init, report, import, backup, demo, open (export: export_cmds)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..app.config import resolve_workspace_path
from .common import AppContext, CliError, emit, json_option, pass_app, shown, warn
from .context import open_desk, translate_errors


def write_output(text: str, output: str | None, what: str) -> None:
    """Print to stdout, or write a file and say where."""
    if not output or output == "-":
        click.echo(shown(text, keep_lines=True), nl=not text.endswith("\n"))
        return
    path = Path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror}", 5) from None
    click.echo(f"Wrote {what} to {path}", err=True)


@click.command()
@pass_app
def init(app: AppContext):
    """Create an empty workspace (the folder comes from --workspace, $INCIDENT_DESK_WORKSPACE or the default)."""
    with open_desk(app, create=True) as desk:
        click.echo(f"Workspace ready at {desk.workspace_path}")


@click.command()
@click.argument("incident_id")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--output", "-o", help="Write to this file instead of stdout.")
@click.option("--tz", default="UTC", show_default=True,
              help="Time zone of clock times in the timeline and log: UTC, local, or e.g. Europe/Paris.")
@pass_app
def report(app: AppContext, incident_id, fmt, output, tz):
    """The incident report: the seed's "Incident Response Analysis" layout (text), Markdown post-mortem or JSON."""
    from ..app import reporting

    with open_desk(app) as desk:
        zone = reporting.time_zone(tz)
        if fmt == "text":
            text = reporting.text_report(desk, incident_id, zone)
        elif fmt == "markdown":
            text = reporting.postmortem_markdown(desk, incident_id, zone)
        else:
            text = json.dumps(desk.export_incident(incident_id), indent=2, ensure_ascii=False)
    write_output(text, output, f"{fmt} report")


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace an incident that already exists.")
@click.option("--allow-unverified", is_flag=True,
              help="Also import old exports (format_version 1) that carry no audit trail to check them against.")
@click.option("--postmortem", is_flag=True,
              help="FILES are Markdown post-mortems in the layout `analyze --post-mortem` writes.")
@json_option
@pass_app
def import_(app: AppContext, files, replace, allow_unverified, postmortem, as_json):
    """Import incidents from JSON files written by `export`; each must match its own audit head.

    With --postmortem, FILES are Markdown post-mortems in the layout the desk exports."""
    imported = []
    with open_desk(app) as desk:
        for name in files:
            path = Path(name)
            if postmortem:
                from ..app.postmortem_import import import_postmortem

                try:
                    text = path.read_text(encoding="utf-8")
                except OSError as error:
                    raise CliError(f"{path}: {error.strerror}", 3) from None
                except UnicodeDecodeError as error:
                    raise CliError(f"{path}: not UTF-8 text ({error.reason})", 4) from None
                imported.append(import_postmortem(desk, text, source=str(path), replace=replace).id)
                continue
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except OSError as error:
                raise CliError(f"{path}: {error.strerror}", 3) from None
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise CliError(f"{path}: not valid JSON ({error})", 4) from None
            incident = desk.import_incident(document, replace=replace, source=str(path),
                                            allow_unverified=allow_unverified)
            imported.append(incident.id)
    emit(imported, as_json, lambda ids: f"Imported {', '.join(ids)}")


@click.command()
@pass_app
def backup(app: AppContext):
    """Take a full snapshot of the workspace now (older snapshots rotate out)."""
    with open_desk(app) as desk:
        path = desk.backup()
    click.echo(f"Snapshot written to {path}")


@click.command()
@click.argument("incident_id")
@click.option("--from", "source", type=click.Path(dir_okay=False, path_type=Path),
              help="Restore from this file instead of the newest backup.")
@pass_app
def restore(app: AppContext, incident_id, source):
    """Put a damaged incident file aside (bytes untouched) and restore its newest backup."""

    with open_desk(app) as desk:
        aside = desk.restore(incident_id, source)
        incident = desk.get(incident_id)
    click.echo(f"Restored {incident.id} (revision {incident.revision}); the damaged file was kept as {aside}")


@click.command()
@pass_app
def reindex(app: AppContext):
    """Rebuild the incident list index from the incident files."""
    with open_desk(app) as desk:
        count = desk.reindex()
    click.echo(f"Index rebuilt from {count} incident files")


@click.group()
def demo() -> None:
    """The demo workspace."""


@demo.command(name="create")
@click.option("--count", default=300, show_default=True, help="Generated incidents besides the seed's.")
@pass_app
def demo_create(app: AppContext, count):
    """Fill the workspace with the seed's INC-2025-001 and generated history (deterministic)."""
    from ..app.demo import create_demo_workspace

    path = resolve_workspace_path(app.workspace_path)
    with translate_errors():
        notices: list[str] = []
        written = create_demo_workspace(path, count=count, actor=app.actor or "demo", notices=notices)
    for notice in notices:
        warn(notice)
    click.echo(f"Demo workspace at {path}: {written} incidents written")


COMMANDS = [init, report, import_, backup, restore, reindex, demo]
