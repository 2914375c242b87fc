"""Human-readable rendering of lists and records for the terminal (tables, key/value blocks), and
`neutralize`, which every text bound for a terminal passes through: control characters (ESC, CR, BEL...)
and bidirectional overrides (U+202E...) from user data are shown escaped, never interpreted."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from .. import IncidentRow, IncidentView
from ..app.face_support import figures
from ..app.face_support import level_label, role_label
from ..app.face_support import format_duration, format_short_duration, isoformat_z

if TYPE_CHECKING:
    from .. import ActionItem, Incident, IncidentSummary


# C0 and C1 controls, DEL, line/paragraph separators, and the bidi embeddings, overrides, isolates and marks
_BIDI_AND_SEPARATORS = "\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_ALL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_UNSAFE_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def neutralize(text: str, *, keep_lines: bool = False) -> str:
    """`text` safe to print on a terminal: each control or bidi character written as an escape (`\\x1b`,
    `\\r`, `\\u202e`). With `keep_lines`, newlines and tabs stay (a whole block of text); without, the
    result is always one line (a table cell, a title)."""
    pattern = _UNSAFE_KEEP_LINES if keep_lines else _UNSAFE_ALL
    return pattern.sub(_escape, text) if pattern.search(text) else text


_WIDE = {"on": False}


def _set_wide(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    _WIDE["on"] = bool(value)  # called for every run of a command with the option, flag given or not


wide_option = click.option("--wide", is_flag=True, expose_value=False, callback=_set_wide,
                           help="Show every cell whole on a terminal (output to a file or pipe is never cut).")


def cuts_cells() -> bool:
    """Long cells are cut only for a person at a terminal who did not ask for --wide."""
    return not _WIDE["on"] and sys.stdout.isatty()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], max_width: int = 60) -> str:
    """A plain aligned table, one line per row (control characters escaped); on a terminal (without
    --wide) long cells are cut with an ellipsis."""
    cut = cuts_cells()

    def cell(value: object) -> str:
        text = neutralize("" if value is None else str(value))
        return text if not cut or len(text) <= max_width else text[: max_width - 1] + "…"

    grid = [[cell(h) for h in headers]] + [[cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in grid) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in grid]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def when(value: datetime | None) -> str:
    return isoformat_z(value) if value else "-"


def incident_table(incidents: Sequence[IncidentRow]) -> str:
    rows = []
    for s in incidents:
        duration = ""
        if s.started_at and s.resolved_at:
            duration = format_short_duration(s.resolved_at - s.started_at)
        rows.append([s.id, s.severity or "-", s.status.value, s.type, when(s.started_at), duration,
                     s.commander or "-", s.title])
    if not rows:
        return "No incidents match."
    return table(["ID", "SEV", "STATUS", "TYPE", "STARTED", "TTR", "COMMANDER", "TITLE"], rows)


def incident_block(incident: Incident | IncidentView) -> str:
    """A compact overview of one incident; the full report is `incident-desk report`."""
    view = incident if isinstance(incident, IncidentView) else IncidentView.of(incident)
    c = view.clock
    lines = [
        f"{view.id}  {neutralize(view.title)}",
        f"  Status:     {view.status.value}   Severity: {level_label(view.level)}"
        + (f" (override by {view.override.author}: {view.override.reason};"
           f" computed {view.computed or 'none'})" if view.override else ""),
        f"  Type:       {view.type}   Revision: {view.revision}",
        f"  Services:   {', '.join(view.services) or '-'}",
        f"  Systems:    {', '.join(view.affected_systems) or '-'}",
        f"  Started:    {when(c.started_at)}   Alerted: {when(c.alerted_at)}   Declared: {when(c.declared_at)}",
        f"  Acknowledged: {when(c.acknowledged_at)}   Mitigated: {when(c.mitigated_at)}   "
        f"Resolved: {when(c.resolved_at)}   Closed: {when(c.closed_at)}",
    ]
    for name, value in (("TTD", figures.time_to_detect(view)), ("TTA", figures.time_to_acknowledge(view)),
                        ("TTR", figures.time_to_resolve(view))):
        if value is not None:
            lines.append(f"  {name}: {format_duration(value)}")
    if view.facts:
        lines.append("  Facts:      " + ", ".join(f"{k}={v}" for k, v in view.facts))
    if view.holders:
        lines.append("  Roles:      " + "; ".join(f"{role_label(h.role)}: {h.person}" for h in view.holders))
    lines.append(f"  Timeline:   {view.timeline_count} events   Communications: {view.communications_count}"
                 f"   Action items: {view.action_items_count}")
    return "\n".join(lines)


def action_rows(items: Sequence[tuple[IncidentSummary, ActionItem]], today: date) -> str:
    if not items:
        return "No action items match."
    rows = [[s.id, a.id, a.priority.value.upper(), a.status.label, a.due.isoformat() if a.due else "-",
             "OVERDUE" if a.is_overdue(today) else "", a.owner, a.title] for s, a in items]
    return table(["INCIDENT", "ITEM", "PRIORITY", "STATUS", "DUE", "OVERDUE", "OWNER", "TITLE"], rows)
