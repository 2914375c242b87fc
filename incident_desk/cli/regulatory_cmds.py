"""`incident-desk regulatory file`: record that a report was filed with a regulator, meeting a deadline.

Also the one rendering of a regulatory clock (a JSON dict and a line of text) shared with `clocks`.
"""

from __future__ import annotations

from typing import Any

import click

from ..app.face_support import RegulatoryClock
from ..app.face_support import format_short_duration
from .common import AppContext, emit, json_option, pass_app, warn
from .context import open_desk, parse_time
from .formatting import when


def clock_data(clock: RegulatoryClock) -> dict[str, Any]:
    """The JSON form of one regulatory clock."""
    return {"regime": clock.regime, "regime_name": clock.regime_name, "obligation": clock.obligation,
            "name": clock.obligation_name, "due_at": clock.due_at,
            "time_left_seconds": None if clock.time_left is None else clock.time_left.total_seconds(),
            "overdue": clock.overdue, "state": clock.state, "filed_at": clock.filed_at,
            "on_time": clock.on_time, "reference": clock.filing_reference, "why": clock.why}


def clock_status(clock: RegulatoryClock) -> str:
    """`due 2026-03-05T09:00:00Z (71h left)`, `..., filed 2026-03-03T10:00:00Z (on time)`, `due not yet known`."""
    due = f"due {when(clock.due_at)}" if clock.due_at else "due not yet known"
    if clock.filed_at is not None:
        verdict = {True: "on time", False: "late", None: "due time unknown"}[clock.on_time]
        reference = f", reference {clock.filing_reference}" if clock.filing_reference else ""
        return f"{due}, filed {when(clock.filed_at)} ({verdict}{reference})"
    if clock.time_left is None:
        return due
    if clock.overdue:
        return f"{due} (OVERDUE by {format_short_duration(-clock.time_left)})"
    return f"{due} ({format_short_duration(clock.time_left)} left)"


@click.group()
def regulatory() -> None:
    """Regulatory reporting: record the filings that meet the deadlines of regulatory.yaml."""


@regulatory.command(name="file")
@click.argument("incident_id")
@click.argument("regime")
@click.argument("obligation")
@click.option("--at", "at_", help="When the report was filed (ISO-8601, UTC if no offset); default now.")
@click.option("--reference", default="", help="The regulator's case or receipt number.")
@json_option
@pass_app
def file_(app: AppContext, incident_id, regime, obligation, at_, reference, as_json):
    """Record that OBLIGATION of REGIME (ids of regulatory.yaml, e.g. `gdpr supervisory-authority`) was filed."""
    from ..app.clocks import incident_clocks

    filed_at = parse_time(at_, "--at")
    with open_desk(app) as desk:
        incident = desk.record_regulatory_filing(incident_id, regime, obligation, at=filed_at, reference=reference)
        filing = incident.regulatory_filings[-1]
        current = incident_clocks(desk, incident.id)
    clock = next((c for c in current.regulatory if (c.regime, c.obligation) == (filing.regime, filing.obligation)),
                 None)
    if clock is None:
        warn(f"{filing.regime} does not apply to {incident.id} under the current rules; the filing is recorded")
    data = {"incident_id": incident.id, "revision": incident.revision, "filing": filing,
            "clock": None if clock is None else clock_data(clock)}
    emit(data, as_json, lambda _: f"Recorded {incident.id} {filing.regime} {filing.obligation} filed "
                                  f"{when(filing.filed_at)}" + (f": {clock.obligation_name} {clock_status(clock)}"
                                                                if clock is not None else ""))


COMMANDS = [regulatory]
