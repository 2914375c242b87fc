"""The period report in Markdown: headline figures, severity distribution, MTTR by month, the incident
table, SLA credits and the action items still open. Every user string is escaped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..domain.timeutil import format_duration, isoformat_z
from .formatting import money
from .markdown import escape


def _duration(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else "unknown"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["_None._"]
    return ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|",
            *["| " + " | ".join(escape(cell, block=False) for cell in row) + " |" for row in rows]]


def render_period_markdown(report: Any) -> str:
    symbol = report.currency_symbol
    overdue = sum(i.overdue for i in report.open_items)
    lines = [
        f"# Incident period report: {escape(report.period.label)}", "",
        f"- **Period:** {isoformat_z(report.period.start)} to {isoformat_z(report.period.end)} (end excluded)",
        f"- **Filters:** {escape(report.filters.describe())}",
        f"- **Incidents:** {len(report.rows):,}",
        f"- **MTTD:** {_duration(report.mttd)}",
        f"- **MTTA:** {_duration(report.mtta)}",
        f"- **MTTR:** {_duration(report.mttr)}",
        f"- **SLA credits:** {money(report.sla_credits, symbol)}",
        f"- **Open action items:** {len(report.open_items):,} ({overdue:,} overdue)",
        f"- **Generated:** {isoformat_z(report.generated_at)} with rules {report.rules_version or 'none'}",
        "", "## Severity distribution", "",
        *_table(["Severity", "Incidents"], [[level, str(n)] for level, n in report.severity.items()]),
        "", "## By month", "",
        *_table(["Month", "Incidents", "MTTR"], [[m.label, str(m.count), _duration(m.mttr)] for m in report.months]),
        "", "## Incidents", "",
        *_table(["Incident", "Started", "Severity", "Status", "Title", "SLA credit"],
                [[r.summary.id, isoformat_z(r.summary.clock.started_at or r.summary.clock.declared_at),
                  r.summary.severity or "-", r.summary.status.value, r.summary.title,
                  money(r.sla_credit, symbol) if r.sla_credit else "-"] for r in report.rows]),
        "", "## Action items still open", "",
        *_table(["Incident", "Action", "Owner", "Due", "Status"],
                [[i.incident_id, i.item.title, i.item.owner, i.item.due.isoformat() if i.item.due else "not set",
                  i.item.status.label + (" (overdue)" if i.overdue else "")] for i in report.open_items]),
        "",
    ]
    return "\n".join(lines)
