"""Firing due escalations: record each step once, apply its actions, send its messages via the outbox.

For each open incident the rule set says which escalation steps are due at `now` and not yet recorded.
First the notify actions are queued through the notification service: each message has a key made of
the incident, the step's key and the action's position, and queueing the same key again adds nothing.
Then, under the incident's lock, the due steps are computed again from the freshest copy (so two
watchers never record the same step twice), severity raises and role assignments are applied, and the
firing records are written in the same save. A crash between queueing and recording re-queues the same
keys next time, which adds nothing: no message is sent twice and no step is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain import DomainError, EscalationRecord, EventKind, Incident, Role, normalize_severity, operations
from ..domain.levels import level_rank
from ..engine.escalation import DueEscalation, EscalationAction
from ..render.templates import TemplateError
from .desk import Desk

if TYPE_CHECKING:
    from .notify_service import NotifyService


@dataclass
class FiredEscalation:
    incident_id: str
    key: str
    policy_id: str
    due_at: datetime
    actions: list[str] = field(default_factory=list)
    record: EscalationRecord | None = None


def unsent_messages(fired: list[FiredEscalation]) -> list[str]:
    """The notify actions of these firings that could not be queued, each with its reason."""
    return [f"{f.incident_id} {f.key}: {action}" for f in fired for action in f.actions
            if action.startswith("not sent:")]


def message_key(incident_id: str, escalation_key: str, action_index: int) -> str:
    """The idempotency key of one notification of one firing."""
    return f"{incident_id}/{escalation_key}/{action_index}"


def fire_due_escalations(desk: Desk, now: datetime, notifier: NotifyService | None = None,
                         incident_id: str | None = None) -> list[FiredEscalation]:
    """Fire every due escalation step (of one incident, or of every incident not closed)."""
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    if ruleset is None:
        return []
    candidates = ([incident_id] if incident_id else
                  [s.id for s in desk.summaries() if s.status.value != "closed"])
    fired: list[FiredEscalation] = []
    for candidate in candidates:
        due_now = ruleset.due_escalations(desk.get(candidate), now)
        if not due_now:
            continue
        queued = {due.key: [_queue(notifier, candidate, due, index, action)
                            for index, action in enumerate(due.actions) if action.kind == "notify"]
                  for due in due_now}
        this_incident: list[FiredEscalation] = []

        def apply(incident: Incident, this_incident: list[FiredEscalation] = this_incident,
                  queued: dict = queued) -> None:  # bound now: called within this iteration
            this_incident.clear()
            for due in ruleset.due_escalations(incident, now):
                if due.key in queued:
                    this_incident.append(_record(incident, due, now, queued[due.key]))

        saved = desk.change(candidate, "escalation", apply)
        fired += this_incident
        if desk.plugins is not None:
            for firing in this_incident:
                if firing.record is not None:
                    desk.plugin_failures += desk.plugins.escalation_did_fire(saved, firing.record)
    return fired


def _queue(notifier: NotifyService | None, incident_id: str, due: DueEscalation, index: int,
           action: EscalationAction) -> str:
    """Queue one notify action; say what happened in words (recorded with the firing)."""
    what = f"{action.notifier} to {action.target or 'default'}"
    if notifier is None:
        return f"not sent: {what}: no notification service is running"
    from .notify_service import NotifyError

    extra = {"escalation": {"policy": due.policy_id, "description": due.description, "repeat": due.repeat,
                            "target": action.target or "", "due_at": due.due_at.isoformat()}}
    try:
        notifier.notify(incident_id, action.template or "escalation", via=[action.notifier or ""],
                        actor="escalation", key=message_key(incident_id, due.key, index),
                        audience=action.target or "", extra=extra)
    except (NotifyError, TemplateError, LookupError) as error:
        return f"not sent: {what}: {error}"
    return f"queued {what} ({action.template or 'escalation'})"


def _record(incident: Incident, due: DueEscalation, now: datetime, notes: list[str]) -> FiredEscalation:
    done = list(notes)
    for action in due.actions:
        if action.kind == "raise_severity" and action.level:
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
    return FiredEscalation(incident.id, due.key, due.policy_id, due.due_at, done, record)
