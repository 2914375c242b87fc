"""Every workspace figure for one period, with its trend against the period before: pure functions.

`period_report(summaries, window, previous, ...)` computes the figures of `docs/metrics.md` over the
incidents that *started* in the window (action items by when they were opened and closed), after the
filters, leaving drills out unless asked. Figures that cannot be known are `None`, never 0. The SLA
terms (targets per service, the credit owed per incident) come in as plain values and a function,
because the domain does not read rule files.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from datetime import timezone as _timezone

from .incident import ActionItem, WorkStatus
from .levels import level_rank
from .metrics import UNCLASSIFIED, DurationStats, Window, clock_tta, clock_ttd, clock_ttr, duration_stats, mtbf
from .summary import IncidentSummary

POSTMORTEM_DUE = timedelta(hours=48)
_DAY = 86400.0


@dataclass(frozen=True)
class MetricsFilter:
    """Which incidents count. Empty tuples admit everything; names compare case-insensitively."""

    services: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    commanders: tuple[str, ...] = ()
    include_drills: bool = False

    def admits(self, summary: IncidentSummary) -> bool:
        if summary.drill and not self.include_drills:
            return False
        if self.types and summary.type.casefold() not in {t.casefold() for t in self.types}:
            return False
        if self.severities and (summary.severity or UNCLASSIFIED) not in self.severities:
            return False
        if self.commanders and summary.commander.casefold() not in {c.casefold() for c in self.commanders}:
            return False
        if self.services:
            wanted = {s.casefold() for s in self.services}
            if not any(s.casefold() in wanted for s in summary.services):
                return False
        return True

    def describe(self) -> dict[str, list[str] | bool]:
        return {"services": list(self.services), "types": list(self.types), "severities": list(self.severities),
                "commanders": list(self.commanders), "include_drills": self.include_drills}


@dataclass(frozen=True)
class SlaTerms:
    """What the SLA rules say, as plain data: the default target, targets per service, and the credit
    owed for one incident (recorded on it, else computed from the credit tiers; None when unknown)."""

    default_target_pct: float = 99.95
    service_targets: Mapping[str, float] = field(default_factory=dict)
    credit: Callable[[IncidentSummary], float | None] = lambda summary: summary.sla_credits

    def target_for(self, service: str) -> float:
        return self.service_targets.get(service, self.default_target_pct)


@dataclass(frozen=True)
class ServiceAvailability:
    service: str
    target_pct: float
    downtime: timedelta
    availability_pct: float
    met: bool
    incidents: int


@dataclass(frozen=True)
class ActionItemFigures:
    opened: int
    closed: int
    overdue: int
    completion_rate_pct: float | None
    median_days_to_close: float | None


@dataclass(frozen=True)
class PeriodFigures:
    """The figures of one window (see docs/metrics.md for every definition)."""

    window: Window
    as_of: datetime
    count: int
    open: int
    drills: int
    severity: dict[str, int]
    ttd: DurationStats
    tta: DurationStats
    ttr: DurationStats
    mtbf: timedelta | None
    availability: tuple[ServiceAvailability, ...]
    sla_compliance_pct: float | None
    sla_credits: float
    sla_credits_unknown: int
    revenue_loss: float
    revenue_loss_unknown: int
    action_items: ActionItemFigures
    postmortems_due: int
    postmortems_on_time: int
    postmortem_on_time_pct: float | None
    incident_ids: tuple[str, ...] = ()

    def scalars(self) -> dict[str, float | None]:
        """Every figure as one number (durations in seconds), the keys trends are computed over."""
        def seconds(value: timedelta | None) -> float | None:
            return None if value is None else round(value.total_seconds(), 3)

        values: dict[str, float | None] = {"count": self.count}
        values.update({f"severity.{level}": n for level, n in self.severity.items()})
        for name, stats in (("mttd", self.ttd), ("mtta", self.tta), ("mttr", self.ttr)):
            values.update({f"{name}.mean": seconds(stats.mean), f"{name}.median": seconds(stats.median),
                           f"{name}.p90": seconds(stats.p90)})
        values["mtbf"] = seconds(self.mtbf)
        values.update({f"availability.{a.service}": a.availability_pct for a in self.availability})
        values.update({"sla_compliance_pct": self.sla_compliance_pct, "sla_credits": self.sla_credits,
                       "revenue_loss": self.revenue_loss, "action_items.opened": self.action_items.opened,
                       "action_items.closed": self.action_items.closed,
                       "action_items.overdue": self.action_items.overdue,
                       "action_items.completion_rate_pct": self.action_items.completion_rate_pct,
                       "action_items.median_days_to_close": self.action_items.median_days_to_close,
                       "postmortem_on_time_pct": self.postmortem_on_time_pct})
        return values


# Figures where a larger number is better; for the others (counts of trouble, durations, money lost)
# smaller is better. Opened action items are neither: more follow-ups is not worse by itself.
HIGHER_IS_BETTER_PREFIXES = ("mtbf", "availability.", "sla_compliance_pct", "action_items.closed",
                             "action_items.completion_rate_pct", "postmortem_on_time_pct")
NEUTRAL = ("action_items.opened",)


@dataclass(frozen=True)
class Trend:
    figure: str
    current: float | None
    previous: float | None
    change: float | None
    change_pct: float | None
    direction: str  # better | worse | same | neutral | unknown


def trend(figure: str, current: float | None, previous: float | None) -> Trend:
    if current is None or previous is None:
        return Trend(figure, current, previous, None, None, "unknown")
    change = round(current - previous, 6)
    change_pct = None if previous == 0 else round(100.0 * change / abs(previous), 2)
    if change == 0:
        direction = "same"
    elif figure in NEUTRAL:
        direction = "neutral"
    else:
        higher = figure.startswith(HIGHER_IS_BETTER_PREFIXES)
        direction = "better" if (change > 0) == higher else "worse"
    return Trend(figure, current, previous, change, change_pct, direction)


@dataclass(frozen=True)
class MetricsReport:
    period: str | None
    time_zone: str
    filters: MetricsFilter
    current: PeriodFigures
    previous: PeriodFigures
    trends: tuple[Trend, ...]
    tz: tzinfo = _timezone.utc

    def trend_of(self, figure: str) -> Trend | None:
        return next((t for t in self.trends if t.figure == figure), None)


# --------------------------------------------------------------------------- computing


def _started_in(summaries: Iterable[IncidentSummary], window: Window) -> list[IncidentSummary]:
    start, end = window.start, window.end
    return [s for s in summaries if (t := s.clock.started_at) is not None and start <= t < end]


def _distribution(inside: list[IncidentSummary], levels: Iterable[str]) -> dict[str, int]:
    counts = {level: 0 for level in levels}
    for s in inside:
        key = s.severity or UNCLASSIFIED
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == UNCLASSIFIED, level_rank(kv[0]), kv[0])))


def _downtime(summary: IncidentSummary, window: Window, as_of: datetime) -> timedelta:
    """Outage counted in the window: the recorded complete outage (open incidents: until `as_of`),
    taken to begin at the impact start and cut at the window's end."""
    started = summary.clock.started_at
    assert started is not None
    room = max(window.end - started, timedelta(0))
    if summary.outage_seconds is not None:
        outage = timedelta(seconds=summary.outage_seconds)
    elif summary.status.is_active:
        outage = max(min(as_of, window.end) - started, timedelta(0))
    else:
        outage = timedelta(0)
    return min(outage, room)


def _availability(inside: list[IncidentSummary], window: Window, as_of: datetime, sla: SlaTerms,
                  only: tuple[str, ...]) -> tuple[ServiceAvailability, ...]:
    length = (window.end - window.start).total_seconds()
    downtime: dict[str, timedelta] = {}
    counts: dict[str, int] = {}
    for s in inside:
        lost = _downtime(s, window, as_of)
        for service in s.services:
            downtime[service] = downtime.get(service, timedelta(0)) + lost
            counts[service] = counts.get(service, 0) + 1
    names = set(sla.service_targets) | set(downtime)
    if only:
        wanted = {o.casefold() for o in only}
        names = {n for n in names if n.casefold() in wanted}
    rows = []
    for name in sorted(names):
        lost = min(downtime.get(name, timedelta(0)), window.end - window.start)
        pct = round(100.0 * (1 - lost.total_seconds() / length), 4) if length > 0 else 100.0
        target = sla.target_for(name)
        rows.append(ServiceAvailability(name, target, lost, pct, pct >= target, counts.get(name, 0)))
    return tuple(rows)


def _item_opened_at(item: ActionItem, summary: IncidentSummary) -> datetime | None:
    return item.created_at or summary.clock.declared_at or summary.clock.started_at


def _action_items(summaries: Iterable[IncidentSummary], window: Window, as_of: datetime,
                  today: date) -> ActionItemFigures:
    opened = closed = overdue = opened_live = opened_done = 0
    days: list[float] = []
    for s in summaries:
        for item in s.action_items:
            created = _item_opened_at(item, s)
            done = item.status is WorkStatus.DONE
            cancelled = item.status is WorkStatus.CANCELLED
            completed = item.completed_at
            if created is not None and window.contains(created):
                opened += 1
                if not cancelled:
                    opened_live += 1
                    if done and (completed is None or completed <= as_of):
                        opened_done += 1
            if done and completed is not None and window.contains(completed):
                closed += 1
                if item.created_at is not None:
                    days.append((completed - item.created_at).total_seconds() / _DAY)
            open_at_end = not cancelled and (created is None or created <= as_of) and (
                not done or (completed is not None and completed > as_of))
            if open_at_end and item.due is not None and item.due < today:
                overdue += 1
    rate = round(100.0 * opened_done / opened_live, 2) if opened_live else None
    median = round(statistics.median(days), 2) if days else None
    return ActionItemFigures(opened, closed, overdue, rate, median)


def period_figures(summaries: Iterable[IncidentSummary], window: Window, *, now: datetime,
                   levels: Iterable[str] = (), filters: MetricsFilter = MetricsFilter(),
                   sla: SlaTerms = SlaTerms(), tz: tzinfo = _timezone.utc) -> PeriodFigures:
    """The figures of one window, as known at `min(now, window end)`."""
    as_of = min(now, window.end)
    everything = list(summaries)
    admitted = [s for s in everything if filters.admits(s)]
    inside = _started_in(admitted, window)
    drills = sum(1 for s in _started_in(everything, window) if s.drill)
    availability = _availability(inside, window, as_of, sla, filters.services)
    credits = [sla.credit(s) for s in inside]
    losses = []
    for s in inside:
        rate = s.facts.revenue_per_hour
        losses.append(None if rate is None or s.outage_seconds is None
                      else round(rate * s.outage_seconds / 3600, 2))
    due = on_time = 0
    for s in inside:
        resolved = s.clock.resolved_at
        if resolved is None:
            continue
        held_in_time = s.postmortem_delay_seconds is not None and \
            s.postmortem_delay_seconds <= POSTMORTEM_DUE.total_seconds()
        if held_in_time or s.postmortem_delay_seconds is not None or resolved + POSTMORTEM_DUE <= as_of:
            due += 1
            on_time += held_in_time
    # overdue = due before "today", the last day the period covers (in its time zone) or today's date
    today = (as_of - timedelta(microseconds=1) if as_of == window.end else as_of).astimezone(tz).date()
    return PeriodFigures(
        window=window, as_of=as_of, count=len(inside),
        open=sum(1 for s in inside if s.status.is_active), drills=drills,
        severity=_distribution(inside, levels),
        ttd=duration_stats(clock_ttd(s.clock) for s in inside),
        tta=duration_stats(clock_tta(s.clock) for s in inside),
        ttr=duration_stats(clock_ttr(s.clock) for s in inside),
        mtbf=mtbf(inside),
        availability=availability,
        sla_compliance_pct=(round(100.0 * sum(a.met for a in availability) / len(availability), 2)
                            if availability else None),
        sla_credits=round(sum(c for c in credits if c is not None), 2),
        sla_credits_unknown=sum(1 for c in credits if c is None),
        revenue_loss=round(sum(v for v in losses if v is not None), 2),
        revenue_loss_unknown=sum(1 for v in losses if v is None),
        action_items=_action_items(admitted, window, as_of, today),
        postmortems_due=due, postmortems_on_time=on_time,
        postmortem_on_time_pct=round(100.0 * on_time / due, 2) if due else None,
        incident_ids=tuple(s.id for s in inside),
    )


def period_report(summaries: Iterable[IncidentSummary], window: Window, previous: Window, *, now: datetime,
                  period: str | None = None, time_zone: str = "UTC", levels: Iterable[str] = (),
                  filters: MetricsFilter = MetricsFilter(), sla: SlaTerms = SlaTerms(),
                  tz: tzinfo = _timezone.utc) -> MetricsReport:
    """The figures of `window` and of `previous`, and the trend of each figure between them."""
    everything = list(summaries)
    levels = tuple(levels)
    current = period_figures(everything, window, now=now, levels=levels, filters=filters, sla=sla, tz=tz)
    before = period_figures(everything, previous, now=now, levels=levels, filters=filters, sla=sla, tz=tz)
    now_values, then_values = current.scalars(), before.scalars()
    trends = tuple(trend(name, value, then_values.get(name)) for name, value in now_values.items())
    return MetricsReport(period, time_zone, filters, current, before, trends, tz)
