"""Workspace metrics for a period: choosing the window and time zone, reading the incidents, the SLA
terms from the active rules, and handing them to the pure formulas of `domain.period_metrics`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from ..domain import DomainError, IncidentSummary
from ..domain.metrics import PERIODS, Window, calendar_window, previous_window
from ..domain.period_metrics import MetricsFilter, MetricsReport, SlaTerms, period_report
from ..domain.timeutil import parse_instant
from .desk import Desk
from .workspace_settings import load_settings, zone_of

DEFAULT_LEVELS = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class MetricsRequest:
    """What to measure: a calendar `period` containing `at` (default now), or `start`..`end` (text: a
    date, taken as a whole local day, or an ISO instant); `tz` names the zone (default: the workspace's)."""

    period: str | None = None
    at: str | None = None
    start: str | None = None
    end: str | None = None
    tz: str | None = None
    filters: MetricsFilter = field(default_factory=MetricsFilter)


def time_zone(desk: Desk, name: str | None) -> tuple[str, tzinfo]:
    """The zone asked for, else the workspace's (settings.yaml), else UTC."""
    if name is None:
        name = load_settings(desk.workspace.path).time_zone
    try:
        return name, zone_of(name)
    except ValueError as error:
        raise DomainError(str(error)) from None


def _instant(text: str, tz: tzinfo, what: str, end_of_day: bool = False) -> datetime:
    text = text.strip()
    if _DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise DomainError(f"{what}: '{text}' is not a date such as 2026-11-01") from None
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(), tzinfo=tz)
    try:
        if "T" in text and not text.endswith(("Z", "z")) and not re.search(r"[+-]\d{2}:?\d{2}$", text):
            return datetime.fromisoformat(text).replace(tzinfo=tz)  # a wall-clock time in the zone
        return parse_instant(text)
    except ValueError:
        raise DomainError(f"{what}: '{text}' is not a date (2026-11-01) or time (2026-11-01T09:00:00Z)") from None


def windows(request: MetricsRequest, tz: tzinfo, now: datetime) -> tuple[str | None, Window, Window]:
    """(period name or None for a custom range, the window, the previous window)."""
    if request.start is not None or request.end is not None:
        if request.period is not None or request.at is not None:
            raise DomainError("give either a period (with --at) or --from/--to, not both")
        if request.start is None or request.end is None:
            raise DomainError("a custom range needs both --from and --to")
        start = _instant(request.start, tz, "--from")
        end = _instant(request.end, tz, "--to", end_of_day=True)
        if end <= start:
            raise DomainError(f"--to ({request.end}) must be after --from ({request.start})")
        window = Window(start, end)
        return None, window, previous_window(window, None, tz)
    period = request.period or "monthly"
    if period not in PERIODS:
        raise DomainError(f"unknown period '{period}'; use one of {', '.join(PERIODS)}")
    at = _instant(request.at, tz, "--at") if request.at is not None else now
    window = calendar_window(period, at, tz)  # type: ignore[arg-type]
    return period, window, previous_window(window, period, tz)  # type: ignore[arg-type]


def sla_terms(desk: Desk) -> SlaTerms:
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    if ruleset is None:
        return SlaTerms()
    policy = ruleset.sla_policy
    targets = {name: s.target_pct for name, s in policy.model.services.items() if s.target_pct is not None}

    terms: dict[tuple, tuple[float, float]] = {}  # (services, target fact) -> (target, fee): few distinct
    tiers = sorted(((t.below, t.credit_pct) for t in policy.model.credit_tiers), reverse=True)
    period = policy.model.period.total_seconds()

    def credit(summary: IncidentSummary) -> float | None:
        """As `SlaPolicy.credit_amount`, with the target and fee remembered per set of services."""
        if summary.sla_credits is not None:
            return summary.sla_credits
        actual = summary.facts.sla_actual_pct
        if actual is None:
            if summary.outage_seconds is None:
                return None
            actual = round(100.0 * (1 - summary.outage_seconds / period), 4)
        key = (tuple(summary.services), summary.facts.sla_target_pct)
        known = terms.get(key)
        if known is None:
            known = terms[key] = (policy.target_for(summary), policy.fee_for(summary))
        target, fee = known
        if actual >= target:
            return 0.0
        pct = max((pct for below, pct in tiers if actual < below), default=0.0)
        return round(fee * pct / 100, 2)

    return SlaTerms(policy.model.default_target_pct, targets, credit)


def levels(desk: Desk) -> tuple[str, ...]:
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    return tuple(level.id for level in ruleset.levels) if ruleset is not None else DEFAULT_LEVELS


def compute(desk: Desk, request: MetricsRequest, summaries: list[IncidentSummary] | None = None) -> MetricsReport:
    """The metrics of the requested period with their trends against the period before."""
    zone_name, tz = time_zone(desk, request.tz)
    now = desk.clock()
    period, window, previous = windows(request, tz, now)
    return period_report(desk.summaries() if summaries is None else summaries, window, previous, now=now,
                         period=period, time_zone=zone_name, levels=levels(desk), filters=request.filters,
                         sla=sla_terms(desk), tz=tz)


def currency(desk: Desk) -> str:
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    return ruleset.sla_policy.model.currency if ruleset is not None else "USD"




def request_from(*, period: str | None = None, at: str | None = None, start: str | None = None,
                 end: str | None = None, tz: str | None = None, services=(), types=(), levels=(), commanders=(),
                 tags=(), include_drills: bool = False) -> MetricsRequest:
    """A request from what a person typed; a level that is not one (`sev9x`) is a DomainError."""
    from ..domain import normalize_severity

    try:
        severities = tuple(normalize_severity(level) for level in levels)
    except ValueError as error:
        raise DomainError(f"--level: {error}") from None
    filters = MetricsFilter(tuple(services), tuple(types), severities, tuple(commanders), include_drills, tuple(tags))
    return MetricsRequest(period=period, at=at, start=start, end=end, tz=tz, filters=filters)


def render(desk: Desk, request: MetricsRequest, fmt: str) -> str:
    """The metrics as text, markdown (md), csv or json; an unknown format is a DomainError."""
    from ..render.metrics_formats import render_metrics

    report = compute(desk, request)
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    try:
        return render_metrics(report, fmt, currency(desk), ruleset.level_names if ruleset is not None else None)
    except ValueError as error:
        raise DomainError(str(error)) from None
