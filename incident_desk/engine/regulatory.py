"""Regulatory clocks: which reporting obligations apply to an incident, when each is due, time left.

Anchors: `started` (impact start), `aware` (first alert, else declaration), `declared`, `classified`
(the declaration: the desk classifies when an incident is declared), `acknowledged`, `mitigated`,
`resolved`, `materiality_determined` (clock.materiality_determined_at), or the id of an earlier
obligation of the same regime (when it was filed, else its due time). An obligation with several
deadlines is due at the earliest of them (DORA: 4 h from classification or 24 h from awareness).

A filing recorded on the incident (`Incident.regulatory_filings`) meets its obligation: the clock says
when it was filed and whether that was on time, and a filed obligation is never overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..domain.timeutil import isoformat_z
from .conditions import Group, Leaf, Matcher, Node, Row, compile_node, leaves
from .explain import requirement
from .fields import FIELDS, value_text
from .spans import Span
from .suggest import did_you_mean


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
    overdue: bool  # never for a filed obligation
    why: str
    filed_at: datetime | None = None
    filing_reference: str = ""

    @property
    def filed(self) -> bool:
        return self.filed_at is not None

    @property
    def on_time(self) -> bool | None:
        """Whether the filing was made by the due time; None when not filed or the due time is unknown."""
        if self.filed_at is None or self.due_at is None:
            return None
        return self.filed_at <= self.due_at

    @property
    def state(self) -> str:
        """`filed on time`, `filed late`, `filed` (due time unknown), `overdue`, `running` or `not yet known`."""
        if self.filed_at is not None:
            return {True: "filed on time", False: "filed late", None: "filed"}[self.on_time]
        if self.due_at is None:
            return "not yet known"
        return "overdue" if self.overdue else "running"


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
        "materiality_determined": clock.materiality_determined_at,
    }[anchor]


def _filings(incident: Any) -> dict[tuple[str, str], Any]:
    return {(f.regime.casefold(), f.obligation.casefold()): f for f in getattr(incident, "regulatory_filings", ())}


def _deciding_leaves(node: Node, row: Row) -> list[Leaf]:
    """The leaves that make a matching condition hold: of an `any`, only the branches that matched."""
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Group) and node.kind == "any":
        matched = [child for child in node.children if compile_node(child)(row) is True]
        return [leaf for child in matched for leaf in _deciding_leaves(child, row)]
    if isinstance(node, Group) and node.kind == "all":
        return [leaf for child in node.children for leaf in _deciding_leaves(child, row)]
    return list(leaves(node))


def _why_applies(regime: Regime, row: Row) -> str:
    parts = []
    for leaf in _deciding_leaves(regime.node, row):
        value = row.get(leaf.field)
        parts.append(f"{requirement(leaf)} (found {value_text(FIELDS[leaf.field], value)})")
    return f"{regime.name} applies: " + "; ".join(parts)


def clocks(regimes: list[Regime], incident: Any, row: Row, now: datetime) -> list[RegulatoryClock]:
    found = []
    filings = _filings(incident)
    for regime in regimes:
        if regime.matcher(row) is not True:
            continue
        applies = _why_applies(regime, row)
        start_of: dict[str, tuple[datetime | None, str]] = {}  # earlier obligation -> (instant, what it is)
        for obligation in regime.obligations:
            candidates: list[datetime] = []
            notes: list[str] = []
            for deadline in obligation.deadlines:
                start, what = start_of.get(deadline.anchor) or (anchor_instant(incident, deadline.anchor), "")
                name = f"{deadline.anchor}{what}"
                if start is None:
                    notes.append(f"{deadline.within.text} from {name} (not yet known)")
                    continue
                candidates.append(deadline.within.add_to(start))
                notes.append(f"{deadline.within.text} from {name} ({isoformat_z(start)})")
            due_at = min(candidates) if candidates else None
            filing = filings.get((regime.id.casefold(), obligation.id.casefold()))
            filed_at = filing.filed_at if filing is not None else None
            start_of[obligation.id] = (filed_at, " filed") if filed_at is not None else (due_at, " due")
            left = due_at - now if due_at is not None and filed_at is None else None
            why = f"{applies}. Due {' or '.join(notes)}, whichever is earliest" if len(notes) > 1 \
                else f"{applies}. Due {notes[0]}"
            found.append(RegulatoryClock(regime.id, regime.name, obligation.id, obligation.name, due_at, left,
                                         bool(left is not None and left < timedelta(0)), why, filed_at,
                                         filing.reference if filing is not None else ""))
    return sorted(found, key=lambda c: (c.due_at is None, c.due_at or now, c.regime))


def find_obligation(regimes: list[Regime], regime: str, obligation: str) -> tuple[Regime, Obligation]:
    """The regime (by id or name, any case) and its obligation (by id, any case); LookupError with a
    did-you-mean naming the rule file's ids when either is unknown."""
    wanted = regime.strip().casefold()
    match = next((r for r in regimes if wanted in (r.id.casefold(), r.name.casefold())), None)
    if match is None:
        ids = [r.id for r in regimes]
        hint = did_you_mean(wanted, ids) or (f" (regimes: {', '.join(ids)})" if ids else " (no regime is defined)")
        raise LookupError(f"unknown regime '{regime}' in regulatory.yaml{hint}")
    wanted = obligation.strip().casefold()
    found = next((o for o in match.obligations if o.id.casefold() == wanted), None)
    if found is None:
        ids = [o.id for o in match.obligations]
        hint = did_you_mean(wanted, ids) or f" ({match.id} obligations: {', '.join(ids)})"
        raise LookupError(f"unknown obligation '{obligation}' of regime {match.id}{hint}")
    return match, found


__all__ = ["Deadline", "Leaf", "Obligation", "Regime", "RegulatoryClock", "anchor_instant", "clocks",
           "find_obligation"]
