"""A response playbook as plain data, ready for a generator plugin to render.

`PlaybookDocument` joins a playbook file (roles, communications, steps, decision points) with the live
rules it must agree with: the severity levels and their response targets, and the escalation policies.
Generators receive only this (public API: `incident_desk.PlaybookDocument`), never the rule files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlaybookRole:
    role: str
    duties: str


@dataclass(frozen=True)
class PlaybookCommunication:
    when: str
    channel: str
    audience: str = ""
    template: str | None = None


@dataclass(frozen=True)
class PlaybookStep:
    id: str
    phase: str  # immediate | short_term | long_term
    text: str
    role: str = ""


@dataclass(frozen=True)
class DecisionPoint:
    question: str
    yes: str
    no: str


@dataclass(frozen=True)
class SeverityLevelRow:
    level: str
    name: str
    description: str
    acknowledge_within: str = ""
    update_every: str = ""
    resolve_within: str = ""


@dataclass(frozen=True)
class EscalationRow:
    policy: str
    description: str
    applies_when: str
    trigger: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class PlaybookDocument:
    type: str
    title: str
    summary: str
    roles: tuple[PlaybookRole, ...]
    communications: tuple[PlaybookCommunication, ...]
    steps: tuple[PlaybookStep, ...]
    decisions: tuple[DecisionPoint, ...]
    severity_levels: tuple[SeverityLevelRow, ...]
    escalations: tuple[EscalationRow, ...]
    rules_digest: str = ""
    source: str = ""
