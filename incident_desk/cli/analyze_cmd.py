"""`incident-desk analyze`: the seed's `analyze-incident-response.sh` invocations, accepted as written.

    analyze --severity sev1 --type availability --start
    analyze --post-mortem --incident-id INC-2025-001 --output post-mortem.md
    analyze --report --incident-id INC-2025-001 --format pdf      [--sign --passphrase-env VAR]
    analyze --metrics --period monthly --output metrics.json
    analyze --playbook --type security --output security-playbook.md
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import EXIT_USAGE, AppContext, CliError, pass_app
from .context import open_desk
from .data_cmds import write_output
from .export_cmds import signing_options, signing_request
from .formatting import incident_block
from .metrics_cmd import build_request, metrics_options
from .playbook_cmds import PLAYBOOK_FORMATS, write_playbook
from .metrics_cmd import render as render_metrics
from ..app.metrics_service import PERIODS


@click.command()
@click.option("--start", is_flag=True, help="Declare a new incident and start the response.")
@click.option("--post-mortem", "post_mortem", is_flag=True, help="Write the blameless post-mortem (Markdown).")
@click.option("--report", "report_", is_flag=True, help="Write the incident report.")
@click.option("--metrics", is_flag=True, help="Compute incident metrics for a period.")
@click.option("--playbook", is_flag=True, help="Generate a playbook for an incident type.")
@click.option("--severity", help="With --start: the severity (sev1..sev4).")
@click.option("--type", "type_", help="With --start or --playbook: the incident type.")
@click.option("--title", help="With --start: the title.")
@click.option("--incident-id", help="With --post-mortem or --report.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "md", "json", "csv", "pdf"]), default=None,
              help="Output format (default: text; with --metrics or --playbook, taken from the --output suffix).")
@click.option("--period", type=click.Choice(PERIODS), default="monthly")
@metrics_options
@click.option("--output", "-o", help="Write to this file instead of stdout (a PDF defaults to INC-....pdf).")
@signing_options
@pass_app
def analyze(app: AppContext, start, post_mortem, report_, metrics, playbook, severity, type_, title, incident_id,
            fmt, period, at, start_at, end_at, tz, services, types, severities, commanders, tags, include_drills,
            output, sign, key_name, passphrase_env, reason, location, visible_stamp, timestamp_url):
    """The seed's analyze-incident-response jobs: --start, --post-mortem, --report, --metrics, --playbook."""
    chosen = [name for name, on in (("--start", start), ("--post-mortem", post_mortem), ("--report", report_),
                                    ("--metrics", metrics), ("--playbook", playbook)) if on]
    if len(chosen) != 1:
        raise CliError("choose exactly one of --start, --post-mortem, --report, --metrics, --playbook"
                       + (f" (got {' '.join(chosen)})" if chosen else ""), EXIT_USAGE)
    if (post_mortem or report_) and not incident_id:
        raise CliError(f"{chosen[0]} needs --incident-id INC-YYYY-NNN", EXIT_USAGE)
    if playbook:
        if not type_:
            raise CliError("--playbook needs --type (an incident type such as security)", EXIT_USAGE)
        if fmt not in (None, *PLAYBOOK_FORMATS):
            raise CliError("playbooks are written as markdown or pdf", EXIT_USAGE)
        write_playbook(app, type_, fmt, output)
        return
    if metrics:
        fmt = fmt or _format_from_suffix(output)
        if fmt == "pdf":
            raise CliError("metrics are written as text, markdown, csv or json", EXIT_USAGE)
        if start_at or end_at:
            period = None
        request = build_request(period, at, start_at, end_at, tz, services, types, severities, commanders, tags,
                                include_drills)
        write_output(render_metrics(app, request, fmt), output, "metrics")
        return
    fmt = fmt or "text"
    if report_ and fmt == "csv":
        raise CliError("reports are written as text, markdown or json", EXIT_USAGE)
    from ..app import reporting

    with open_desk(app) as desk:
        if start:
            type_ = type_ or "availability"
            incident = desk.declare(title=title or f"{type_.replace('-', ' ').capitalize()} incident",
                                    type=type_, severity=severity)
            click.echo(f"Declared {incident.id} ({incident.severity.level or 'unclassified'}, {incident.type})")
            click.echo(incident_block(incident))
            return
        if post_mortem:
            write_output(reporting.postmortem_markdown(desk, incident_id), output, "post-mortem")
        elif report_ and fmt == "pdf":
            from ..app import exports

            request = signing_request(desk, sign=sign, key_name=key_name, passphrase_env=passphrase_env,
                                      reason=reason, location=location, visible_stamp=visible_stamp,
                                      timestamp_url=timestamp_url)
            target = Path(output or f"{desk.get(incident_id).id}.pdf")
            result = exports.export_incident(desk, incident_id, "pdf", target, signing=request)
            signed = f", signed by {request.signer_name}" if request else ""
            click.echo(f"Wrote PDF report to {result.path} ({result.size:,} bytes{signed})", err=True)
        elif report_:
            if fmt == "json":
                text = json.dumps(desk.export_incident(incident_id), indent=2, ensure_ascii=False)
            elif fmt in ("markdown", "md"):
                text = reporting.postmortem_markdown(desk, incident_id)
            else:
                text = reporting.text_report(desk, incident_id)
            write_output(text, output, "report")


def _format_from_suffix(output: str | None) -> str:
    suffix = (output or "").rsplit(".", 1)[-1].lower() if output and "." in output else ""
    return {"json": "json", "md": "markdown", "markdown": "markdown", "csv": "csv"}.get(suffix, "text")
