"""Every workspace figure for one period, with its trend against the period before: pure functions.

`period_report(summaries, window, previous, ...)` computes the figures of `docs/metrics.md` over the
incidents that *started* in the window (action items by when they were opened and closed), after the
filters, leaving drills out unless asked. Figures that cannot be known are `None`, never 0. The SLA
terms (targets per service, the credit owed per incident) come in as plain values and a function,
because the domain does not read rule files.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from datetime import timezone as _timezone

from .incident import ActionItem, WorkStatus
from .levels import level_rank
from .metrics import UNCLASSIFIED, DurationStats, Window, nearest_rank
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
    tags: tuple[str, ...] = ()  # e.g. a team's tag

    def admits(self, summary: IncidentSummary) -> bool:
        if summary.drill and not self.include_drills:
            return False
        if not (self.types or self.severities or self.commanders or self.services or self.tags):
            return True
        if self.tags and not {t.casefold() for t in summary.tags} & {t.casefold() for t in self.tags}:
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
                "commanders": list(self.commanders), "tags": list(self.tags), "include_drills": self.include_drills}


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


def _stats(known: list[float], unknown: int) -> DurationStats:
    """Mean, median and p90 of the known durations (seconds)."""
    if not known:
        return DurationStats(0, unknown, None, None, None)
    p90 = nearest_rank(known, 0.9)
    assert p90 is not None  # known is not empty
    return DurationStats(len(known), unknown, timedelta(seconds=sum(known) / len(known)),
                         timedelta(seconds=statistics.median(known)), timedelta(seconds=p90))


class StartOrder:
    """Incidents with a start time in start order, so each window's incidents are found by bisection."""

    def __init__(self, summaries: Iterable[IncidentSummary]) -> None:
        pairs = sorted(((s.clock.started_at, s) for s in summaries if s.clock.started_at is not None),
                       key=lambda pair: pair[0])
        self.starts = [start for start, _ in pairs]
        self.items = [summary for _, summary in pairs]

    def started_in(self, window: Window) -> list[IncidentSummary]:
        return self.items[bisect_left(self.starts, window.start):bisect_left(self.starts, window.end)]


def _availability(downtime: dict[str, float], counts: dict[str, int], window: Window, sla: SlaTerms,
                  only: tuple[str, ...]) -> tuple[ServiceAvailability, ...]:
    length = (window.end - window.start).total_seconds()
    names = set(sla.service_targets) | set(downtime)
    if only:
        wanted = {o.casefold() for o in only}
        names = {n for n in names if n.casefold() in wanted}
    rows = []
    for name in sorted(names):
        lost = min(downtime.get(name, 0.0), length)
        pct = round(100.0 * (1 - lost / length), 4) if length > 0 else 100.0
        target = sla.target_for(name)
        rows.append(ServiceAvailability(name, target, timedelta(seconds=lost), pct, pct >= target,
                                        counts.get(name, 0)))
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
                   sla: SlaTerms = SlaTerms(), tz: tzinfo = _timezone.utc,
                   admitted: list[IncidentSummary] | None = None, order: StartOrder | None = None) -> PeriodFigures:
    """The figures of one window, as known at `min(now, window end)` (`admitted`: the summaries the
    filters admit, when the caller already has them)."""
    as_of = min(now, window.end)
    everything = summaries if isinstance(summaries, list) else list(summaries)
    admitted = [s for s in everything if filters.admits(s)] if admitted is None else admitted
    order = order or StartOrder(admitted)
    inside = order.started_in(window)
    drills = sum(1 for s in everything if s.drill and window.contains(s.clock.started_at))
    end = window.end
    severity = {level: 0 for level in levels}
    ttd: list[float] = []
    tta: list[float] = []
    ttr: list[float] = []
    open_count = credits = losses = 0.0
    credits_unknown = losses_unknown = due = on_time = 0
    downtime: dict[str, float] = {}
    counts: dict[str, int] = {}
    deadline = POSTMORTEM_DUE.total_seconds()
    ongoing_until = min(as_of, end)
    for s in inside:
        clock = s.clock
        started = clock.started_at
        assert started is not None  # StartOrder holds only incidents with a start
        key = s.severity or UNCLASSIFIED
        severity[key] = severity.get(key, 0) + 1
        if clock.declared_at is not None:
            ttd.append((clock.declared_at - started).total_seconds())
        if clock.alerted_at is not None and clock.acknowledged_at is not None:
            tta.append((clock.acknowledged_at - clock.alerted_at).total_seconds())
        resolved = clock.resolved_at
        if resolved is not None:
            ttr.append((resolved - started).total_seconds())
        active = s.status.is_active
        open_count += active
        outage = s.outage_seconds
        if outage is not None:
            lost = outage
        elif active:
            lost = max((ongoing_until - started).total_seconds(), 0.0)
        else:
            lost = 0.0
        lost = min(lost, max((end - started).total_seconds(), 0.0))
        for service in s.services:
            downtime[service] = downtime.get(service, 0.0) + lost
            counts[service] = counts.get(service, 0) + 1
        credit = sla.credit(s)
        if credit is None:
            credits_unknown += 1
        else:
            credits += credit
        rate = s.facts.revenue_per_hour
        if rate is None or outage is None:
            losses_unknown += 1
        else:
            losses += round(rate * outage / 3600, 2)
        if resolved is not None:
            delay = s.postmortem_delay_seconds
            if delay is not None or resolved + POSTMORTEM_DUE <= as_of:
                due += 1
                on_time += delay is not None and delay <= deadline
    count = len(inside)
    ordered = severity_order(severity)
    availability = _availability(downtime, counts, window, sla, filters.services)
    # overdue = due before "today", the last day the period covers (in its time zone) or today's date
    today = (as_of - timedelta(microseconds=1) if as_of == window.end else as_of).astimezone(tz).date()
    with_items = [s for s in admitted if s.action_items]
    return PeriodFigures(
        window=window, as_of=as_of, count=count, open=int(open_count), drills=drills, severity=ordered,
        ttd=_stats(ttd, count - len(ttd)), tta=_stats(tta, count - len(tta)), ttr=_stats(ttr, count - len(ttr)),
        mtbf=(order_span(inside) / (count - 1)) if count >= 2 else None,
        availability=availability,
        sla_compliance_pct=(round(100.0 * sum(a.met for a in availability) / len(availability), 2)
                            if availability else None),
        sla_credits=round(credits, 2), sla_credits_unknown=credits_unknown,
        revenue_loss=round(losses, 2), revenue_loss_unknown=losses_unknown,
        action_items=_action_items(with_items, window, as_of, today),
        postmortems_due=due, postmortems_on_time=on_time,
        postmortem_on_time_pct=round(100.0 * on_time / due, 2) if due else None,
        incident_ids=tuple(s.id for s in inside),
    )


def order_span(inside: list[IncidentSummary]) -> timedelta:
    """Last start - first start of incidents in start order (all with a start)."""
    first, last = inside[0].clock.started_at, inside[-1].clock.started_at
    assert first is not None and last is not None
    return last - first


def severity_order(counts: dict[str, int]) -> dict[str, int]:
    """Most severe first, `unclassified` last."""
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == UNCLASSIFIED, level_rank(kv[0]), kv[0])))


def period_report(summaries: Iterable[IncidentSummary], window: Window, previous: Window, *, now: datetime,
                  period: str | None = None, time_zone: str = "UTC", levels: Iterable[str] = (),
                  filters: MetricsFilter = MetricsFilter(), sla: SlaTerms = SlaTerms(),
                  tz: tzinfo = _timezone.utc) -> MetricsReport:
    """The figures of `window` and of `previous`, and the trend of each figure between them."""
    everything = list(summaries)
    levels = tuple(levels)
    admitted = [s for s in everything if filters.admits(s)]
    order = StartOrder(admitted)
    current = period_figures(everything, window, now=now, levels=levels, filters=filters, sla=sla, tz=tz,
                             admitted=admitted, order=order)
    before = period_figures(everything, previous, now=now, levels=levels, filters=filters, sla=sla, tz=tz,
                            admitted=admitted, order=order)
    now_values, then_values = current.scalars(), before.scalars()
    trends = tuple(trend(name, value, then_values.get(name)) for name, value in now_values.items())
    return MetricsReport(period, time_zone, filters, current, before, trends, tz)
