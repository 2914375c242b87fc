"""Workspace-level incident metrics as pure functions over incident summaries.

Per-incident figures (TTD, TTA, TTR, outage, revenue loss) live in `figures.py`; this module
aggregates them over many incidents. Definitions (docs/metrics.md has worked examples):

- MTTD / MTTA / MTTR: the mean of each incident's TTD / TTA / TTR; incidents whose figure is unknown
  are left out (never counted as zero). Medians are available too.
- MTBF: the mean time between the starts of consecutive incidents, i.e. (last start - first start)
  / (number of incidents - 1) over the incidents started in a window; unknown below two incidents.
- incident count and severity distribution: incidents *started* in a window.

A window is `[start, end)`; `trailing_window(reference, days)` is the `days` ending at and
including `reference`, which is how the report counts "the 30 days ending at this incident".
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Literal

from .incident import Clock
from .levels import level_rank
from .summary import IncidentSummary
from .timeutil import as_utc

Period = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
PERIODS: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "yearly")
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Window:
    """A span of time. Half-open `[start, end)` unless `closed_end` (then `[start, end]`)."""

    start: datetime
    end: datetime
    closed_end: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start))
        object.__setattr__(self, "end", as_utc(self.end))
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end:%Y-%m-%dT%H:%M:%SZ}) before it starts "
                             f"({self.start:%Y-%m-%dT%H:%M:%SZ})")

    def contains(self, instant: datetime | None) -> bool:
        if instant is None:
            return False
        return self.start <= instant and (instant <= self.end if self.closed_end else instant < self.end)


def trailing_window(reference: datetime, days: int) -> Window:
    """The `days` days ending at and including `reference`."""
    reference = as_utc(reference)
    return Window(reference - timedelta(days=days), reference, closed_end=True)


def in_window(summaries: Iterable[IncidentSummary], window: Window | None) -> list[IncidentSummary]:
    """Incidents that started inside `window` (all of them when `window` is None)."""
    return [s for s in summaries if window is None or window.contains(s.clock.started_at)]


# --------------------------------------------------------------------------- per-incident figures


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    return None if start is None or end is None else end - start


def clock_ttd(clock: Clock) -> timedelta | None:
    """Time to detect: declared - started (as figures.time_to_detect)."""
    return _between(clock.started_at, clock.declared_at)


def clock_tta(clock: Clock) -> timedelta | None:
    """Time to acknowledge: acknowledged - first alert (as figures.time_to_acknowledge)."""
    return _between(clock.alerted_at, clock.acknowledged_at)


def clock_ttr(clock: Clock) -> timedelta | None:
    """Time to resolve: resolved - started (as figures.time_to_resolve)."""
    return _between(clock.started_at, clock.resolved_at)


def _known(summaries: Iterable[IncidentSummary], figure: Callable[[Clock], timedelta | None]) -> list[timedelta]:
    return [value for s in summaries if (value := figure(s.clock)) is not None]


def _mean(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=sum(v.total_seconds() for v in values) / len(values))


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def nearest_rank(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or
    below it (rank ceil(share x n) in ascending order). p90 of 1..10 is 9; of one value, that value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(round(share * 1000)) * len(ordered) // 1000))  # ceil without float error
    return ordered[rank - 1]


@dataclass(frozen=True)
class DurationStats:
    """Mean, median and p90 (nearest rank) of one figure over the incidents where it is known."""

    known: int
    unknown: int
    mean: timedelta | None
    median: timedelta | None
    p90: timedelta | None


def duration_stats(values: Iterable[timedelta | None]) -> DurationStats:
    values = list(values)
    known = [v for v in values if v is not None]
    p90 = nearest_rank([v.total_seconds() for v in known], 0.9)
    return DurationStats(len(known), len(values) - len(known), _mean(known), _median(known),
                         None if p90 is None else timedelta(seconds=p90))


# --------------------------------------------------------------------------- aggregates


def mttd(summaries: Iterable[IncidentSummary]) -> timedelta | None:
    """Mean time to detect over the incidents whose TTD is known."""
    return _mean(_known(summaries, clock_ttd))


def mtta(summaries: Iterable[IncidentSummary]) -> timedelta | None:
    """Mean time to acknowledge over the incidents whose TTA is known."""
    return _mean(_known(summaries, clock_tta))


def mttr(summaries: Iterable[IncidentSummary]) -> timedelta | None:
    """Mean time to resolve over the resolved incidents."""
    return _mean(_known(summaries, clock_ttr))


def median_ttd(summaries: Iterable[IncidentSummary]) -> timedelta | None:
    return _median(_known(summaries, clock_ttd))


def median_tta(summaries: Iterable[IncidentSummary]) -> timedelta | None:
    return _median(_known(summaries, clock_tta))


def median_ttr(summaries: Iterable[IncidentSummary]) -> timedelta | None:
    return _median(_known(summaries, clock_ttr))


def mtbf(summaries: Iterable[IncidentSummary], window: Window | None = None) -> timedelta | None:
    """Mean time between the starts of consecutive incidents started in `window`.

    Equal to (last start - first start) / (n - 1); unknown with fewer than two incidents.
    """
    starts = sorted(s.clock.started_at for s in in_window(summaries, window) if s.clock.started_at is not None)
    if len(starts) < 2:
        return None
    return (starts[-1] - starts[0]) / (len(starts) - 1)


def incident_count(summaries: Iterable[IncidentSummary], window: Window | None = None) -> int:
    """Number of incidents started in `window`."""
    return len(in_window(summaries, window))


def severity_distribution(summaries: Iterable[IncidentSummary], window: Window | None = None,
                          levels: Iterable[str] = ()) -> dict[str, int]:
    """Incidents per level in force, most severe first. Every level in `levels` is present even at 0;
    incidents without a level are counted under "unclassified" (last)."""
    counts: dict[str, int] = {level: 0 for level in levels}
    for summary in in_window(summaries, window):
        key = summary.severity or UNCLASSIFIED
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (item[0] == UNCLASSIFIED, level_rank(item[0]), item[0])))


# --------------------------------------------------------------------------- calendar periods


def _period_start(instant: datetime, period: Period) -> datetime:
    day = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "daily":
        return day
    if period == "weekly":  # ISO weeks start on Monday
        return day - timedelta(days=day.weekday())
    if period == "monthly":
        return day.replace(day=1)
    if period == "quarterly":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == "yearly":
        return day.replace(month=1, day=1)
    raise ValueError(f"'{period}' is not a period; use one of {', '.join(PERIODS)}")


def _next_period(start: datetime, period: Period) -> datetime:
    if period == "daily":
        return start + timedelta(days=1)
    if period == "weekly":
        return start + timedelta(days=7)
    if period == "yearly":
        return start.replace(year=start.year + 1)
    months = start.month - 1 + (3 if period == "quarterly" else 1)
    return start.replace(year=start.year + months // 12, month=months % 12 + 1)


def calendar_window(period: Period, instant: datetime, tz: tzinfo = timezone.utc) -> Window:
    """The calendar period (day, ISO week, month, quarter, year in `tz`) that contains `instant`."""
    local = as_utc(instant).astimezone(tz).replace(tzinfo=None)
    start = _period_start(local, period)
    return Window(start.replace(tzinfo=tz), _next_period(start, period).replace(tzinfo=tz))


def previous_window(window: Window, period: Period | None, tz: tzinfo = timezone.utc) -> Window:
    """The period before `window`: the previous calendar period, or for a custom range the span of the
    same length ending where it starts."""
    if period is None:
        return Window(window.start - (window.end - window.start), window.start)
    local_start = window.start.astimezone(tz).replace(tzinfo=None)
    return calendar_window(period, (local_start - timedelta(seconds=1)).replace(tzinfo=tz), tz)


def period_windows(period: Period, start: datetime, end: datetime, tz: tzinfo = timezone.utc) -> list[Window]:
    """Calendar windows (days, ISO weeks or months in `tz`) covering `start` .. `end`."""
    _period_start(start, period)  # validates the period name
    local_start, local_end = as_utc(start).astimezone(tz), as_utc(end).astimezone(tz)
    if local_end < local_start:
        raise ValueError("period end is before its start")
    windows = []
    cursor = _period_start(local_start, period)
    while cursor <= local_end:
        following = _next_period(cursor, period)
        # Rebuild from wall-clock fields so a day across a DST change is still a calendar day.
        windows.append(Window(cursor.replace(tzinfo=tz), following.replace(tzinfo=tz)))
        cursor = following
    return windows


@dataclass(frozen=True)
class PeriodMetrics:
    """Metrics of the incidents started in one window."""

    window: Window
    count: int
    mttd: timedelta | None
    mtta: timedelta | None
    mttr: timedelta | None
    mtbf: timedelta | None
    severity: dict[str, int]


def metrics_by_period(summaries: Iterable[IncidentSummary], period: Period, start: datetime, end: datetime,
                      tz: tzinfo = timezone.utc, levels: Iterable[str] = ()) -> list[PeriodMetrics]:
    """One `PeriodMetrics` per calendar window between `start` and `end`."""
    summaries = list(summaries)
    levels = tuple(levels)
    rows = []
    for window in period_windows(period, start, end, tz):
        inside = in_window(summaries, window)
        rows.append(PeriodMetrics(window=window, count=len(inside), mttd=mttd(inside), mtta=mtta(inside),
                                  mttr=mttr(inside), mtbf=mtbf(inside),
                                  severity=severity_distribution(inside, levels=levels)))
    return rows
