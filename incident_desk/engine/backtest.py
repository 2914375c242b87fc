"""Backtest: run a candidate rule set over history beside the active one and report every move.

The fast path evaluates only what decides the level (rules in severity order, first match wins) on one
row of field values per incident, shared by both rule sets; full explanations are built only for the
incidents whose level changes. Accepts `Incident` or the lighter `IncidentSummary`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..domain.incident import RuleMatch
from ..domain.levels import level_rank
from .fields import build_row

if TYPE_CHECKING:
    from .ruleset import RuleSet


@dataclass(frozen=True)
class LevelMove:
    """One incident whose computed level differs between the two rule sets, with both explanations."""

    incident_id: str
    title: str
    before: str
    after: str
    why_before: tuple[RuleMatch, ...]
    why_after: tuple[RuleMatch, ...]

    @property
    def direction(self) -> str:
        return "up" if level_rank(self.after) < level_rank(self.before) else "down"


@dataclass
class BacktestReport:
    total: int = 0
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    moves: list[LevelMove] = field(default_factory=list)
    active_digest: str = ""
    candidate_digest: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.moves)


def backtest(active: RuleSet, candidate: RuleSet, incidents: Iterable[Any],
             now: datetime | None = None) -> BacktestReport:
    """Classify every incident with both rule sets; `now` dates open incidents (default: the wall clock)."""
    now = now or datetime.now(timezone.utc)
    names = tuple(sorted(set(active.severity_rules.fields) | set(candidate.severity_rules.fields)))
    env = active.env(now)
    before_of, after_of = active.severity_rules.level_of, candidate.severity_rules.level_of
    before_counts: Counter[str] = Counter()
    after_counts: Counter[str] = Counter()
    moved: list[tuple[Any, dict, str, str]] = []
    total = 0
    for incident in incidents:
        total += 1
        row = build_row(incident, env, names)
        before, after = before_of(row), after_of(row)
        before_counts[before] += 1
        after_counts[after] += 1
        if before != after:
            moved.append((incident, row, before, after))
    moves = []
    for incident, row, before, after in moved:
        moves.append(LevelMove(incident.id, incident.title, before, after,
                               active.severity_rules.classify_row(row).explanation,
                               candidate.severity_rules.classify_row(row).explanation))
    levels = sorted(set(before_counts) | set(after_counts) | {lv.id for lv in active.levels}
                    | {lv.id for lv in candidate.levels}, key=level_rank)
    return BacktestReport(total, {lv: before_counts.get(lv, 0) for lv in levels},
                          {lv: after_counts.get(lv, 0) for lv in levels}, moves, active.digest, candidate.digest)
