"""Detectors behind the declarative improvement rules: patterns in the incident history worth acting on.

Each detector takes the production incidents of a trailing window and its parameters and returns
findings: the values its rule's sentence may name (`{factor}`, `{count}`, ...) and the incidents that are
the evidence. Pure functions; `engine.improvements` reads the rules and writes the sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .metrics import clock_tta
from .summary import IncidentSummary
from .timeutil import format_short_duration

POSTMORTEM_DUE = timedelta(hours=48)


@dataclass(frozen=True)
class Finding:
    values: dict[str, Any]
    incidents: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Context:
    """What detectors may read besides the incidents: now, playbook types, acknowledgement targets."""

    now: datetime
    playbook_types: frozenset[str] = frozenset()
    ack_targets: Mapping[str, timedelta] = field(default_factory=dict)


def _ids(summaries: Iterable[IncidentSummary]) -> tuple[str, ...]:
    return tuple(sorted(s.id for s in summaries))


def _listed(ids: tuple[str, ...], limit: int = 8) -> str:
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def repeated_contributing_factor(incidents: list[IncidentSummary], context: Context, *,
                                 min_incidents: int = 2) -> list[Finding]:
    groups: dict[str, tuple[str, list[IncidentSummary]]] = {}
    for s in incidents:
        for factor in dict.fromkeys(f.strip() for f in s.contributing_factors if f.strip()):
            key = " ".join(factor.casefold().split())
            groups.setdefault(key, (factor, []))[1].append(s)
    found = []
    for _, (factor, group) in sorted(groups.items(), key=lambda kv: (-len(kv[1][1]), kv[0])):
        if len(group) >= min_incidents:
            ids = _ids(group)
            found.append(Finding({"factor": factor, "count": len(group), "incidents": _listed(ids)}, ids,
                                 f"contributing factor '{factor}' in {len(group)} incidents: {_listed(ids)}"))
    return found


def frequent_type_without_playbook(incidents: list[IncidentSummary], context: Context, *,
                                   min_incidents: int = 3) -> list[Finding]:
    by_type: dict[str, list[IncidentSummary]] = {}
    for s in incidents:
        by_type.setdefault(s.type, []).append(s)
    found = []
    for incident_type, group in sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(group) >= min_incidents and incident_type not in context.playbook_types:
            ids = _ids(group)
            found.append(Finding({"type": incident_type, "count": len(group), "incidents": _listed(ids)}, ids,
                                 f"{len(group)} {incident_type} incidents and no {incident_type} playbook: "
                                 f"{_listed(ids)}"))
    return found


def overdue_action_items(incidents: list[IncidentSummary], context: Context, *, min_items: int = 1) -> list[Finding]:
    today = context.now.date()
    overdue = [(s, a) for s in incidents for a in s.action_items if a.is_overdue(today)]
    if len(overdue) < min_items:
        return []
    items = ", ".join(f"{s.id} {a.id} (due {a.due}, {a.owner})" for s, a in overdue[:8]) \
        + (f" and {len(overdue) - 8} more" if len(overdue) > 8 else "")
    ids = tuple(dict.fromkeys(s.id for s, _ in overdue))
    return [Finding({"count": len(overdue), "items": items, "incidents": _listed(ids)}, ids,
                    f"{len(overdue)} overdue action items: {items}")]


def slow_acknowledgement(incidents: list[IncidentSummary], context: Context, *,
                         min_share_pct: float = 20, min_incidents: int = 2) -> list[Finding]:
    found = []
    for level, target in sorted(context.ack_targets.items()):
        judged = [(s, tta) for s in incidents if s.severity == level and (tta := clock_tta(s.clock)) is not None]
        slow = [(s, tta) for s, tta in judged if tta > target]
        if len(judged) < min_incidents or not slow:
            continue
        share = round(100.0 * len(slow) / len(judged), 1)
        if share < min_share_pct:
            continue
        mean = timedelta(seconds=sum(t.total_seconds() for _, t in judged) / len(judged))
        ids = _ids(s for s, _ in slow)
        found.append(Finding({"level": level, "target": format_short_duration(target), "share": f"{share:g}%",
                              "count": len(slow), "total": len(judged), "mtta": format_short_duration(mean),
                              "incidents": _listed(ids)}, ids,
                             f"{len(slow)} of {len(judged)} {level} incidents acknowledged later than the "
                             f"{format_short_duration(target)} target (MTTA {format_short_duration(mean)}): "
                             f"{_listed(ids)}"))
    return found


def postmortems_not_held(incidents: list[IncidentSummary], context: Context, *,
                         min_incidents: int = 1) -> list[Finding]:
    missing = [s for s in incidents if s.clock.resolved_at is not None and s.postmortem_delay_seconds is None
               and s.clock.resolved_at + POSTMORTEM_DUE <= context.now]
    if len(missing) < min_incidents:
        return []
    ids = _ids(missing)
    return [Finding({"count": len(missing), "incidents": _listed(ids)}, ids,
                    f"{len(missing)} resolved incidents past their 48 h post-mortem deadline without one: "
                    f"{_listed(ids)}")]


Detector = Callable[..., list[Finding]]

#: finding name -> (detector, parameters with defaults, placeholders its sentence may use)
DETECTORS: dict[str, tuple[Detector, dict[str, float], tuple[str, ...]]] = {
    "repeated_contributing_factor": (repeated_contributing_factor, {"min_incidents": 2},
                                     ("factor", "count", "incidents")),
    "frequent_type_without_playbook": (frequent_type_without_playbook, {"min_incidents": 3},
                                       ("type", "count", "incidents")),
    "overdue_action_items": (overdue_action_items, {"min_items": 1}, ("count", "items", "incidents")),
    "slow_acknowledgement": (slow_acknowledgement, {"min_share_pct": 20, "min_incidents": 2},
                             ("level", "target", "share", "count", "total", "mtta", "incidents")),
    "postmortems_not_held": (postmortems_not_held, {"min_incidents": 1}, ("count", "incidents")),
}


def production_window(summaries: Iterable[IncidentSummary], now: datetime, days: int) -> list[IncidentSummary]:
    start = now - timedelta(days=days)
    return [s for s in summaries if not s.drill and s.clock.started_at is not None
            and start <= s.clock.started_at <= now]
