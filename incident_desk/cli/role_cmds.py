"""`incident-desk role`: the workspace's incident roles, assignments and handovers.

The roles are the seed's five plus those of `<workspace>/roles.yaml`; `role list` shows them and
`role assign --help` names them, read from the workspace the command runs against.
"""

from __future__ import annotations

import click

from ..app.face_support import role_label
from .common import AppContext, CliError, emit, json_option, pass_app
from .context import open_desk, parse_time
from .formatting import table, when


def _workspace_roles(app: AppContext | None) -> list:
    from ..app.config import resolve_workspace_path
    from ..app.roles_config import load_roles

    path = resolve_workspace_path(app.workspace_path if app else None)
    return load_roles(path)


class _RolesHelp(click.Command):
    """A command whose help ends with the roles of the workspace it runs against."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        try:
            roles = _workspace_roles(ctx.find_object(AppContext))
            listing = ", ".join(r.id for r in roles)
        except Exception as error:  # a broken roles.yaml must not hide the help
            listing = f"(roles.yaml cannot be read: {str(error).splitlines()[0]})"
        with formatter.indentation():
            formatter.write_paragraph()
            formatter.write_text(f"ROLE is one of this workspace's roles: {listing}. Teams add their own in "
                                 f"<workspace>/roles.yaml; `incident-desk role list` describes them.")


@click.group()
def role() -> None:
    """Incident roles (the workspace's roles.yaml adds to the seed's five), assignments and handovers."""


@role.command(name="assign", cls=_RolesHelp)
@click.argument("incident_id")
@click.argument("role_name", metavar="ROLE")
@click.argument("person")
@click.option("--at", "at_", help="When (ISO-8601); default now.")
@click.option("--note", default="")
@click.option("--additional", is_flag=True, help="Add a holder instead of handing over.")
@json_option
@pass_app
def role_assign(app: AppContext, incident_id, role_name, person, at_, note, additional, as_json):
    """Assign a role; the current holder hands over unless --additional (or the role has several holders)."""
    with open_desk(app) as desk:
        incident = desk.assign_role(incident_id, role_name, person, at=parse_time(at_, "--at"), note=note,
                                    additional=additional)
    emit(incident, as_json, lambda i: i.timeline[-1].text)


@role.command(name="relieve", cls=_RolesHelp)
@click.argument("incident_id")
@click.argument("role_name", metavar="ROLE")
@click.argument("person")
@click.option("--at", "at_")
@pass_app
def role_relieve(app: AppContext, incident_id, role_name, person, at_):
    """Stand a person down from a role."""
    with open_desk(app) as desk:
        desk.relieve_role(incident_id, role_name, person, at=parse_time(at_, "--at"))
    click.echo(f"{person} stood down as {role_name}")


@role.command(name="list")
@click.argument("incident_id", required=False)
@json_option
@pass_app
def role_list(app: AppContext, incident_id, as_json):
    """Without INCIDENT_ID: the workspace's roles. With it: every assignment of that incident, with handovers."""
    if incident_id is None:
        try:
            roles = _workspace_roles(app)
        except ValueError as error:
            raise CliError(str(error)) from None
        data = [{"id": r.id, "name": r.name, "description": r.description, "several_holders": r.several_holders,
                 "source": r.source} for r in roles]
        emit(data, as_json, lambda rows: table(
            ["ROLE", "NAME", "HOLDERS", "FROM", "DESCRIPTION"],
            [[r["id"], r["name"], "several" if r["several_holders"] else "one (handover)",
              "default" if r["source"] == "default" else "roles.yaml", r["description"]] for r in rows]))
        return
    with open_desk(app) as desk:
        assignments = desk.get(incident_id).roles
    emit(assignments, as_json, lambda rs: table(["ROLE", "PERSON", "FROM", "UNTIL"],
                                                [[role_label(r.role), r.person, when(r.assigned_at),
                                                  when(r.relieved_at) if r.relieved_at else "(current)"]
                                                 for r in rs])
         if rs else "No roles assigned.")


COMMANDS = [role]
