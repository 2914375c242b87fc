"""`incident-desk metrics`: workspace figures for a period, with trends, as a table, Markdown, CSV or JSON."""

from __future__ import annotations

import click

from ..app.metrics_service import PERIODS
from .common import EXIT_USAGE, AppContext, CliError, pass_app
from .context import open_desk
from .data_cmds import write_output

FORMAT_CHOICES = ("text", "markdown", "md", "csv", "json")


def metrics_options(function):
    """Options shared by `metrics` and `analyze --metrics`."""
    for option in reversed([
        click.option("--at", help="A day inside the period (default: today), e.g. 2026-11-15."),
        click.option("--from", "start_at", help="Start of a custom range: a date (local midnight) or an ISO time."),
        click.option("--to", "end_at", help="End of a custom range: a date (the whole day counts) or an ISO time."),
        click.option("--tz", help="Time zone of the calendar: UTC, local or an IANA name "
                                  "(default: settings.yaml time_zone, else UTC)."),
        click.option("--service", "services", multiple=True, help="Only incidents affecting this service."),
        click.option("--incident-type", "types", multiple=True, help="Only incidents of this type."),
        click.option("--level", "severities", multiple=True, help="Only incidents at this severity (sev1...)."),
        click.option("--commander", "commanders", multiple=True, help="Only incidents led by this commander."),
        click.option("--tag", "tags", multiple=True, help="Only incidents with this tag (e.g. a team's)."),
        click.option("--include-drills", is_flag=True, help="Count drills (exercise incidents) too."),
    ]):
        function = option(function)
    return function


def build_request(period, at, start, end, tz, services, types, severities, commanders, tags, include_drills):
    from ..app.metrics_service import request_from
    from .. import DomainError

    try:
        return request_from(period=period, at=at, start=start, end=end, tz=tz, services=services, types=types,
                            levels=severities, commanders=commanders, tags=tags, include_drills=include_drills)
    except DomainError as error:
        raise CliError(str(error), EXIT_USAGE) from None


def render(app: AppContext, request, fmt: str) -> str:
    from ..app import metrics_service
    from .. import DomainError

    with open_desk(app) as desk:
        try:
            return metrics_service.render(desk, request, fmt)
        except DomainError as error:
            raise CliError(str(error), EXIT_USAGE) from None


@click.command("metrics")
@click.option("--period", type=click.Choice(PERIODS), default=None,
              help="Calendar period containing --at (default: monthly).")
@metrics_options
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--output", "-o", help="Write to this file instead of stdout.")
@pass_app
def metrics(app: AppContext, period, at, start_at, end_at, tz, services, types, severities, commanders, tags,
            include_drills,
            fmt, as_json, output) -> None:
    """Workspace figures for a period, with their trends against the period before.

    Incident count, severity mix, MTTD/MTTA/MTTR (mean, median, p90), MTBF, availability and SLA
    compliance, credits, revenue loss, action items and post-mortem timeliness."""
    request = build_request(period, at, start_at, end_at, tz, services, types, severities, commanders, tags,
                            include_drills)
    write_output(render(app, request, "json" if as_json else fmt), output, "metrics")


COMMANDS = [metrics]
