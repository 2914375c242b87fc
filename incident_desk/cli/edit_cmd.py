"""`incident-desk edit INC-ID [--section S]`: the whole record (or one section) in $EDITOR as YAML.

The edited text is validated against the incident, the diff is shown, and the change is applied as one
audited change. If it does not validate, or the incident changed meanwhile, nothing is applied: the
problems are listed with their line and field and the edited text is kept in a recovery file.
`$EDITOR` may be any command (`EDITOR="sed -i s/old/new/"` edits without a person).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click

from .common import AppContext, CliError, EXIT_REFUSED, EXIT_USAGE, pass_app
from .context import open_desk, translate_errors

SECTION_NAMES = ("identity", "facts", "clock", "roles", "timeline", "communications", "investigation", "impact",
                 "remediation", "postmortem", "actions")


def _editor() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        return shlex.split(command)
    except ValueError as error:
        raise CliError(f"$EDITOR is not a valid command line: {error}", EXIT_USAGE) from None


def _recover(workspace: Path | None, incident_id: str, text: str) -> Path:
    """Keep the edited text where the person can find it and edit again."""
    folder = (workspace / "edits") if workspace is not None else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{incident_id}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@click.command(name="edit")
@click.argument("incident_id")
@click.option("--section", type=click.Choice(SECTION_NAMES),
              help="Edit one section instead of the whole record.")
@click.option("--from-file", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Apply an edited document (e.g. a recovery file) instead of opening $EDITOR.")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking after the diff.")
@pass_app
def edit(app: AppContext, incident_id, section, from_file, yes):
    """Edit an incident's record (or one --section) as YAML in $EDITOR; validated, diffed, applied as one
    audited change. Refused, with the text kept in a recovery file, if invalid or changed meanwhile."""
    from ..app import edit_service
    from ..app.face_support import store_errors

    StaleRevision = store_errors.StaleRevision

    with open_desk(app) as desk:
        incident = desk.get(incident_id)
        original = edit_service.document(incident, section)
        workspace = getattr(desk.workspace, "path", None)
        if from_file is not None:
            edited = from_file.read_text(encoding="utf-8")
        else:
            with tempfile.TemporaryDirectory(prefix="incident-desk-edit-") as folder:
                path = Path(folder) / f"{incident.id}{'-' + section if section else ''}.yaml"
                path.write_text(original, encoding="utf-8")
                try:
                    done = subprocess.run([*_editor(), str(path)], check=False)
                except OSError as error:
                    raise CliError(f"cannot run $EDITOR ({' '.join(_editor())}): {error}", EXIT_USAGE) from None
                if done.returncode != 0:
                    raise CliError(f"the editor exited with status {done.returncode}; nothing changed", EXIT_REFUSED)
                edited = path.read_text(encoding="utf-8")
        if edited == original:
            click.echo(f"{incident.id}: no changes")
            return
        name = f"{incident.id}{'/' + section if section else ''}"
        try:
            edit_service.parse(edited, incident, section, [role.id for role in desk.roles()])
        except edit_service.EditError as error:
            kept = _recover(workspace, incident.id, edited)
            lines = "\n".join(f"  line {line}: {path + ': ' if path else ''}{message}"
                              for line, path, message in error.problems)
            raise CliError(f"{name} not changed: the edited text does not validate:\n{lines}\n"
                           f"Your text is kept in {kept} (fix it, then `incident-desk edit {incident.id} "
                           f"{'--section ' + section + ' ' if section else ''}--from-file {kept}`)") from None
        click.echo(edit_service.diff(original, edited, name), nl=False)
        if not yes and not click.confirm("Apply this change?", default=True):
            kept = _recover(workspace, incident.id, edited)
            click.echo(f"Not applied; your text is kept in {kept}")
            return
        try:
            with translate_errors():
                try:
                    result = edit_service.apply(desk, incident.id, edited, incident.revision, section)
                except StaleRevision as error:
                    kept = _recover(workspace, incident.id, edited)
                    raise CliError(f"{name} not changed: {error}; your text is kept in {kept}") from None
        except CliError as error:
            if "kept in" not in error.message:
                kept = _recover(workspace, incident.id, edited)
                raise CliError(f"{error.message}; your text is kept in {kept}", error.exit_code) from None
            raise
    changed = ", ".join(result.changed) or "nothing"
    click.echo(f"{result.incident.id}: edited {changed} (revision {result.incident.revision}, "
               f"severity {result.incident.severity.level or '-'})")


COMMANDS = [edit]
