"""The pure core: incident models, lifecycle, figures. No I/O, no Qt, no other project layer."""

from .errors import DomainError, IllegalTransition
from .incident import (
    ActionItem,
    Channel,
    ChecklistStep,
    Clock,
    CommunicationEntry,
    CriterionResult,
    Delivery,
    EscalationRecord,
    DeliveryState,
    EventKind,
    Facts,
    Impact,
    ImpactKind,
    ImpactWindow,
    Incident,
    Investigation,
    Phase,
    PostMortem,
    Priority,
    RegulatoryFiling,
    RemediationAction,
    Role,
    RoleAssignment,
    RuleMatch,
    Severity,
    SeverityOverride,
    TimelineEvent,
    Why,
    WorkStatus,
    format_incident_id,
    incident_number,
    normalize_severity,
)
from .lifecycle import Status, allowed_transitions
from .playbook import PlaybookDocument
from .summary import IncidentRow, IncidentSummary, summarize

__all__ = [
    "ActionItem", "Channel", "ChecklistStep", "Clock", "CommunicationEntry", "CriterionResult", "Delivery", "DeliveryState",
    "DomainError", "EscalationRecord", "EventKind", "Facts", "IllegalTransition", "Impact", "ImpactKind", "ImpactWindow",
    "Incident", "Investigation", "PlaybookDocument", "Phase", "PostMortem", "Priority", "RegulatoryFiling", "RemediationAction", "Role",
    "RoleAssignment", "RuleMatch", "Severity", "SeverityOverride", "Status", "TimelineEvent", "Why",
    "WorkStatus", "IncidentRow", "IncidentSummary", "summarize", "allowed_transitions", "format_incident_id", "incident_number", "normalize_severity",
]
