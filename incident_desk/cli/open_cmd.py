"""`incident-desk open`: the desktop window on the workspace (Qt is imported only when this runs)."""

from __future__ import annotations

import click

from .common import AppContext, CliError, pass_app


@click.command("open")
@click.option("--self-test", is_flag=True, help="Open the window headless, load rules and plugins, exit 0 if all is well.")
@click.option("--create", is_flag=True, help="Create the workspace if it does not exist yet.")
@pass_app
def open_command(app: AppContext, self_test: bool, create: bool) -> None:
    """Open the desktop window on the workspace."""
    from .. import DomainError
    from ..app.face_support import StoreError

    try:
        from ..gui.app import DisplayUnavailable, run
    except ImportError as error:  # a broken Qt install: say so in one line
        raise CliError(f"the desktop window cannot start: {error}", 5) from None
    try:
        code = run(app.workspace_path, actor=app.actor or None, self_test=self_test, create=create)
    except (DomainError, StoreError) as error:
        raise CliError(str(error), 5) from None
    except DisplayUnavailable as error:
        raise CliError(f"the desktop window cannot start: {error}", 5) from None
    if code:
        raise click.exceptions.Exit(code)
