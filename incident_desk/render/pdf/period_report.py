"""The period report as a PDF: headline figures, severity and MTTR charts, the incident table, SLA
credits and the action items still open. Built from a `PeriodReport` (app/period_reports.py)."""

from __future__ import annotations

from datetime import timedelta
from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Paragraph

from ...domain.timeutil import format_duration, isoformat_z
from ..formatting import money
from .blocks import SUBTITLE, TITLE, fields, gap, section, text
from .charts import bar_chart
from .document import CONTENT_WIDTH, PageFrame, build_pdf
from .fast_table import RowTable
from .fonts import markup


def _duration(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else "unknown"


def compact(value: timedelta) -> str:
    """`3d 4h`, `2h 15m`, `45m`: durations short enough for a table column."""
    minutes = round(value.total_seconds() / 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _ttr(row: Any) -> str:
    clock = row.summary.clock
    if clock.started_at and clock.resolved_at:
        return compact(clock.resolved_at - clock.started_at)
    return "open" if clock.resolved_at is None else "unknown"


def listing(header: list[str], rows: list[list[str]], widths: list[float],
            highlight: Sequence[bool] = ()) -> Any:
    """A one-line-per-row table (see fast_table): a quarter may list ten thousand incidents."""
    if not rows:
        return text("(none)")
    return RowTable(header, rows, [w * CONTENT_WIDTH for w in widths], highlight)


def period_story(report: Any) -> list:
    symbol = report.currency_symbol
    levels = report.severity
    story: list[Any] = [
        Paragraph("Incident Period Report", TITLE),
        Paragraph(markup(f"{report.period.label} · {report.filters.describe()}"), SUBTITLE),
        fields([
            ("Period", f"{isoformat_z(report.period.start)} → {isoformat_z(report.period.end)} (end excluded)"),
            ("Filters", report.filters.describe()),
            ("Incidents", f"{len(report.rows):,}"),
            ("Severity distribution", ", ".join(f"{k}: {v}" for k, v in levels.items()) or "none"),
            ("Mean Time To Detection (MTTD)", _duration(report.mttd)),
            ("Mean Time To Acknowledgment (MTTA)", _duration(report.mtta)),
            ("Mean Time To Resolution (MTTR)", _duration(report.mttr)),
            ("SLA credits (assessed by the rules)", money(report.sla_credits, symbol)),
            ("Open action items", f"{len(report.open_items):,} ({sum(i.overdue for i in report.open_items):,} overdue)"),
            ("Generated", isoformat_z(report.generated_at)),
        ], label_width=0.4),
        gap(4),
        bar_chart("Incidents by severity", list(levels), list(levels.values()), colour_each=True),
        gap(2),
        bar_chart("MTTR by month (hours)", [m.label for m in report.months],
                  [round(m.mttr.total_seconds() / 3600, 1) if m.mttr else 0 for m in report.months], unit="h"),
    ]
    rows = [[r.summary.id, isoformat_z(r.summary.clock.started_at or r.summary.clock.declared_at)[:16].replace("T", " "),
             r.summary.severity or "-", r.summary.status.value, r.summary.title, _ttr(r),
             money(r.sla_credit, symbol) if r.sla_credit else ("-" if r.sla_violated is not True else money(0, symbol))]
            for r in report.rows]
    story += [*section("Incidents"),
              listing(["Incident", "Started (UTC)", "Level", "Status", "Title", "TTR", "SLA credit"], rows,
                      [0.14, 0.17, 0.07, 0.10, 0.30, 0.10, 0.12])]
    credited = [r for r in report.rows if r.sla_credit]
    story += [*section("SLA Credits"),
              text(f"{len(credited)} incident(s) owe SLA credits, {money(report.sla_credits, symbol)} in total, as "
                   "assessed by the SLA rules from each incident's measured availability or outage.")]
    if credited:
        story.append(listing(["Incident", "Severity", "Title", "Credit"],
                             [[r.summary.id, r.summary.severity or "-", r.summary.title, money(r.sla_credit, symbol)]
                              for r in sorted(credited, key=lambda r: -(r.sla_credit or 0))],
                             [0.15, 0.1, 0.57, 0.18]))
    items = [[i.incident_id, i.item.title, i.item.owner, i.item.due.isoformat() if i.item.due else "not set",
              i.item.status.label + (" — OVERDUE" if i.overdue else "")] for i in report.open_items]
    story += [*section("Action Items Still Open"),
              listing(["Incident", "Action", "Owner", "Due", "Status"], items, [0.14, 0.39, 0.17, 0.11, 0.19],
                      highlight=[i.overdue for i in report.open_items])]
    return story


def period_frame(report: Any) -> PageFrame:
    return PageFrame(
        header_left=f"Incident Period Report · {report.period.label}",
        header_right=report.filters.describe(),
        generated=isoformat_z(report.generated_at),
        rules_version=report.rules_version,
        audit_head=report.digest,
        audit_label="incidents digest",
        title=f"Incident Period Report: {report.period.label}",
        author="Incident Desk",
        subject=f"Incidents of {report.period.label} ({report.filters.describe()})",
        keywords=("incident period report", report.period.label, *report.severity),
        info={"IncidentDeskReport": "period", "IncidentDeskPeriod": report.period.label,
              "IncidentDeskIncidentsDigest": report.digest, "IncidentDeskRulesVersion": report.rules_version},
    )


def render_period_pdf(report: Any, signer: str = "") -> bytes:
    frame = period_frame(report)
    if signer:
        frame = PageFrame(**{**frame.__dict__, "author": signer})
    return build_pdf(period_story(report), frame)

