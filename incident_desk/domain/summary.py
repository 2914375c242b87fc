"""The light view of an incident that lists, boards and metrics read without loading timelines.

The store keeps one summary per incident in its index, so the incident list, the action-item board
and workspace metrics never open per-incident files.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field

from .figures import complete_outage
from .incident import ActionItem, Clock, Facts, Incident, Model, Role
from .lifecycle import Status
from .row import IncidentRow as IncidentRow  # re-exported


class IncidentSummary(Model):
    id: str
    revision: int
    title: str
    type: str
    status: Status
    severity: str | None = Field(None, description="Level in force (override, else computed)")
    severity_computed: str | None = None
    overridden: bool = False
    services: list[str] = Field(default_factory=list)
    affected_systems: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    clock: Clock = Field(default_factory=Clock)
    facts: Facts = Field(default_factory=Facts)
    commander: str = ""
    action_items: list[ActionItem] = Field(default_factory=list)
    timeline_count: int = 0
    communications_count: int = 0
    # read by workspace metrics, the maturity assessment and the improvement rules (plain numbers and
    # text, so the index stores them as they are)
    drill: bool = False
    outage_seconds: float | None = Field(None, description="Complete outage (recorded windows, else TTR)")
    sla_credits: float | None = Field(None, description="Credits recorded on the incident")
    postmortem_delay_seconds: float | None = Field(None, description="Post-mortem held - resolved")
    contributing_factors: list[str] = Field(default_factory=list)
    checklist_steps: int = 0
    checklist_done: int = 0

    def overdue_items(self, today: date) -> list[ActionItem]:
        return [a for a in self.action_items if a.is_overdue(today)]

    @property
    def open_items(self) -> list[ActionItem]:
        return [a for a in self.action_items if a.status.is_open]


def summarize(incident: Incident) -> IncidentSummary:
    commanders = incident.current_holders(Role.INCIDENT_COMMANDER)
    return IncidentSummary(
        id=incident.id,
        revision=incident.revision,
        title=incident.title,
        type=incident.type,
        status=incident.status,
        severity=incident.severity.level,
        severity_computed=incident.severity.computed,
        overridden=incident.severity.override is not None,
        services=list(incident.services),
        affected_systems=list(incident.affected_systems),
        tags=list(incident.tags),
        clock=incident.clock.model_copy(),
        facts=incident.facts.model_copy(),
        commander=commanders[-1].person if commanders else "",
        action_items=[a.model_copy() for a in incident.action_items],
        timeline_count=len(incident.timeline),
        communications_count=len(incident.communications),
        drill=incident.drill,
        outage_seconds=_seconds(complete_outage(incident)),
        sla_credits=incident.impact.sla_credits,
        postmortem_delay_seconds=_seconds(_postmortem_delay(incident)),
        contributing_factors=list(incident.investigation.contributing_factors),
        checklist_steps=len(incident.checklist),
        checklist_done=sum(1 for step in incident.checklist if step.done_at is not None),
    )


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _postmortem_delay(incident: Incident) -> timedelta | None:
    held, resolved = incident.postmortem.held_at, incident.clock.resolved_at
    return None if held is None or resolved is None else held - resolved
