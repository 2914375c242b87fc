"""`incident-desk playbook ...`: list, render, attach a checklist, tick a step, record a drill."""

from __future__ import annotations

import click

from .common import EXIT_NOT_FOUND, EXIT_USAGE, AppContext, CliError, emit, json_option, pass_app
from .context import open_desk
from .data_cmds import write_output


def render_playbook(app: AppContext, incident_type: str, generator: str = "markdown") -> str:
    from ..app import playbook_service

    with open_desk(app) as desk:
        try:
            return playbook_service.render(desk, incident_type, generator)
        except LookupError as error:
            raise CliError(str(error.args[0]), EXIT_NOT_FOUND) from None


PLAYBOOK_FORMATS = ("markdown", "md", "pdf")


def playbook_format(fmt: str | None, output: str | None) -> str:
    """The chosen format, else the --output suffix (`.pdf`), else Markdown."""
    if fmt:
        return "pdf" if fmt == "pdf" else "markdown"
    return "pdf" if output and output.lower().endswith(".pdf") else "markdown"


def write_playbook(app: AppContext, incident_type: str, fmt: str | None, output: str | None,
                   generator: str = "markdown") -> None:
    """Render the playbook as Markdown (through the generator plugin) or PDF, to stdout or a file."""
    if playbook_format(fmt, output) != "pdf":
        write_output(render_playbook(app, incident_type, generator), output, "playbook")
        return
    from pathlib import Path

    from ..app import exports, playbook_service

    if generator != "markdown":
        raise CliError("--generator selects a text generator; a PDF playbook uses the built-in layout", EXIT_USAGE)
    if output == "-":
        raise CliError("a PDF playbook is written to a file: give --output FILE.pdf", EXIT_USAGE)
    with open_desk(app) as desk:
        target = Path(output or f"{incident_type.strip().lower().replace(' ', '-')}-playbook.pdf")
        try:
            size = playbook_service.export_pdf(desk, incident_type, target)
        except LookupError as error:
            raise CliError(str(error.args[0]), EXIT_NOT_FOUND) from None
        except exports.ExportError as error:
            raise CliError(str(error), 5) from None
    click.echo(f"Wrote PDF playbook to {target} ({size:,} bytes)", err=True)


@click.group()
def playbook() -> None:
    """Response playbooks per incident type (rules/playbooks/*.yaml), drills and checklists."""


@playbook.command("list")
@json_option
@pass_app
def playbook_list(app: AppContext, as_json: bool) -> None:
    """The playbooks of the workspace, by incident type."""
    from ..app import playbook_service

    with open_desk(app) as desk:
        found = playbook_service.playbooks(desk)
    rows = [{"type": t, "title": m.title, "steps": len(m.steps), "file": f} for t, (m, f) in sorted(found.items())]
    emit(rows, as_json, lambda rs: "\n".join(f"{r['type']:<16} {r['title']} ({r['steps']} steps)" for r in rs)
         or "No playbooks.")


@playbook.command("show")
@click.argument("incident_type")
@click.option("--generator", default="markdown", show_default=True, help="Playbook generator plugin.")
@click.option("--format", "fmt", type=click.Choice(PLAYBOOK_FORMATS), default=None,
              help="markdown or pdf (default: from the --output suffix, else markdown).")
@click.option("--output", "-o", help="Write to this file instead of stdout (a PDF defaults to TYPE-playbook.pdf).")
@pass_app
def playbook_show(app: AppContext, incident_type: str, generator: str, fmt: str | None, output: str | None) -> None:
    """Render the playbook for INCIDENT_TYPE with the live severity table and escalation policies."""
    write_playbook(app, incident_type, fmt, output, generator)


@playbook.command("attach")
@click.argument("incident_id")
@click.option("--type", "incident_type", help="Playbook type (default: the incident's type).")
@pass_app
def playbook_attach(app: AppContext, incident_id: str, incident_type: str | None) -> None:
    """Attach a playbook's checklist to an incident."""
    from ..app import playbook_service

    with open_desk(app) as desk:
        try:
            incident = playbook_service.attach(desk, incident_id, incident_type)
        except LookupError as error:
            raise CliError(str(error.args[0]), EXIT_NOT_FOUND) from None
    click.echo(_checklist(incident))


@playbook.command("tick")
@click.argument("incident_id")
@click.argument("step")
@pass_app
def playbook_tick(app: AppContext, incident_id: str, step: str) -> None:
    """Mark a checklist step done (its id or number); the timeline records it."""
    from ..app import playbook_service

    with open_desk(app) as desk:
        incident = playbook_service.tick(desk, incident_id, step)
    click.echo(_checklist(incident))


@playbook.command("drill")
@click.argument("incident_type")
@click.option("--title", help="Title of the drill (default: Drill: <playbook title>).")
@pass_app
def playbook_drill(app: AppContext, incident_type: str, title: str | None) -> None:
    """Record a drill: an exercise incident with the playbook's checklist, left out of production metrics."""
    from ..app import playbook_service

    with open_desk(app) as desk:
        try:
            incident = playbook_service.record_drill(desk, incident_type, title)
        except LookupError as error:
            raise CliError(str(error.args[0]), EXIT_NOT_FOUND) from None
    click.echo(f"Recorded drill {incident.id} ({incident.type})")
    click.echo(_checklist(incident))


def _checklist(incident) -> str:
    lines = [f"{incident.id} checklist:"]
    for n, step in enumerate(incident.checklist, 1):
        mark = "x" if step.done_at else " "
        lines.append(f"  {n:>2}. [{mark}] {step.playbook}/{step.id}: {step.text}")
    return "\n".join(lines)


COMMANDS = [playbook]
