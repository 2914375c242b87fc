"""The words of the incident model that need no validation: severity level names, roles, timeline kinds,
channels, phases, work states, priorities and the incident id's parts. Plain enums and functions, importable
without pydantic, so the commands that only read (`list`, `show`) do not pay for building the models
(`domain.incident` re-exports every name)."""

from __future__ import annotations

import re
from enum import StrEnum

from .validation import MAX_SEQUENCE, parse_incident_id


def normalize_severity(value: str) -> str:
    """Accept `sev1`, `SEV1`, `Sev-1`, `1` and return the canonical `SEV-1`."""
    text = str(value).strip().upper().replace("_", "-").replace(" ", "")
    match = re.fullmatch(r"(?:SEV-?)?([0-9])", text)
    if not match:
        raise ValueError(f"'{value}' is not a severity level such as SEV-1 or sev2")
    return f"SEV-{match.group(1)}"


class Role(StrEnum):
    """The seed's five roles: every workspace has them; a workspace's roles.yaml adds its own."""

    INCIDENT_COMMANDER = "incident_commander"
    COMMUNICATIONS_LEAD = "communications_lead"
    OPERATIONS_LEAD = "operations_lead"
    SCRIBE = "scribe"
    SUBJECT_EXPERT = "subject_expert"

    @property
    def label(self) -> str:
        return role_label(self.value)


ROLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def role_label(role: str) -> str:
    """`incident_commander` -> `Incident commander`."""
    return str(role).replace("_", " ").capitalize()


class TeamRole(str):
    """A role a workspace added (roles.yaml), with the same `label` as the seed's `Role` members."""

    @property
    def label(self) -> str:
        return role_label(self)

    @property
    def value(self) -> str:
        return str(self)


class EventKind(StrEnum):
    ALERT = "alert"
    STATUS = "status"
    ACTION = "action"
    DECISION = "decision"
    COMMUNICATION = "communication"
    NOTE = "note"
    ROLE = "role"  # role assignments, handovers and stand-downs


class Channel(StrEnum):
    INTERNAL = "internal"
    STAKEHOLDER = "stakeholder"
    STATUS_PAGE = "status_page"
    CUSTOMER = "customer"
    EXECUTIVE = "executive"
    REGULATOR = "regulator"

    @property
    def label(self) -> str:
        return {
            "internal": "Internal alert",
            "stakeholder": "Stakeholder notification",
            "status_page": "Status page update",
            "customer": "Customer notification",
            "executive": "Executive update",
            "regulator": "Regulator notification",
        }[self.value]


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ImpactKind(StrEnum):
    COMPLETE_OUTAGE = "complete_outage"
    PARTIAL_DEGRADATION = "partial_degradation"


class Phase(StrEnum):
    IMMEDIATE = "immediate"
    SHORT_TERM = "short_term"
    LONG_TERM = "long_term"

    @property
    def label(self) -> str:
        return {
            "immediate": "Immediate (During Incident)",
            "short_term": "Short-term (24 hours)",
            "long_term": "Long-term (30 days)",
        }[self.value]


class WorkStatus(StrEnum):
    NOT_STARTED = "not_started"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"done": "Completed"}.get(self.value, self.value.replace("_", " ").title())

    @property
    def is_open(self) -> bool:
        return self not in (WorkStatus.DONE, WorkStatus.CANCELLED)


#: what a new action item starts as (its model's default; the index reads summaries that leave it out)
NEW_ITEM_STATUS = WorkStatus.NOT_STARTED


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


PRIORITY_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


def incident_number(incident_id: str) -> tuple[int, int]:
    """(year, sequence) of an id such as INC-2025-001 (InvalidIncidentId, a ValueError, if it is not one)."""
    return parse_incident_id(incident_id)


def format_incident_id(year: int, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"incident number {sequence} of {year} is outside 1-{MAX_SEQUENCE}")
    return f"INC-{year:04d}-{sequence:03d}"
