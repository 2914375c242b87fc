"""Firing due escalations: record each firing once, apply its actions, hand notifications to the outbox.

For each open incident the rule set says which escalation steps are due at `now` and not yet recorded.
Under the incident's lock the steps are computed again from the freshest copy (so two watchers never
fire the same step), notifications are handed to `notify` (the outbox, which deduplicates by key),
severity raises and role assignments are applied, and the firing records are written in the same
save. A crash after `notify` and before the save re-enqueues the same keys next time; the outbox keeps
one message per key, so nothing is sent twice and nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import DomainError, EventKind, Incident, Role, normalize_severity, operations
from ..domain.levels import level_rank
from ..engine.escalation import DueEscalation, EscalationAction
from .desk import Desk

#: notify(incident, due, action, key) queues one message; it must be idempotent by `key`.
Notify = Callable[[Incident, DueEscalation, EscalationAction, str], None]


@dataclass
class FiredEscalation:
    incident_id: str
    key: str
    policy_id: str
    due_at: datetime
    actions: list[str] = field(default_factory=list)


def message_key(incident_id: str, escalation_key: str, action_index: int) -> str:
    """The idempotency key of one notification of one firing."""
    return f"{incident_id}/{escalation_key}/{action_index}"


def fire_due_escalations(desk: Desk, now: datetime, notify: Notify | None = None,
                         incident_id: str | None = None) -> list[FiredEscalation]:
    """Fire every due escalation step (of one incident, or of every open one). Returns what fired."""
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    if ruleset is None:
        return []
    candidates = ([incident_id] if incident_id else
                  [s.id for s in desk.summaries() if s.status.value != "closed"])
    fired: list[FiredEscalation] = []
    for candidate in candidates:
        if not ruleset.due_escalations(desk.get(candidate), now):
            continue

        def apply(incident: Incident) -> None:
            for due in ruleset.due_escalations(incident, now):
                fired.append(_fire(incident, due, now, notify))

        desk.change(candidate, "escalation", apply)
    return fired


def _fire(incident: Incident, due: DueEscalation, now: datetime, notify: Notify | None) -> FiredEscalation:
    done: list[str] = []
    for index, action in enumerate(due.actions):
        if action.kind == "notify":
            if notify is not None:
                notify(incident, due, action, message_key(incident.id, due.key, index))
            done.append(f"queued {action.summary}")
        elif action.kind == "raise_severity" and action.level:
            level = normalize_severity(action.level)
            if level_rank(level) < level_rank(incident.severity.level):
                operations.override_severity(incident, level, f"escalation {due.policy_id}",
                                             "escalation policy", now)
                done.append(f"raised severity to {level}")
        elif action.kind == "assign_role" and action.role and action.person:
            role = Role(action.role)
            if not any(h.person == action.person for h in incident.current_holders(role)):
                try:
                    operations.assign_role(incident, role, action.person, now, note=f"escalation {due.policy_id}")
                    done.append(f"assigned {role.label.lower()} to {action.person}")
                except DomainError as refused:
                    done.append(f"could not assign {role.label.lower()}: {refused}")
    record = due.record(now)
    record.actions = done or record.actions
    incident.escalations.append(record)
    operations.add_event(incident, now, f"Escalation {due.policy_id} fired ({due.description})"
                         + (f": {'; '.join(done)}" if done else ""), EventKind.DECISION, source="escalation")
    return FiredEscalation(incident.id, due.key, due.policy_id, due.due_at, done)
