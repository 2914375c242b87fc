"""Domain operations: the legal ways to change an incident.

Each takes the incident and the instant `at` (the domain never reads the wall clock), checks the
request, and changes the incident in place, adding a timeline event where a person reading the
timeline would expect one. Refusals raise `DomainError` with a message for the person who asked.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from .derived import DERIVED_FACTS, derived_refusal
from .errors import DomainError, IllegalTransition
from .incident import (
    ActionItem,
    Clock,
    CommunicationEntry,
    Delivery,
    DeliveryState,
    EventKind,
    Facts,
    Incident,
    RegulatoryFiling,
    Role,
    RoleAssignment,
    SeverityOverride,
    TimelineEvent,
    WorkStatus,
    role_label,
)
from .lifecycle import CLOCK_FOR_STATUS, Status, allowed_transitions
from .timeutil import as_utc


def validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    """(dotted path, message) per problem; the path is empty for a check of the whole model."""
    problems = []
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        got = item.get("input")
        if isinstance(got, (datetime, date)):
            message += f" (got {got.isoformat().replace('+00:00', 'Z')})"
        elif got is not None and not isinstance(got, (dict, list)):
            message += f" (got {got!r})"
        problems.append((path, message))
    return problems


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """One clause per problem: `facts.customers_affected: must be >= 0 (got -3)`."""
    clauses = []
    for path, message in validation_problems(error):
        where = ".".join(p for p in (prefix, path) if p)
        clauses.append(f"{where}: {message}" if where else message)
    return "; ".join(clauses)


def _apply(model: Any, changes: dict[str, Any], prefix: str) -> None:
    """Validate `changes` as a whole against a copy, then assign: all or nothing."""
    data = model.model_dump()
    data.update(changes)
    try:
        checked = type(model).model_validate(data)
    except ValidationError as error:
        raise DomainError(describe_validation_error(error, prefix)) from None
    for name in changes:
        object.__setattr__(model, name, getattr(checked, name))


def add_event(incident: Incident, at: datetime, text: str, kind: EventKind = EventKind.NOTE,
              source: str = "manual", author: str = "") -> TimelineEvent:
    try:
        event = TimelineEvent(at=at, text=text, kind=kind, source=source, author=author)
    except ValidationError as error:
        raise DomainError(f"timeline event: {describe_validation_error(error)}") from None
    incident.timeline.append(event)
    return event


def find_event(incident: Incident, event_id: str) -> TimelineEvent:
    for event in incident.timeline:
        if event.id == event_id:
            return event
    raise DomainError(f"{incident.id} has no timeline event {event_id} (it may have been deleted meanwhile)")


def edit_event(incident: Incident, event_id: str, *, text: str | None = None, kind: EventKind | None = None,
               at: datetime | None = None) -> TimelineEvent:
    """Correct a timeline event's text, kind or time; the audit trail keeps what it said before."""
    event = find_event(incident, event_id)
    if event.source == "lifecycle" and (kind is not None and kind is not event.kind):
        raise DomainError("a status change stays a status event; edit its text or time instead")
    changes: dict[str, Any] = {}
    if text is not None:
        changes["text"] = text
    if kind is not None:
        changes["kind"] = kind
    if at is not None:
        changes["at"] = as_utc(at)
    _apply(event, changes, f"timeline.{event_id}")
    return event


def remove_event(incident: Incident, event_id: str) -> TimelineEvent:
    """Delete a timeline event entered by mistake (the audit trail keeps it). Status changes stay."""
    event = find_event(incident, event_id)
    if event.source == "lifecycle":
        raise DomainError("status changes are part of the lifecycle record and cannot be deleted")
    incident.timeline.remove(event)
    return event


def set_facts(incident: Incident, changes: dict[str, Any]) -> None:
    """Change some facts at once; unknown names and bad values are refused together."""
    derived = sorted(set(changes) & set(DERIVED_FACTS))
    if derived:
        raise DomainError("; ".join(derived_refusal(name) for name in derived))
    unknown = sorted(set(changes) - set(Facts.model_fields))
    if unknown:
        raise DomainError(f"unknown fact {', '.join(unknown)}; known facts: {', '.join(Facts.model_fields)}")
    _apply(incident.facts, changes, "facts")


def set_clock(incident: Incident, changes: dict[str, datetime | None]) -> None:
    unknown = sorted(set(changes) - set(Clock.model_fields))
    if unknown:
        raise DomainError(f"unknown clock field {', '.join(unknown)}; known: {', '.join(Clock.model_fields)}")
    _apply(incident.clock, changes, "clock")


def transition(incident: Incident, target: Status, at: datetime, author: str = "", note: str = "") -> None:
    """Move the incident to `target`, stamping the clock the first time a milestone is reached."""
    at = as_utc(at)
    current = incident.status
    if target == current:
        raise IllegalTransition(f"{incident.id} is already {current.value}")
    if target not in allowed_transitions(current):
        allowed = ", ".join(sorted(s.value for s in allowed_transitions(current))) or "nothing (closed is final)"
        raise IllegalTransition(f"{incident.id} cannot go from {current.value} to {target.value}; "
                                f"from {current.value} it can go to {allowed}")
    stamps: dict[str, datetime | None] = {}
    for status, clock_field in CLOCK_FOR_STATUS.items():
        reached = list(Status).index(target) >= list(Status).index(status)
        if reached and getattr(incident.clock, clock_field) is None:
            stamps[clock_field] = at
    if target.is_active and current is Status.RESOLVED:  # reopened: the incident is no longer resolved
        stamps["resolved_at"] = None
    set_clock(incident, stamps)
    incident.status = target
    if target is Status.RESOLVED and note.strip() and not incident.resolution:
        incident.resolution = note.strip()  # `resolve --note` says how it was resolved
    text = f"Status {current.value} -> {target.value}" + (f": {note}" if note else "")
    add_event(incident, at, text, EventKind.STATUS, source="lifecycle", author=author)


def acknowledge(incident: Incident, at: datetime, author: str = "") -> None:
    """Acknowledge: stamp acknowledged_at and move a declared incident to investigating."""
    if incident.clock.acknowledged_at is not None:
        raise DomainError(f"{incident.id} was already acknowledged at "
                          f"{incident.clock.acknowledged_at:%Y-%m-%dT%H:%M:%SZ}")
    if incident.status is Status.DECLARED:
        transition(incident, Status.INVESTIGATING, at, author, note="acknowledged")
    else:
        set_clock(incident, {"acknowledged_at": as_utc(at)})
        add_event(incident, at, "Incident acknowledged", EventKind.STATUS, source="lifecycle", author=author)


def assign_role(incident: Incident, role: Role | str, person: str, at: datetime, note: str = "",
                additional: bool = False, author: str = "", handover: bool | None = None) -> RoleAssignment:
    """Give `role` to `person`. The current holder is relieved (a handover) unless `additional`, or the
    role is held by several people at once (`handover=False`; by default only subject experts are)."""
    at = as_utc(at)
    try:
        assignment = RoleAssignment(role=role, person=person, assigned_at=at, note=note)
    except ValidationError as error:
        raise DomainError(f"role: {describe_validation_error(error)}") from None
    label = role_label(assignment.role)
    holders = incident.current_holders(assignment.role)
    if any(h.person == assignment.person for h in holders):
        raise DomainError(f"{assignment.person} already holds {label.lower()} on {incident.id}")
    if handover is None:
        handover = assignment.role != Role.SUBJECT_EXPERT
    handed_from = []
    if not additional and handover:
        for holder in holders:
            if at < holder.assigned_at:
                raise DomainError(f"handover at {at:%H:%M:%SZ} is before {holder.person} took the role")
            holder.relieved_at = at
            handed_from.append(holder.person)
    incident.roles.append(assignment)
    text = (f"{label} handed over from {', '.join(handed_from)} to {assignment.person}" if handed_from
            else f"{label}: {assignment.person}")
    add_event(incident, at, text, EventKind.ROLE, source="roles", author=author)
    return assignment


def relieve_role(incident: Incident, role: str, person: str, at: datetime, author: str = "") -> None:
    """Stand `person` down from `role` (no successor)."""
    holders = [h for h in incident.current_holders(role) if h.person == person]
    if not holders:
        raise DomainError(f"{person} does not hold {role_label(role).lower()} on {incident.id}")
    for holder in holders:
        holder.relieved_at = as_utc(at)
    add_event(incident, at, f"{role_label(role)}: {person} stood down", EventKind.ROLE, source="roles",
              author=author)


def override_severity(incident: Incident, level: str, reason: str, author: str, at: datetime) -> None:
    try:
        override = SeverityOverride(level=level, reason=reason, author=author, at=at)
    except ValidationError as error:
        raise DomainError(f"severity override: {describe_validation_error(error)}") from None
    previous = incident.severity.level
    incident.severity.override = override
    add_event(incident, at, f"Severity overridden {previous or 'unclassified'} -> {override.level}: {override.reason}",
              EventKind.DECISION, source="severity", author=override.author)


def clear_override(incident: Incident, author: str, at: datetime) -> None:
    if incident.severity.override is None:
        raise DomainError(f"{incident.id} has no severity override to clear")
    incident.severity.override = None
    add_event(incident, at, f"Severity override cleared; computed level {incident.severity.computed or 'unclassified'} applies",
              EventKind.DECISION, source="severity", author=author)


def add_communication(incident: Incident, entry: CommunicationEntry) -> CommunicationEntry:
    incident.communications.append(entry)
    return entry


def next_action_item_id(incident: Incident) -> str:
    numbers = [int(a.id[1:]) for a in incident.action_items if a.id[1:].isdigit()]
    return f"A{max(numbers, default=0) + 1}"


def add_action_item(incident: Incident, at: datetime, **fields: Any) -> ActionItem:
    try:
        item = ActionItem(id=next_action_item_id(incident), created_at=at, **fields)
    except ValidationError as error:
        raise DomainError(f"action item: {describe_validation_error(error)}") from None
    incident.action_items.append(item)
    return item


def find_action_item(incident: Incident, item_id: str) -> ActionItem:
    for item in incident.action_items:
        if item.id.lower() == item_id.lower():
            return item
    known = ", ".join(a.id for a in incident.action_items) or "none"
    raise DomainError(f"{incident.id} has no action item {item_id}; it has {known}")


def update_action_item(incident: Incident, item_id: str, at: datetime, changes: dict[str, Any]) -> ActionItem:
    item = find_action_item(incident, item_id)
    unknown = sorted(set(changes) - (set(ActionItem.model_fields) - {"id", "created_at"}))
    if unknown:
        raise DomainError(f"action item has no field {', '.join(unknown)}")
    status = changes.get("status")
    completing = status is not None and WorkStatus(status) is WorkStatus.DONE and item.completed_at is None
    if completing:
        changes = {**changes, "completed_at": as_utc(at)}
    _apply(item, changes, f"action_items.{item.id}")
    if completing and item.recurrence is not None:
        schedule_next_occurrence(incident, item, at)
    return item


_RECURRENCE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def next_due(due: date, recurrence: str) -> date:
    """The next due date of a recurring item: a week later, or the same day of a later month
    (clamped to the month's last day: 31 January + 1 month is 28 or 29 February)."""
    if recurrence == "weekly":
        return due + timedelta(days=7)
    months = due.month - 1 + _RECURRENCE_MONTHS[recurrence]
    year, month = due.year + months // 12, months % 12 + 1
    return date(year, month, min(due.day, calendar.monthrange(year, month)[1]))


def schedule_next_occurrence(incident: Incident, done: ActionItem, at: datetime) -> ActionItem:
    """A recurring item that is done comes back as a new open item due one period later."""
    base = done.due or as_utc(at).date()
    follow_up = add_action_item(incident, at, title=done.title, priority=done.priority, owner=done.owner,
                                due=next_due(base, done.recurrence or ""), recurrence=done.recurrence,
                                status=WorkStatus.SCHEDULED)
    add_event(incident, at, f"Action item {done.id} done; next occurrence {follow_up.id} due {follow_up.due}",
              EventKind.ACTION, source="action-items")
    return follow_up


def overdue_items(incident: Incident, today: date) -> list[ActionItem]:
    return [a for a in incident.action_items if a.is_overdue(today)]


def record_filing(incident: Incident, regime: str, obligation: str, at: datetime, reference: str = "",
                  author: str = "", label: str = "") -> RegulatoryFiling:
    """Record that the report for `obligation` of `regime` was filed at `at`; a timeline event says so.

    The names are the rule set's ids (the app checks them against regulatory.yaml: the domain does not
    know the rules). Refused: blank names, a second filing for the same obligation, a filing before the
    incident started. `label` is the human name for the timeline (`GDPR: Notify the supervisory ...`).
    """
    try:
        filing = RegulatoryFiling(regime=regime, obligation=obligation, filed_at=at, reference=reference.strip(),
                                  author=author)
    except ValidationError as error:
        raise DomainError(f"regulatory filing: {describe_validation_error(error)}") from None
    earlier = incident.regulatory_filing(filing.regime, filing.obligation)
    if earlier is not None:
        raise DomainError(f"{incident.id} already has a filing for {earlier.regime} {earlier.obligation}, "
                          f"recorded as filed at {earlier.filed_at:%Y-%m-%dT%H:%M:%SZ}"
                          + (f" (reference {earlier.reference})" if earlier.reference else ""))
    started = incident.clock.started_at
    if started is not None and filing.filed_at < started:
        raise DomainError(f"regulatory filing: filed_at ({filing.filed_at:%Y-%m-%dT%H:%M:%SZ}) is before "
                          f"the incident started ({started:%Y-%m-%dT%H:%M:%SZ})")
    incident.regulatory_filings.append(filing)
    text = f"Regulatory filing: {label or f'{filing.regime} {filing.obligation}'}" \
        + (f" (reference {filing.reference})" if filing.reference else "")
    add_event(incident, filing.filed_at, text, EventKind.COMMUNICATION, source="regulatory", author=author)
    return filing


def log_communication(incident: Incident, entry: CommunicationEntry, queued_via: list[str],
                      unsent: list[tuple[str, str]], subject: str, author: str = "") -> bool:
    """Log a communication on its way out: the entry (one `Delivery` per notifier) and timeline events for
    what was queued and what could not be sent (with the reason). An entry already logged under the same
    id (a repeated escalation step) is left alone: returns False."""
    if any(e.id == entry.id for e in incident.communications):
        return False
    incident.communications.append(entry)
    label = entry.channel.label
    if queued_via:
        add_event(incident, entry.at, f"{label} queued via {', '.join(queued_via)}: {subject}",
                  EventKind.COMMUNICATION, source="notify", author=author)
    for name, reason in unsent:
        add_event(incident, entry.at, f"{label} not sent via {name}: {reason}", EventKind.COMMUNICATION,
                  source="notify", author=author)
    return True


def record_delivery(incident: Incident, entry: CommunicationEntry, message_key: str, notifier: str,
                    state: DeliveryState, attempts: int, last_error: str, at: datetime) -> bool:
    """Write one delivery's state into its communication entry (`entry` is logged first when the incident
    does not have it yet: the process stopped between queueing and logging). A failure adds a timeline
    event. Returns True when this made every delivery of the entry final (sent or failed)."""
    logged = next((e for e in incident.communications if e.id == entry.id), None)
    if logged is None:
        incident.communications.append(entry)
        logged = entry
    was_final = bool(logged.deliveries) and all(d.state is not DeliveryState.PENDING for d in logged.deliveries)
    delivery = next((d for d in logged.deliveries if d.message_key == message_key), None)
    if delivery is None:
        delivery = Delivery(notifier=notifier, message_key=message_key)
        logged.deliveries.append(delivery)
    delivery.state, delivery.attempts, delivery.last_error, delivery.at = state, attempts, last_error, at
    if state is DeliveryState.FAILED:
        add_event(incident, at, f"Delivery via {notifier} failed: {last_error}", EventKind.COMMUNICATION,
                  source="outbox")
    return not was_final and all(d.state is not DeliveryState.PENDING for d in logged.deliveries)


# Parts of an incident a person may rewrite in one edit (`incident-desk edit`). Status, severity, the
# escalation record and regulatory filings have their own audited commands and are not edited this way.
EDITABLE_SECTIONS: dict[str, tuple[str, ...]] = {
    "identity": ("title", "summary", "type", "tags", "services", "affected_systems", "resolution"),
    "facts": ("facts",),
    "clock": ("clock",),
    "roles": ("roles",),
    "timeline": ("timeline",),
    "communications": ("communications",),
    "investigation": ("investigation",),
    "impact": ("impact",),
    "remediation": ("remediation",),
    "postmortem": ("postmortem",),
    "actions": ("action_items",),
}
EDITABLE_FIELDS = tuple(name for names in EDITABLE_SECTIONS.values() for name in names)


def edited_incident(incident: Incident, changes: dict[str, Any]) -> Incident:
    """The incident as it would be with `changes` (editable top-level fields, JSON-like values), validated
    whole; ValidationError (with the path of every problem) or DomainError when it is not valid."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise DomainError(f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE_FIELDS)}")
    facts = changes.get("facts")
    if isinstance(facts, dict):
        derived = sorted(set(facts) & set(DERIVED_FACTS))
        if derived:
            raise DomainError("; ".join(f"facts.{name}: {derived_refusal(name)}" for name in derived))
    data = incident.model_dump(mode="json")
    data.update(changes)
    return Incident.model_validate(data)


def replace_parts(incident: Incident, changes: dict[str, Any]) -> None:
    """Apply an edit of whole parts of the incident at once (all or nothing). The edit is bookkeeping, not
    part of the incident's story: the audit trail records it, the timeline does not."""
    try:
        checked = edited_incident(incident, changes)
    except ValidationError as error:
        raise DomainError(describe_validation_error(error)) from None
    for name in changes:
        object.__setattr__(incident, name, getattr(checked, name))


def attach_checklist(incident: Incident, playbook: str, steps: list[tuple[str, str, str, str]], at: datetime,
                     author: str = "") -> None:
    """Attach a playbook's checklist (step id, text, phase, role); steps already attached are kept as they are."""
    from .incident import ChecklistStep

    have = {(s.playbook, s.id) for s in incident.checklist}
    added = [ChecklistStep(id=step_id, playbook=playbook, text=text, phase=phase, role=role)
             for step_id, text, phase, role in steps if (playbook, step_id) not in have]
    if not added:
        raise DomainError(f"{incident.id} already has the {playbook} checklist")
    incident.checklist.extend(added)
    add_event(incident, at, f"Playbook checklist attached: {playbook} ({len(added)} steps)", EventKind.ACTION,
              source="playbook", author=author)


def tick_step(incident: Incident, step_ref: str, at: datetime, author: str = "") -> None:
    """Mark a checklist step done (by id, `playbook/id` or 1-based number); a timeline event records it."""
    steps = incident.checklist
    if not steps:
        raise DomainError(f"{incident.id} has no checklist; attach a playbook first")
    matches = [s for s in steps if step_ref in (s.id, f"{s.playbook}/{s.id}")]
    if not matches and step_ref.isdigit() and 1 <= int(step_ref) <= len(steps):
        matches = [steps[int(step_ref) - 1]]
    if len(matches) != 1:
        known = ", ".join(s.id for s in steps)
        raise DomainError(f"{incident.id} has {'several steps' if matches else 'no step'} '{step_ref}'; "
                          f"steps: {known}")
    step = matches[0]
    if step.done_at is not None:
        raise DomainError(f"step {step.id} was already done at {step.done_at:%Y-%m-%dT%H:%M:%SZ}")
    step.done_at = as_utc(at)
    step.done_by = author
    add_event(incident, at, f"Checklist step done: {step.text}", EventKind.ACTION, source="playbook", author=author)
