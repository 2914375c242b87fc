"""Per-incident figures as pure functions: time to detect, acknowledge and resolve, outage, revenue loss.

Definitions (docs/metrics.md has the worked example from the seed's INC-2025-001):

- time to detect (TTD)      = declared_at - started_at
- time to acknowledge (TTA) = acknowledged_at - alerted_at (first alert)
- time to resolve (TTR)     = resolved_at - started_at
- complete outage           = sum of complete-outage windows, or started -> resolved when none recorded
- revenue loss              = revenue_per_hour x complete outage hours

A figure whose inputs are unknown is `None`: it is shown as unknown, never as zero.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from .vocabulary import ImpactKind

if TYPE_CHECKING:
    from .incident import Incident


class Instants(Protocol):
    """The clock instants the time figures read (an `Incident`'s clock, or an `IncidentView`'s)."""

    @property
    def started_at(self) -> datetime | None: ...
    @property
    def alerted_at(self) -> datetime | None: ...
    @property
    def declared_at(self) -> datetime | None: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...


class Clocked(Protocol):
    @property
    def clock(self) -> Instants: ...


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None:
        return None
    return end - start


def time_to_detect(incident: Clocked) -> timedelta | None:
    return _between(incident.clock.started_at, incident.clock.declared_at)


def time_to_acknowledge(incident: Clocked) -> timedelta | None:
    return _between(incident.clock.alerted_at, incident.clock.acknowledged_at)


def time_to_resolve(incident: Clocked) -> timedelta | None:
    return _between(incident.clock.started_at, incident.clock.resolved_at)


def duration(incident: Incident, now: datetime | None = None) -> timedelta | None:
    """Impact duration: started -> resolved, or started -> `now` while the incident is still open."""
    end = incident.clock.resolved_at or now
    return _between(incident.clock.started_at, end)


def impact_time(incident: Incident, kind: ImpactKind) -> timedelta:
    """Total time of recorded impact windows of one kind."""
    return sum((w.end - w.start for w in incident.impact.windows if w.kind is kind), timedelta())


def complete_outage(incident: Incident) -> timedelta | None:
    """Complete-outage time: recorded windows, else started -> resolved."""
    if any(w.kind is ImpactKind.COMPLETE_OUTAGE for w in incident.impact.windows):
        return impact_time(incident, ImpactKind.COMPLETE_OUTAGE)
    return time_to_resolve(incident)


def partial_degradation(incident: Incident) -> timedelta:
    return impact_time(incident, ImpactKind.PARTIAL_DEGRADATION)


def revenue_loss(incident: Incident) -> float | None:
    """Revenue per hour x complete-outage hours, rounded to cents; unknown when either input is."""
    rate = incident.facts.revenue_per_hour
    outage = complete_outage(incident)
    if rate is None or outage is None:
        return None
    return round(rate * outage.total_seconds() / 3600, 2)


def postmortem_due(incident: Incident) -> datetime | None:
    """A post-mortem is due within 48 hours of resolution."""
    resolved = incident.clock.resolved_at
    return None if resolved is None else resolved + timedelta(hours=48)
