"""What a report needs beyond the incident itself: level names, the workspace, the clock, the time zone.

Faces (CLI, GUI, exporters) build a `ReportContext` from the app layer and hand it to a renderer;
renderers never read the store or the wall clock themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from ..domain.levels import DEFAULT_LEVEL_NAMES
from ..domain.summary import IncidentSummary


@dataclass(frozen=True)
class MaturityLevel:
    """One level of the maturity rubric as assessed: `3/5 (Defined)` and a sentence per dimension."""

    level: int
    name: str
    scale: int = 5
    dimensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MaturityView:
    """A maturity assessment to print (the rubric and its scoring arrive with the rules engine)."""

    current: MaturityLevel
    target: MaturityLevel | None = None


@dataclass(frozen=True)
class ReportContext:
    """Everything a renderer may use besides the incident.

    - `level_names`: names of severity levels (from the rule files), else the domain defaults.
    - `summaries`: the workspace's incidents for workspace metrics (MTBF, counts); `None` when the
      caller has no workspace, and the report says so instead of guessing.
    - `now`: the instant "now" (for ongoing durations and overdue action items); `None` = not shown.
    - `tz`: the time zone for clock times in the timeline and communication log (UTC by default).
    - `level_targets`: the time target per level (e.g. SEV-1: 5 minutes) quoted beside the duration.
    - `distribution_levels`: levels always listed in the severity distribution, even at 0.
    - `sla`, `maturity`: assessments computed by later parts of the desk, printed when present.
    - `regulatory`: the regulatory clocks of the incident (engine RegulatoryClock: regime_name,
      obligation_name, due_at, time_left, overdue, filed_at, on_time, filing_reference); `None` when the
      caller has no rules, and the reports leave the section out.
    - `derived`: how each derived fact the rules read got its value (objects with `.line`).
    - `derived_items`: process improvements and recommendations derived from the data, printed after
      the hand-written ones.
    """

    level_names: Mapping[str, str] | None = None
    summaries: Sequence[IncidentSummary] | None = None
    now: datetime | None = None
    tz: tzinfo = timezone.utc
    level_targets: Mapping[str, timedelta] = field(default_factory=dict)
    distribution_levels: tuple[str, ...] = ("SEV-1", "SEV-2", "SEV-3")
    count_window_days: int = 30
    mtbf_window_days: int = 365
    currency_symbol: str = "$"
    sla: Any = None
    maturity: MaturityView | None = None
    regulatory: Sequence[Any] | None = None
    derived: Sequence[Any] = ()
    derived_items: Sequence[Any] = ()  # improvement-rule findings (section, text, evidence)

    @property
    def names(self) -> Mapping[str, str]:
        return self.level_names if self.level_names is not None else DEFAULT_LEVEL_NAMES
