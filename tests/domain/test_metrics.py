"""Workspace metrics: each formula on hand-made incidents, and the seed's INCIDENT METRICS numbers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from incident_desk.demo.data import SEED_START, demo_workspace, seed_incident
from incident_desk.domain import Clock, Incident, Severity, metrics, summarize
from incident_desk.domain.summary import IncidentSummary

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def incident(n: int, start: datetime | None, level: str | None = "SEV-3", ttd=None, tta=None, ttr=None) -> IncidentSummary:
    clock = Clock(
        started_at=start,
        alerted_at=start,
        declared_at=start + ttd if start and ttd is not None else None,
        acknowledged_at=start + tta if start and tta is not None else None,
        resolved_at=start + ttr if start and ttr is not None else None,
    )
    return summarize(Incident(id=f"INC-2025-{n:03d}", title=f"incident {n}", clock=clock,
                              severity=Severity(computed=level)))


def minutes(m: float) -> timedelta:
    return timedelta(minutes=m)


def test_seed_incident_own_figures():
    summary = [summarize(seed_incident())]
    assert metrics.mttd(summary) == timedelta(minutes=2, seconds=15)
    assert metrics.mtta(summary) == timedelta(minutes=5)
    assert metrics.mttr(summary) == timedelta(hours=2, minutes=15)


def test_seed_workspace_metrics_match_the_seed_report():
    summaries = [summarize(i) for i in demo_workspace()]
    assert metrics.mtbf(summaries, metrics.trailing_window(SEED_START, 365)) == timedelta(days=45)
    window = metrics.trailing_window(SEED_START, 30)
    assert metrics.incident_count(summaries, window) == 3
    assert metrics.severity_distribution(summaries, window, levels=("SEV-1", "SEV-2", "SEV-3")) == {
        "SEV-1": 1, "SEV-2": 2, "SEV-3": 0}


def test_means_ignore_unknown_figures_instead_of_counting_zero():
    summaries = [
        incident(1, T0, ttd=minutes(2), tta=minutes(4), ttr=minutes(60)),
        incident(2, T0, ttd=minutes(6), tta=minutes(10), ttr=None),  # still open
        incident(3, T0),  # nothing known
    ]
    assert metrics.mttd(summaries) == minutes(4)
    assert metrics.mtta(summaries) == minutes(7)
    assert metrics.mttr(summaries) == minutes(60)
    assert metrics.mttd([incident(4, T0)]) is None and metrics.mttd([]) is None


def test_medians_resist_one_long_incident():
    summaries = [incident(n, T0, ttr=minutes(m)) for n, m in enumerate((30, 40, 50, 6000), start=1)]
    assert metrics.median_ttr(summaries) == minutes(45)
    assert metrics.mttr(summaries) == minutes(1530)
    assert metrics.median_ttd(summaries) is None


def test_mtbf_is_the_mean_gap_between_consecutive_starts():
    summaries = [incident(n, T0 + timedelta(days=d)) for n, d in enumerate((40, 0, 10), start=1)]
    assert metrics.mtbf(summaries) == timedelta(days=20)
    assert metrics.mtbf(summaries[:1]) is None
    assert metrics.mtbf(summaries + [incident(9, None)]) == timedelta(days=20)  # unknown start ignored
    window = metrics.Window(T0, T0 + timedelta(days=20))
    assert metrics.mtbf(summaries, window) == timedelta(days=10)


def test_trailing_window_includes_its_reference_instant_and_its_first_day():
    reference = T0 + timedelta(days=30)
    summaries = [incident(1, T0), incident(2, reference), incident(3, reference + timedelta(seconds=1)),
                 incident(4, T0 - timedelta(seconds=1))]
    window = metrics.trailing_window(reference, 30)
    assert [s.id for s in metrics.in_window(summaries, window)] == ["INC-2025-001", "INC-2025-002"]
    assert metrics.incident_count(summaries) == 4


def test_severity_distribution_orders_levels_and_counts_unclassified():
    summaries = [incident(1, T0, "SEV-3"), incident(2, T0, None), incident(3, T0, "SEV-1"), incident(4, T0, "SEV-3")]
    result = metrics.severity_distribution(summaries, levels=("SEV-1", "SEV-2"))
    assert list(result.items()) == [("SEV-1", 1), ("SEV-2", 0), ("SEV-3", 2), ("unclassified", 1)]


def test_period_windows_follow_the_calendar():
    months = metrics.period_windows("monthly", datetime(2025, 11, 20, tzinfo=timezone.utc),
                                    datetime(2026, 1, 5, tzinfo=timezone.utc))
    assert [(w.start.month, w.end.month) for w in months] == [(11, 12), (12, 1), (1, 2)]
    weeks = metrics.period_windows("weekly", datetime(2025, 1, 15, tzinfo=timezone.utc),
                                   datetime(2025, 1, 20, tzinfo=timezone.utc))
    assert [w.start.date().isoformat() for w in weeks] == ["2025-01-13", "2025-01-20"]
    berlin = ZoneInfo("Europe/Berlin")
    days = metrics.period_windows("daily", datetime(2025, 3, 30, 0, tzinfo=berlin),
                                  datetime(2025, 3, 30, 12, tzinfo=berlin), tz=berlin)
    assert len(days) == 1 and days[0].end - days[0].start == timedelta(hours=23)  # DST day
    quarters = metrics.period_windows("quarterly", datetime(2025, 2, 1, tzinfo=timezone.utc),
                                      datetime(2025, 7, 1, tzinfo=timezone.utc))
    assert [(w.start.month, w.end.month) for w in quarters] == [(1, 4), (4, 7), (7, 10)]
    years = metrics.period_windows("yearly", datetime(2025, 12, 31, 23, tzinfo=berlin),
                                   datetime(2026, 1, 1, 1, tzinfo=berlin), tz=berlin)
    assert [w.start.astimezone(berlin).year for w in years] == [2025, 2026]
    with pytest.raises(ValueError, match="'hourly' is not a period"):
        metrics.period_windows("hourly", T0, T0)  # type: ignore[arg-type]


def test_metrics_by_period_splits_the_incidents_without_losing_any():
    summaries = [incident(n, T0 + timedelta(days=n * 3), "SEV-2" if n % 2 else "SEV-4", ttr=minutes(n))
                 for n in range(1, 21)]
    rows = metrics.metrics_by_period(summaries, "monthly", T0, T0 + timedelta(days=70))
    assert sum(row.count for row in rows) == 20
    march = rows[0]
    assert march.count == 10 and march.mttr == minutes(5.5)
    assert march.mtbf == timedelta(days=3) and march.severity == {"SEV-2": 5, "SEV-4": 5}


def test_window_refuses_an_end_before_its_start():
    with pytest.raises(ValueError, match="before it starts"):
        metrics.Window(T0, T0 - timedelta(seconds=1))
