"""Regulatory clocks: which reporting obligations apply to an incident, when each is due, time left.

Anchors: `started` (impact start), `aware` (first alert, else declaration), `declared`, `classified`
(the declaration: the desk classifies when an incident is declared), `acknowledged`, `mitigated`,
`resolved`, or the id of an earlier obligation of the same regime (its due time). An obligation with
several deadlines is due at the earliest of them (DORA: 4 h from classification or 24 h from awareness).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..domain.timeutil import isoformat_z
from .conditions import Leaf, Matcher, Node, Row, leaves
from .explain import requirement
from .fields import FIELDS, value_text
from .spans import Span


@dataclass(frozen=True)
class Deadline:
    anchor: str
    within: Span


@dataclass(frozen=True)
class Obligation:
    id: str
    name: str
    deadlines: tuple[Deadline, ...]


@dataclass(frozen=True)
class Regime:
    id: str
    name: str
    description: str
    node: Node
    matcher: Matcher
    obligations: tuple[Obligation, ...]
    line: int


@dataclass(frozen=True)
class RegulatoryClock:
    regime: str
    regime_name: str
    obligation: str
    obligation_name: str
    due_at: datetime | None  # None when no anchor instant is known yet
    time_left: timedelta | None  # negative when overdue
    overdue: bool
    why: str


def anchor_instant(incident: Any, anchor: str) -> datetime | None:
    clock = incident.clock
    return {
        "started": clock.started_at,
        "aware": clock.alerted_at or clock.declared_at,
        "declared": clock.declared_at,
        "classified": clock.declared_at,
        "acknowledged": clock.acknowledged_at,
        "mitigated": clock.mitigated_at,
        "resolved": clock.resolved_at,
    }[anchor]


def _why_applies(regime: Regime, row: Row) -> str:
    parts = []
    for leaf in leaves(regime.node):
        value = row.get(leaf.field)
        parts.append(f"{requirement(leaf)} (found {value_text(FIELDS[leaf.field], value)})")
    return f"{regime.name} applies: " + "; ".join(parts)


def clocks(regimes: list[Regime], incident: Any, row: Row, now: datetime) -> list[RegulatoryClock]:
    found = []
    for regime in regimes:
        if regime.matcher(row) is not True:
            continue
        applies = _why_applies(regime, row)
        due_of: dict[str, datetime | None] = {}
        for obligation in regime.obligations:
            candidates = []
            notes = []
            for deadline in obligation.deadlines:
                start = due_of[deadline.anchor] if deadline.anchor in due_of else anchor_instant(incident, deadline.anchor)
                if start is None:
                    notes.append(f"{deadline.within.text} from {deadline.anchor} (not yet known)")
                    continue
                due_at = deadline.within.add_to(start)
                candidates.append(due_at)
                notes.append(f"{deadline.within.text} from {deadline.anchor} ({isoformat_z(start)})")
            due_at = min(candidates) if candidates else None
            due_of[obligation.id] = due_at
            left = due_at - now if due_at else None
            why = f"{applies}. Due {' or '.join(notes)}, whichever is earliest" if len(notes) > 1 \
                else f"{applies}. Due {notes[0]}"
            found.append(RegulatoryClock(regime.id, regime.name, obligation.id, obligation.name, due_at, left,
                                         bool(left is not None and left < timedelta(0)), why))
    return sorted(found, key=lambda c: (c.due_at is None, c.due_at or now, c.regime))


__all__ = ["Deadline", "Leaf", "Obligation", "Regime", "RegulatoryClock", "anchor_instant", "clocks"]
