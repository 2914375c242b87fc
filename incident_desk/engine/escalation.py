"""Escalation policies: which steps are due at `now`, which fires next, keyed so none fires twice.

A policy has a `when` condition, a trigger (a state such as `unacknowledged`, or a clock, plus `after`),
an optional `repeat {every, max}` and actions. Firing k (0 for the first, 1..max for repeats) is due at
`start + after + k * every` and has the key `<policy id>#<k>`; the incident's EscalationRecords hold the
keys already fired. After downtime every missed firing is returned once, oldest first (nothing is
skipped, nothing collapses); once the state ends (the incident is acknowledged, say) nothing more is due.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..domain.incident import EscalationRecord
from ..domain.lifecycle import Status
from .conditions import Matcher, Node, Row
from .models import ActionModel, PolicyModel


@dataclass(frozen=True)
class EscalationAction:
    """One thing to do when a step fires."""

    kind: str  # notify | raise_severity | assign_role
    summary: str
    notifier: str | None = None
    target: str | None = None
    template: str | None = None
    level: str | None = None
    role: str | None = None
    person: str | None = None

    @classmethod
    def from_model(cls, model: ActionModel) -> EscalationAction:
        if model.notify is not None:
            n = model.notify
            return cls("notify", model.summary(), notifier=n.notifier, target=n.target, template=n.template)
        if model.raise_severity is not None:
            return cls("raise_severity", model.summary(), level=model.raise_severity)
        assert model.assign_role is not None
        return cls("assign_role", model.summary(), role=model.assign_role.role.value,
                   person=model.assign_role.person)


@dataclass(frozen=True)
class DueEscalation:
    """A firing that is due now and not yet recorded."""

    incident_id: str
    policy_id: str
    key: str
    repeat: int
    due_at: datetime
    overdue_by: timedelta
    description: str
    actions: tuple[EscalationAction, ...] = field(default_factory=tuple)

    def record(self, fired_at: datetime) -> EscalationRecord:
        """The record to append to incident.escalations once the actions are queued."""
        return EscalationRecord(key=self.key, rule_id=self.policy_id, fired_at=fired_at, due_at=self.due_at,
                                actions=[a.summary for a in self.actions])


@dataclass(frozen=True)
class NextEscalation:
    incident_id: str
    policy_id: str
    key: str
    due_at: datetime
    due_in: timedelta
    description: str


@dataclass(frozen=True)
class Policy:
    id: str
    description: str
    node: Node | None
    matcher: Matcher | None
    state: str | None
    clock: str | None
    after: timedelta
    every: timedelta | None
    repeats: int
    actions: tuple[EscalationAction, ...]
    line: int

    @classmethod
    def build(cls, model: PolicyModel, node: Node | None, matcher: Matcher | None, line: int) -> Policy:
        repeat = model.repeat
        return cls(model.id, model.description or model.id, node, matcher, model.trigger.state,
                   model.trigger.clock, model.trigger.after, repeat.every if repeat else None,
                   repeat.max if repeat else 0, tuple(EscalationAction.from_model(a) for a in model.actions),
                   line)

    def start(self, incident: Any) -> datetime | None:
        """When the trigger's clock started, or None when the state does not hold (or is unknown)."""
        clock = incident.clock
        status = Status(incident.status)
        if self.clock is not None:
            return getattr(clock, self.clock)
        if self.state == "unacknowledged":
            return None if clock.acknowledged_at else clock.alerted_at or clock.declared_at
        if self.state == "unmitigated":
            return None if clock.mitigated_at or clock.resolved_at else clock.started_at or clock.declared_at
        if self.state == "unresolved":
            return None if clock.resolved_at else clock.started_at or clock.declared_at
        if self.state == "open":
            return None if status is Status.CLOSED else clock.declared_at
        if self.state == "awaiting_postmortem":
            return clock.resolved_at if status is Status.RESOLVED else None
        return None

    def schedule(self, start: datetime) -> list[tuple[int, datetime]]:
        first = start + self.after
        return [(k, first + k * self.every if self.every else first) for k in range(self.repeats + 1)]

    def key(self, repeat: int) -> str:
        return f"{self.id}#{repeat}"


def _unfired(policies: list[Policy], incident: Any, row: Row) -> Iterator[tuple[Policy, int, datetime, str]]:
    """(policy, repeat, due_at, key) of every firing not yet recorded, for the policies that apply now."""
    fired = {record.key for record in getattr(incident, "escalations", [])}
    for policy in policies:
        if policy.matcher is not None and policy.matcher(row) is not True:
            continue
        start = policy.start(incident)
        if start is None:
            continue
        for repeat, due_at in policy.schedule(start):
            key = policy.key(repeat)
            if key not in fired:
                yield policy, repeat, due_at, key


def due(policies: list[Policy], incident: Any, row: Row, now: datetime) -> list[DueEscalation]:
    found = [DueEscalation(incident.id, policy.id, key, repeat, due_at, now - due_at, policy.description,
                           policy.actions)
             for policy, repeat, due_at, key in _unfired(policies, incident, row) if due_at <= now]
    return sorted(found, key=lambda d: (d.due_at, d.policy_id, d.repeat))


def upcoming(policies: list[Policy], incident: Any, row: Row, now: datetime) -> NextEscalation | None:
    """The next firing after `now`, assuming the incident stays as it is."""
    later = [(due_at, policy, key) for policy, _, due_at, key in _unfired(policies, incident, row) if due_at > now]
    if not later:
        return None
    due_at, policy, key = min(later, key=lambda item: item[0])
    return NextEscalation(incident.id, policy.id, key, due_at, due_at - now, policy.description)
