"""The pure core: incident models, lifecycle, figures. No I/O, no Qt, no other project layer.

The plain words (statuses, enums, errors, the list row) load with the package; the pydantic models load
on first use (PEP 562), so a module that needs only `Status` or the id grammar, and the commands that only
read (`list`, `show`), do not pay for building the models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import DomainError, IllegalTransition
from .lifecycle import Status, allowed_transitions
from .incident_view import IncidentView
from .row import IncidentRow
from .vocabulary import (
    Channel,
    DeliveryState,
    EventKind,
    ImpactKind,
    Phase,
    Priority,
    Role,
    WorkStatus,
    format_incident_id,
    incident_number,
    normalize_severity,
)

if TYPE_CHECKING:
    from .incident import (
        ActionItem,
        ChecklistStep,
        Clock,
        CommunicationEntry,
        CriterionResult,
        Delivery,
        EscalationRecord,
        Facts,
        Impact,
        ImpactWindow,
        Incident,
        Investigation,
        PostMortem,
        RegulatoryFiling,
        RemediationAction,
        RoleAssignment,
        RuleMatch,
        Severity,
        SeverityOverride,
        TimelineEvent,
        Why,
    )
    from .playbook import PlaybookDocument
    from .summary import IncidentSummary, summarize

#: name -> the module (of this package) that defines it, imported on first use
_LAZY = {
    **dict.fromkeys((
        "ActionItem", "ChecklistStep", "Clock", "CommunicationEntry", "CriterionResult", "Delivery",
        "EscalationRecord", "Facts", "Impact", "ImpactWindow", "Incident", "Investigation", "PostMortem",
        "RegulatoryFiling", "RemediationAction", "RoleAssignment", "RuleMatch", "Severity", "SeverityOverride",
        "TimelineEvent", "Why"), "incident"),
    "PlaybookDocument": "playbook",
    "IncidentSummary": "summary",
    "summarize": "summary",
}

__all__ = [
    "ActionItem", "Channel", "ChecklistStep", "Clock", "CommunicationEntry", "CriterionResult", "Delivery", "DeliveryState",
    "DomainError", "EscalationRecord", "EventKind", "Facts", "IllegalTransition", "Impact", "ImpactKind", "ImpactWindow",
    "Incident", "Investigation", "PlaybookDocument", "Phase", "PostMortem", "Priority", "RegulatoryFiling", "RemediationAction", "Role",
    "RoleAssignment", "RuleMatch", "Severity", "SeverityOverride", "Status", "TimelineEvent", "Why",
    "WorkStatus", "IncidentRow", "IncidentSummary", "IncidentView", "summarize", "allowed_transitions", "format_incident_id", "incident_number", "normalize_severity",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
