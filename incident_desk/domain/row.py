"""One line of an incident list, as plain data (no pydantic), so `incident-desk list` builds no model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .lifecycle import Status

if TYPE_CHECKING:
    from .summary import IncidentSummary


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One line of an incident list (what `incident-desk list` prints): the few fields the index keeps in
    its rows, so a list of 50,000 incidents needs neither the incidents nor their whole summaries."""

    id: str
    title: str
    type: str
    status: Status
    severity: str | None
    started_at: datetime | None
    resolved_at: datetime | None
    commander: str

    @classmethod
    def of(cls, summary: IncidentSummary) -> IncidentRow:
        return cls(summary.id, summary.title, summary.type, summary.status, summary.severity,
                   summary.clock.started_at, summary.clock.resolved_at, summary.commander)
