"""`incident-desk export` (any format, optionally signed), `verify FILE.pdf` and `period-report`.

    export INC-2025-001 -o inc.json                    # the JSON backup `import` reads (default format)
    export INC-2025-001 --format pdf -o report.pdf --sign --passphrase-env KEY_PASS
    verify report.pdf --trust ca.pem                   # exit 1 unless every check passes
    period-report --quarter 2025-Q1 --severity sev1 -o q1.pdf
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .common import EXIT_CHECK_FAILED, EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_USAGE, AppContext, CliError, emit, \
    json_option, pass_app
from .context import open_desk

TEXT_TO_STDOUT = {"json", "text", "markdown", "csv", "timeline-csv", "actions-csv"}


def signing_options(command: Callable) -> Callable:
    """`--sign`, `--key`, `--passphrase-env`, `--reason`, `--location`, `--stamp`, `--timestamp-url`."""
    options = [
        click.option("--sign", is_flag=True, help="Sign the PDF with your key (PAdES). Fails closed: no file "
                                                   "is written when the key cannot sign."),
        click.option("--key", "key_name", metavar="NAME", help="Sign with this key (implies --sign); default: "
                                                               "$INCIDENT_DESK_KEY or your only key."),
        click.option("--passphrase-env", "passphrase_env", metavar="VAR",
                     help="Read the key's passphrase from this environment variable instead of asking."),
        click.option("--reason", help="Reason written in the signature (default from exports.yaml)."),
        click.option("--location", help="Location written in the signature."),
        click.option("--stamp", "visible_stamp", is_flag=True, default=None,
                     help="Add a visible signature stamp on the first page."),
        click.option("--timestamp-url", metavar="URL",
                     help="RFC 3161 timestamp server (default from exports.yaml; none: works offline)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def signing_request(desk: Any, *, sign: bool, key_name: str | None, passphrase_env: str | None,
                    reason: str | None, location: str | None, visible_stamp: bool | None,
                    timestamp_url: str | None) -> Any:
    """The opened key and signature details, or None when no signature was asked for."""
    if not (sign or key_name):
        if passphrase_env or visible_stamp or timestamp_url:
            raise CliError("--passphrase-env, --stamp and --timestamp-url apply only with --sign", EXIT_USAGE)
        return None
    from ..app import keys
    from ..app.exports import open_signing_request
    from .passphrase import read_passphrase

    passphrase = read_passphrase(passphrase_env)
    try:
        return open_signing_request(desk, key_name, passphrase, reason=reason, location=location,
                                    visible_stamp=visible_stamp, timestamp_url=timestamp_url)
    except keys.KeyProblem as problem:
        code = EXIT_NOT_FOUND if getattr(problem, "kind", "") == "not_found" else EXIT_REFUSED
        raise CliError(f"cannot sign: {problem}; nothing was written", code) from None


def known_format(desk: Any, fmt: str) -> Any:
    """The exporter for `fmt`; an unknown format is a usage error that lists the formats."""
    from ..app import exports

    try:
        return exports.exporter(desk, fmt)
    except exports.UnknownFormat as error:
        raise CliError(str(error), EXIT_USAGE) from None


def _print_file(path: Path) -> None:
    data = path.read_bytes()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


@click.command()
@click.argument("incident_id")
@click.option("--format", "-f", "fmt", default="json", show_default=True, metavar="FORMAT",
              help="An export format: text, markdown, json, csv, timeline-csv, actions-csv, pdf, or one a "
                   "plugin adds.")
@click.option("--output", "-o", help="Write to this file (default: stdout for text formats, INC-....pdf for PDF).")
@click.option("--tz", default="UTC", show_default=True, help="Time zone of clock times: UTC, local or an IANA name.")
@signing_options
@pass_app
def export(app: AppContext, incident_id, fmt, output, tz, sign, key_name, passphrase_env, reason, location,
           visible_stamp, timestamp_url):
    """Export one incident: JSON backup (default, what `import` reads), report, post-mortem, CSV or signed PDF."""
    from ..app import exports, reporting

    with open_desk(app) as desk:
        provided = known_format(desk, fmt)
        request = signing_request(desk, sign=sign, key_name=key_name, passphrase_env=passphrase_env,
                                  reason=reason, location=location, visible_stamp=visible_stamp,
                                  timestamp_url=timestamp_url)
        zone = reporting.time_zone(tz)
        to_stdout = output == "-" or (not output and provided.name in TEXT_TO_STDOUT and request is None)
        if to_stdout:  # made whole in a temporary folder first, then printed (a PDF too, with `-o -`)
            with tempfile.TemporaryDirectory(prefix="incident-desk-export-") as folder:
                result = exports.export_incident(desk, incident_id, provided.name, Path(folder) / "export",
                                                 signing=request, tz=zone)
                _print_file(result.path)
            return
        target = Path(output) if output else exports.default_output(desk.get(incident_id).id, provided)
        result = exports.export_incident(desk, incident_id, provided.name, target, signing=request, tz=zone)
    signed = f", signed by {request.signer_name}" if request else ""
    click.echo(f"Wrote {result.format} export of {incident_id.upper()} to {result.path} ({result.size:,} bytes"
               f"{signed})", err=True)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--trust", "trust", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A trusted root certificate (PEM or DER); repeat for several. Default: your own keys.")
@json_option
@pass_app
def verify(app: AppContext, file, trust, as_json):
    """Check a signed PDF report: signer, signing time, integrity, whole-file coverage, trust, audit head."""
    from ..app.verify import VerifyProblem, verify_pdf
    from ..app.face_support import StoreError

    lookup = None
    try:
        with open_desk(app) as desk:
            def lookup(incident_id: str) -> Any:
                try:
                    return desk.audit_trail(incident_id)
                except StoreError:
                    return None
            report = verify_pdf(file, list(trust), lookup)
    except CliError:
        try:
            report = verify_pdf(file, list(trust), None)  # no workspace here: check the file alone
        except VerifyProblem as problem:
            raise CliError(str(problem), EXIT_NOT_FOUND if not file.exists() else EXIT_REFUSED) from None
    except VerifyProblem as problem:
        raise CliError(str(problem), EXIT_NOT_FOUND if not file.exists() else EXIT_REFUSED) from None

    def human(_: object) -> str:
        lines = [f"File:          {report.path}",
                 f"Signer:        {report.signer or 'unknown'}",
                 f"Signing time:  {report.signing_time.isoformat() if report.signing_time else 'unknown'}",
                 f"Incident:      {report.incident_id or 'unknown'}",
                 f"Audit head:    {report.audit_head or 'none'}"]
        lines += [f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}" for c in report.checks]
        lines.append("VALID: every check passed" if report.ok else "INVALID: at least one check failed")
        return "\n".join(lines)

    emit(report.as_dict(), as_json, human)
    if not report.ok:
        raise SystemExit(EXIT_CHECK_FAILED)


@click.command(name="period-report")
@click.option("--month", metavar="YYYY-MM", help="A calendar month, e.g. 2025-01.")
@click.option("--quarter", metavar="YYYY-QN", help="A calendar quarter, e.g. 2025-Q1.")
@click.option("--from", "start", metavar="DATE", help="Custom range start (YYYY-MM-DD or an ISO instant).")
@click.option("--to", "end", metavar="DATE", help="Custom range end (a date is included whole).")
@click.option("--severity", "severities", multiple=True, metavar="LEVEL", help="Only this level (repeatable), e.g. sev1.")
@click.option("--type", "types", multiple=True, help="Only this incident type (repeatable).")
@click.option("--service", "services", multiple=True, help="Only incidents touching this service (repeatable).")
@click.option("--status", "statuses", multiple=True, help="Only this status (repeatable), e.g. resolved.")
@click.option("--format", "-f", "fmt", type=click.Choice(["pdf", "markdown", "csv"]), default="pdf",
              show_default=True)
@click.option("--output", "-o", help="Write to this file (default: incidents-<period>.<ext>; '-' prints Markdown/CSV).")
@signing_options
@json_option
@pass_app
def period_report(app: AppContext, month, quarter, start, end, severities, types, services, statuses, fmt, output,
                  sign, key_name, passphrase_env, reason, location, visible_stamp, timestamp_url, as_json):
    """Report on every incident of a month, quarter or range: table, severity, MTTD/MTTA/MTTR, SLA credits,
    open action items (PDF, Markdown or CSV)."""
    import re

    from ..app import period_reports
    from .. import normalize_severity

    try:
        period = period_reports.parse_period(month=month, quarter=quarter, start=start, end=end)
        levels = tuple(normalize_severity(level) for level in severities)
    except Exception as error:  # noqa: BLE001 - DomainError or ValueError from a bad option value
        raise CliError(str(error), EXIT_USAGE) from None
    filters = period_reports.Filters(levels, tuple(t.lower() for t in types), services,
                                     tuple(s.lower() for s in statuses))
    with open_desk(app) as desk:
        request = signing_request(desk, sign=sign, key_name=key_name, passphrase_env=passphrase_env, reason=reason,
                                  location=location, visible_stamp=visible_stamp, timestamp_url=timestamp_url)
        ruleset = desk.rules.ruleset if desk.rules is not None else None
        unknown = [level for level in levels if ruleset is not None and level not in ruleset.level_names]
        if unknown and ruleset is not None:
            raise CliError(f"--severity: unknown level {', '.join(unknown)}; levels: "
                           f"{', '.join(ruleset.level_names)}", EXIT_USAGE)
        report = period_reports.period_report(desk, period, filters)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", period.label).strip("-").lower()
        if output == "-" and fmt != "pdf" and request is None:
            with tempfile.TemporaryDirectory(prefix="incident-desk-period-") as folder:
                result = period_reports.export_period(desk, report, fmt, Path(folder) / "report")
                _print_file(result.path)
            return
        target = Path(output) if output and output != "-" else \
            Path(f"incidents-{slug}{period_reports.PERIOD_FORMATS[fmt]}")
        result = period_reports.export_period(desk, report, fmt, target, request)
    headline = period_reports.summary_of(report)
    emit({**headline, "path": str(result.path), "format": fmt, "signed": result.signed}, as_json,
         lambda _: f"Wrote {fmt} period report of {period.label} to {result.path}: {headline['incidents']:,} "
                   f"incidents, {headline['open_action_items']:,} open action items"
                   + (f", signed by {request.signer_name}" if request else ""))


COMMANDS = [export, verify, period_report]

