"""Entry point of the `incident-desk` console script."""

from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incident-desk")
def cli() -> None:
    """Incident Desk: run incidents, classify severity, learn from post-mortems."""


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="incident-desk", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    return 0
