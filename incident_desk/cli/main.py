"""Entry point of the `incident-desk` console script: the top-level group, its global options and the table
of commands, each loaded only when it runs (so `--help`, `show` and `list` import only what they use)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import click

from .. import __version__
from .common import EXIT_DATA, EXIT_USAGE, AppContext, CliError, shown

EXIT_INTERNAL = 70

EPILOG = """\b
Exit codes: 0 success; 1 a check failed; 2 usage error; 3 not found;
4 refused (illegal move, bad data, stale revision, invalid rules); 5 data problem
(damaged file, locked workspace); 6 delivery problem; 70 internal error (a bug).
The workspace is --workspace, else $INCIDENT_DESK_WORKSPACE, else the platform's user data folder."""

# Every top-level command, one line each: name -> ("module:attribute" under incident_desk.cli, short help).
# To add a command, write it in its module and add ONE line here (keep the order alphabetical); the module is
# imported only when the command runs, and `--help` lists the short help from this table without importing
# anything. tests/cli/test_lazy_commands.py checks each line: it loads, has that name and that short help
# (the first sentence of the command's docstring), and every command in a module's COMMANDS list is here.
COMMANDS: dict[str, tuple[str, str]] = {
    "ack": ("incident_cmds:acknowledge", "Acknowledge an incident: stamps acknowledged_at and, if it is still "
                                         "declared, moves it to investigating (an incident already further along "
                                         "keeps its status)."),
    "action": ("record_cmds:action", "Action items, tracked to completion across incidents."),
    "analyze": ("analyze_cmd:analyze", "The seed's analyze-incident-response jobs: --start, --post-mortem, "
                                       "--report, --metrics, --playbook."),
    "audit": ("audit_cmds:audit", "The hash-chained audit trail and its checkpoints (see docs/audit.md for what "
                                  "each one proves)."),
    "backup": ("data_cmds:backup", "Take a full snapshot of the workspace now (older snapshots rotate out)."),
    "clocks": ("incident_cmds:clocks", "Response targets, SLA, regulatory deadlines and the next escalation of "
                                       "one incident."),
    "close": ("incident_cmds:close", "Close an incident after its post-mortem."),
    "comms": ("incident_cmds:comms", "The communication log."),
    "declare": ("incident_cmds:declare", "Declare a new incident and classify its severity."),
    "demo": ("data_cmds:demo", "The demo workspace."),
    "edit": ("edit_cmd:edit", "Edit an incident's record (or one --section) as YAML in $EDITOR; validated, "
                              "diffed, applied as one audited change."),
    "escalations": ("rules_cmds:escalations", "Escalation policies: what is due now and what fires next."),
    "export": ("export_cmds:export", "Export one incident: JSON backup (default, what `import` reads), report, "
                                     "post-mortem, CSV or signed PDF."),
    "impact": ("record_cmds:impact", "Customer, business and technical impact."),
    "improvements": ("improvements_cmd:improvements", "Process improvements and recommendations found in the "
                                                      "incident history, with their evidence."),
    "import": ("data_cmds:import_", "Import incidents from JSON files written by `export`; each must match its "
                                    "own audit head."),
    "init": ("data_cmds:init", "Create an empty workspace (the folder comes from --workspace, "
                               "$INCIDENT_DESK_WORKSPACE or the default)."),
    "keys": ("keys_cmds:keys", "Signing keys (X.509 with non-repudiation) for audit checkpoints and signed PDF "
                               "reports."),
    "investigation": ("record_cmds:investigation", "Technical investigation: causes, contributing factors, 5 whys."),
    "list": ("incident_cmds:list_", "List incidents, newest first, with filters."),
    "maturity": ("maturity_cmd:maturity", "Score the workspace against rules/maturity.yaml: level per dimension, "
                                          "evidence, what the next level needs."),
    "metrics": ("metrics_cmd:metrics", "Workspace figures for a period, with their trends against the period "
                                       "before."),
    "mitigate": ("incident_cmds:mitigate", "Mark mitigated: the fix is in, now monitoring."),
    "notify": ("notify_cmds:notify", "Render TEMPLATE for INCIDENT_ID, log it, and send it through notifiers "
                                     "(via the outbox)."),
    "open": ("open_cmd:open_command", "Open the desktop window on the workspace."),
    "outbox": ("notify_cmds:outbox", "Messages waiting to be delivered, and those that failed (`outbox` alone "
                                     "lists them)."),
    "playbook": ("playbook_cmds:playbook", "Response playbooks per incident type (rules/playbooks/*.yaml), drills "
                                           "and checklists."),
    "plugins": ("notify_cmds:plugins_command", "List loaded plugins, where each came from, what it provides, and "
                                               "what failed to load."),
    "period-report": ("export_cmds:period_report", "Report on every incident of a month, quarter or range: table, "
                                                   "severity, MTTD/MTTA/MTTR, SLA credits, open action items (PDF, "
                                                   "Markdown or CSV)."),
    "postmortem": ("record_cmds:postmortem", "The blameless post-mortem."),
    "regulatory": ("regulatory_cmds:regulatory", "Regulatory reporting: record the filings that meet the deadlines "
                                                 "of regulatory.yaml."),
    "reindex": ("data_cmds:reindex", "Rebuild the incident list index from the incident files."),
    "remediation": ("record_cmds:remediation", "Remediation actions by phase."),
    "report": ("data_cmds:report", "The incident report: the seed's \"Incident Response Analysis\" layout (text), "
                                   "Markdown post-mortem or JSON."),
    "resolve": ("incident_cmds:resolve", "Resolve an incident (stamps resolved_at)."),
    "restore": ("data_cmds:restore", "Put a damaged incident file aside (bytes untouched) and restore its newest "
                                     "backup."),
    "role": ("role_cmds:role", "Incident roles (the workspace's roles.yaml adds to the seed's five), "
                               "assignments and handovers."),
    "rules": ("rules_cmds:rules", "Check, explain and backtest the rule files."),
    "set": ("incident_cmds:set_", "Change facts, identity fields or clock of an incident; the severity is "
                                  "classified again."),
    "severity": ("record_cmds:severity", "Manual severity overrides (kept beside the computed level)."),
    "show": ("incident_cmds:show", "Show one incident (the full report is `incident-desk report`)."),
    "status": ("incident_cmds:status", "Move an incident to any legal status."),
    "timeline": ("incident_cmds:timeline", "The incident's timeline."),
    "verify": ("export_cmds:verify", "Check a signed PDF report: signer, signing time, integrity, whole-file "
                                     "coverage, trust, audit head."),
    "watch": ("notify_cmds:watch", "Fire due escalations and deliver the outbox until stopped (SIGTERM or Ctrl-C "
                                   "stop it cleanly)."),
}


def load_command(name: str) -> click.Command:
    """Import the module of one table entry and return its command."""
    target, _ = COMMANDS[name]
    module_name, attribute = target.split(":")
    return getattr(import_module(f"{__package__}.{module_name}"), attribute)


class LazyGroup(click.Group):
    """A group whose commands come from `COMMANDS` and are imported on first use (click's LazyGroup pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        command = self.commands[cmd_name] = load_command(cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `--help`, from the table's short help: nothing is imported to print it."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands:
                if self.commands[name].hidden:
                    continue
                rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EPILOG)
@click.version_option(__version__, prog_name="incident-desk")
@click.option("--workspace", "-w", type=click.Path(file_okay=False), envvar="INCIDENT_DESK_WORKSPACE",
              help="Workspace folder.")
@click.option("--user", "-u", envvar="INCIDENT_DESK_USER", help="Who is acting (for the audit trail).")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, user: str | None) -> None:
    """Incident Desk: run incidents, classify severity, learn from post-mortems."""
    ctx.obj = AppContext(workspace_path=Path(workspace) if workspace else None, actor=user or "")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; every expected failure is one line on stderr and an exit code."""
    try:
        # without standalone mode click returns (not raises) the code of a `click.exceptions.Exit`
        code = cli.main(args=argv, prog_name="incident-desk", standalone_mode=False)
        if type(code) is int:
            return code
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
        from ..app.face_support import describe_os_error

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
