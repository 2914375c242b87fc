"""Period reports: every incident of a month, a quarter or a custom range (with filters), and their figures.

The report reads only the workspace's incident summaries (never the per-incident files), so a quarter of
10,000 incidents stays fast: the incident table, the severity distribution, MTTD/MTTA/MTTR (overall and
per month), the SLA credits the rules assess for each incident, and the action items still open.
Incidents belong to the period in which their impact started (or, when unknown, they were declared).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..domain import DomainError, metrics
from ..domain.incident import ActionItem
from ..domain.summary import IncidentSummary
from ..domain.timeutil import parse_instant
from .desk import Desk

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive
    label: str


@dataclass(frozen=True)
class Filters:
    severities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def keep(self, summary: IncidentSummary) -> bool:
        return ((not self.severities or (summary.severity or "") in self.severities)
                and (not self.types or summary.type in self.types)
                and (not self.services or any(s in self.services for s in summary.services))
                and (not self.statuses or summary.status.value in self.statuses))

    def describe(self) -> str:
        parts = [f"{name} {', '.join(values)}" for name, values in (
            ("severity", self.severities), ("type", self.types), ("service", self.services),
            ("status", self.statuses)) if values]
        return "; ".join(parts) or "all incidents"


@dataclass(frozen=True)
class IncidentRow:
    summary: IncidentSummary
    sla_violated: bool | None
    sla_credit: float | None


@dataclass(frozen=True)
class MonthRow:
    label: str
    count: int
    mttr: timedelta | None


@dataclass(frozen=True)
class OpenItem:
    incident_id: str
    item: ActionItem
    overdue: bool


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    filters: Filters
    generated_at: datetime
    rules_version: str
    level_names: dict[str, str]
    rows: list[IncidentRow]
    severity: dict[str, int]
    mttd: timedelta | None
    mtta: timedelta | None
    mttr: timedelta | None
    months: list[MonthRow]
    open_items: list[OpenItem]
    currency_symbol: str = "$"
    digest: str = field(default="")

    @property
    def sla_credits(self) -> float:
        return round(sum(r.sla_credit or 0.0 for r in self.rows), 2)


def _first_of_month(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=timezone.utc)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return _first_of_month(index // 12, index % 12 + 1)


def _instant(value: str, option: str, *, end: bool = False) -> datetime:
    """A date (whole day; `end` means through that day) or an ISO instant."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = datetime.combine(date.fromisoformat(value), datetime.min.time(), timezone.utc)
            return day + timedelta(days=1) if end else day
        return parse_instant(value)
    except ValueError as error:
        raise DomainError(f"{option}: '{value}' is not a date (YYYY-MM-DD) or an instant ({error})") from None


def parse_period(*, month: str | None = None, quarter: str | None = None, start: str | None = None,
                 end: str | None = None) -> Period:
    """`--month 2025-01`, `--quarter 2025-Q1`, or `--from 2025-01-01 --to 2025-02-15` (the end day included)."""
    chosen = [name for name, value in (("--month", month), ("--quarter", quarter)) if value]
    if start or end:
        chosen.append("--from/--to")
    if len(chosen) != 1:
        raise DomainError("choose one period: --month YYYY-MM, --quarter YYYY-QN, or --from DATE --to DATE"
                          + (f" (got {', '.join(chosen)})" if chosen else ""))
    if month:
        match = _MONTH.match(month)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise DomainError(f"--month: '{month}' is not a month such as 2025-01")
        first = _first_of_month(int(match.group(1)), int(match.group(2)))
        return Period(first, _add_months(first, 1), first.strftime("%B %Y"))
    if quarter:
        match = _QUARTER.match(quarter)
        if not match:
            raise DomainError(f"--quarter: '{quarter}' is not a quarter such as 2025-Q1")
        first = _first_of_month(int(match.group(1)), 3 * (int(match.group(2)) - 1) + 1)
        return Period(first, _add_months(first, 3), f"Q{match.group(2)} {match.group(1)}")
    if not (start and end):
        raise DomainError("a custom range needs both --from and --to")
    begin, finish = _instant(start, "--from"), _instant(end, "--to", end=True)
    if finish <= begin:
        raise DomainError(f"--to ({end}) must be after --from ({start})")
    return Period(begin, finish, f"{start} to {end}")


def _anchor(summary: IncidentSummary) -> datetime | None:
    return summary.clock.started_at or summary.clock.declared_at


def period_report(desk: Desk, period: Period, filters: Filters = Filters(), now: datetime | None = None) -> PeriodReport:
    now = now or desk.clock()
    chosen = sorted((s for s in desk.summaries()
                     if (anchor := _anchor(s)) is not None and period.start <= anchor < period.end and filters.keep(s)),
                    key=lambda s: (_anchor(s), s.id))
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    rows = []
    for summary in chosen:
        assessment = ruleset.sla(summary) if ruleset is not None else None
        rows.append(IncidentRow(summary, getattr(assessment, "violated", None),
                                getattr(assessment, "credit_amount", None)))
    levels = tuple(ruleset.level_names) if ruleset is not None else ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
    severity = metrics.severity_distribution(chosen, levels=levels)
    months = [MonthRow(row.window.start.strftime("%Y-%m"), row.count, row.mttr)
              for row in metrics.metrics_by_period(chosen, "monthly", period.start, period.end)
              if row.window.start < period.end]
    today = now.date()
    open_items = [OpenItem(s.id, item, item.is_overdue(today)) for s in chosen for item in s.open_items]
    digest = hashlib.sha256("\n".join(f"{s.id}@{s.revision}" for s in chosen).encode()).hexdigest()
    return PeriodReport(
        period=period, filters=filters, generated_at=now,
        rules_version=ruleset.digest if ruleset is not None else "",
        level_names=dict(ruleset.level_names) if ruleset is not None else {},
        rows=rows, severity=severity, mttd=metrics.mttd(chosen), mtta=metrics.mtta(chosen),
        mttr=metrics.mttr(chosen), months=months, open_items=open_items, digest=digest,
    )


def summary_of(report: PeriodReport) -> dict[str, Any]:
    """The headline figures, for the CLI's one-line answer and for tests."""
    return {"incidents": len(report.rows), "sla_credits": report.sla_credits, "open_action_items":
            len(report.open_items), "severity": report.severity}


PERIOD_FORMATS = {"pdf": ".pdf", "markdown": ".md", "csv": ".csv"}


def export_period(desk: Desk, report: PeriodReport, fmt: str, output: Any, signing: Any = None) -> Any:
    """Write the period report as PDF (optionally signed), Markdown or CSV (the incident table), atomically."""
    from pathlib import Path

    from ..render.csv_export import INCIDENT_HEADER, summary_row, to_csv
    from .exports import ExportError, ExportResult, UnknownFormat, write_atomically
    from .signing import check_key, sign_pdf

    if fmt not in PERIOD_FORMATS:
        raise UnknownFormat(f"unknown period report format '{fmt}'; formats: {', '.join(PERIOD_FORMATS)}")
    if signing is not None:
        if fmt != "pdf":
            raise ExportError(f"only PDF reports can be signed; '{fmt}' is not PDF")
        check_key(signing.key, desk.clock())

    def produce(path: Path) -> None:
        if fmt == "pdf":
            from ..render.pdf.period_report import render_period_pdf

            data = render_period_pdf(report, signing.signer_name if signing else "")
            path.write_bytes(sign_pdf(data, signing, desk.clock()) if signing else data)
        elif fmt == "markdown":
            from ..render.period_markdown import render_period_markdown

            path.write_text(render_period_markdown(report), encoding="utf-8")
        else:
            path.write_text(to_csv(INCIDENT_HEADER, [summary_row(r.summary) for r in report.rows]),
                            encoding="utf-8", newline="")

    size = write_atomically(Path(output), produce)
    return ExportResult(Path(output), fmt, signing is not None, size)
