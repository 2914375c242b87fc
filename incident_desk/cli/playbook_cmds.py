"""`incident-desk playbook ...`: list, render, attach a checklist, tick a step, record a drill."""

from __future__ import annotations

import click

from .common import EXIT_NOT_FOUND, AppContext, CliError, emit, json_option, pass_app
from .context import open_desk
from .data_cmds import write_output


def render_playbook(app: AppContext, incident_type: str, generator: str = "markdown") -> str:
    from ..app import playbook_service

    with open_desk(app) as desk:
        try:
            return playbook_service.render(desk, incident_type, generator)
        except LookupError as error:
            raise CliError(str(error.args[0]), EXIT_NOT_FOUND) from None


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
@click.option("--output", "-o", help="Write to this file instead of stdout.")
@pass_app
def playbook_show(app: AppContext, incident_type: str, generator: str, output: str | None) -> None:
    """Render the playbook for INCIDENT_TYPE with the live severity table and escalation policies."""
    write_output(render_playbook(app, incident_type, generator), output, "playbook")


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
