"""Entry point of the `incident-desk` console script: the top-level group and its global options."""

from __future__ import annotations

import click

from .. import __version__
from . import analyze_cmd, data_cmds, incident_cmds, notify_cmds, record_cmds, regulatory_cmds, rules_cmds
from .common import EXIT_DATA, EXIT_USAGE, AppContext, CliError, shown

EXIT_INTERNAL = 70

EPILOG = """\b
Exit codes: 0 success; 1 a check failed; 2 usage error; 3 not found;
4 refused (illegal move, bad data, stale revision, invalid rules); 5 data problem
(damaged file, locked workspace); 6 delivery problem; 70 internal error (a bug).
The workspace is --workspace, else $INCIDENT_DESK_WORKSPACE, else the platform's user data folder."""


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EPILOG)
@click.version_option(__version__, prog_name="incident-desk")
@click.option("--workspace", "-w", type=click.Path(file_okay=False), envvar="INCIDENT_DESK_WORKSPACE",
              help="Workspace folder.")
@click.option("--user", "-u", envvar="INCIDENT_DESK_USER", help="Who is acting (for the audit trail).")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, user: str | None) -> None:
    """Incident Desk: run incidents, classify severity, learn from post-mortems."""
    ctx.obj = AppContext(workspace_path=workspace, actor=user or "")


for module in (incident_cmds, record_cmds, data_cmds, regulatory_cmds):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(analyze_cmd.analyze)
cli.add_command(rules_cmds.rules)
cli.add_command(rules_cmds.escalations)
notify_cmds.register(cli)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; every expected failure is one line on stderr and an exit code."""
    try:
        cli.main(args=argv, prog_name="incident-desk", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except CliError as error:
        error.show()
        return error.exit_code
    except click.UsageError as error:
        error.show()
        return EXIT_USAGE
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    except BrokenPipeError:
        return 0
    except OSError as error:  # the OS refused a file outside the store's own handling (config, output file...)
        from ..store.errors import describe_os_error

        click.echo(f"incident-desk: error: {shown(describe_os_error(error))}", err=True)
        return EXIT_DATA
    except Exception as error:  # a bug: keep the traceback for the report, show the user one line
        log = write_crash_log(error)
        click.echo(f"incident-desk: internal error: {type(error).__name__}: {shown(str(error))} "
                   f"(details written to {log}; please report it)", err=True)
        return EXIT_INTERNAL
    return 0


def write_crash_log(error: Exception) -> str:
    import traceback
    from pathlib import Path

    import platformdirs

    folder = Path(platformdirs.user_log_dir("incident-desk", appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(shown("".join(traceback.format_exception(error)), keep_lines=True) + "\n")
        return str(path)
    except OSError:
        return "(log folder not writable)"
