"""CSV tables of incidents, timelines and action items, safe to open in a spreadsheet.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be taken as a
formula by Excel, LibreOffice or Google Sheets (CSV injection). As OWASP advises, such a cell is
prefixed with a single quote, so it is shown as the text it is; everything else is written unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum

from ..domain.incident import Incident
from ..domain.summary import IncidentSummary, summarize
from ..domain.timeutil import isoformat_z

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

INCIDENT_HEADER = ["id", "title", "type", "severity", "status", "services", "started_at", "declared_at",
                   "acknowledged_at", "resolved_at", "commander", "open_action_items"]
TIMELINE_HEADER = ["incident_id", "at", "kind", "text", "source", "author"]
ACTION_HEADER = ["incident_id", "id", "title", "priority", "owner", "due", "recurrence", "status", "overdue"]


def neutralise(value: object) -> str:
    """The cell's text, prefixed with `'` when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return isoformat_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        value = value.value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def incident_row(incident: Incident) -> list[object]:
    return summary_row(summarize(incident))


def summary_row(summary: IncidentSummary) -> list[object]:
    clock = summary.clock
    return [summary.id, summary.title, summary.type, summary.severity or "", summary.status,
            "; ".join(summary.services), clock.started_at, clock.declared_at, clock.acknowledged_at,
            clock.resolved_at, summary.commander, len(summary.open_items)]


def timeline_rows(incident: Incident) -> list[list[object]]:
    return [[incident.id, e.at, e.kind, e.text, e.source, e.author] for e in incident.sorted_timeline()]


def action_rows(incident: Incident, today: date | None = None) -> list[list[object]]:
    return [[incident.id, item.id, item.title, item.priority, item.owner, item.due, item.recurrence or "",
             item.status, "yes" if today is not None and item.is_overdue(today) else "no"]
            for item in incident.action_items]
