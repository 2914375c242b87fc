"""The clocks of one incident: response targets of its level, SLA, regulatory deadlines, next escalation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain import Incident
from ..engine import RegulatoryClock, SlaAssessment
from ..engine.escalation import NextEscalation
from .desk import Desk


@dataclass
class ResponseTarget:
    """One response target of the incident's level: when it is due and whether it was met."""

    name: str
    target: timedelta
    due_at: datetime | None
    met_at: datetime | None
    time_left: timedelta | None  # negative when overdue and not met

    @property
    def state(self) -> str:
        if self.due_at is None:
            return "unknown"
        if self.met_at is not None:
            return "met" if self.met_at <= self.due_at else "missed"
        return "overdue" if self.time_left is not None and self.time_left < timedelta(0) else "running"


@dataclass
class IncidentClocks:
    incident_id: str
    level: str | None
    now: datetime
    targets: list[ResponseTarget] = field(default_factory=list)
    sla: SlaAssessment | None = None
    regulatory: list[RegulatoryClock] = field(default_factory=list)
    next_escalation: NextEscalation | None = None


def incident_clocks(desk: Desk, incident_id: str, now: datetime | None = None,
                    incident: Incident | None = None) -> IncidentClocks:
    """Every clock that runs for the incident at `now`, from the workspace's rules (`incident`: a copy
    the caller already loaded, to spare a read)."""
    now = now or desk.clock()
    incident = incident if incident is not None else desk.get(incident_id)
    clocks = IncidentClocks(incident.id, incident.severity.level, now)
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    if ruleset is None:
        return clocks
    level = ruleset.level(incident.severity.level) if incident.severity.level else None
    if level is not None and level.response is not None:
        clocks.targets = _targets(incident, level.response, now)
    clocks.sla = ruleset.sla(incident)
    clocks.regulatory = ruleset.regulatory_clocks(incident, now)
    clocks.next_escalation = ruleset.next_escalation(incident, now)
    return clocks


def _targets(incident: Incident, response, now: datetime) -> list[ResponseTarget]:
    clock = incident.clock
    start = clock.started_at or clock.declared_at
    aware = clock.alerted_at or clock.declared_at

    def target(name: str, anchor: datetime | None, within: timedelta, met: datetime | None) -> ResponseTarget:
        due = anchor + within if anchor else None
        left = None if due is None or met is not None else due - now
        return ResponseTarget(name, within, due, met, left)

    return [
        target("acknowledge", aware, response.acknowledge_within, clock.acknowledged_at),
        target("resolve", start, response.resolve_within, clock.resolved_at),
    ]
