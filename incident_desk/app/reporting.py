"""Report use cases: the seed's text report, the Markdown post-mortem, workspace metrics by period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain import metrics
from ..domain.timeutil import isoformat_z
from ..render import ReportContext, render_postmortem_markdown, render_report
from .desk import Desk


def report_context(desk: Desk, now: datetime | None = None) -> ReportContext:
    return ReportContext(summaries=desk.summaries(), now=now or desk.clock())


def text_report(desk: Desk, incident_id: str) -> str:
    return render_report(desk.get(incident_id), report_context(desk))


def postmortem_markdown(desk: Desk, incident_id: str) -> str:
    return render_postmortem_markdown(desk.get(incident_id), report_context(desk))


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 3)


def metrics_document(desk: Desk, period: str, *, start: datetime | None = None,
                     end: datetime | None = None) -> dict[str, Any]:
    """Workspace metrics per calendar period as a JSON-ready document (durations in seconds)."""
    summaries = desk.summaries()
    starts = [s.clock.started_at for s in summaries if s.clock.started_at]
    end = end or desk.clock()
    start = start or (min(starts) if starts else end)
    rows = metrics.metrics_by_period(summaries, period, start, end)  # type: ignore[arg-type]
    everything = [s for s in summaries if s.clock.started_at and start <= s.clock.started_at < end]
    return {
        "format": "incident-desk/metrics",
        "period": period,
        "from": isoformat_z(start),
        "to": isoformat_z(end),
        "units": {"mttd": "seconds", "mtta": "seconds", "mttr": "seconds", "mtbf": "seconds"},
        "overall": {
            "count": len(everything),
            "mttd": _seconds(metrics.mttd(everything)),
            "mtta": _seconds(metrics.mtta(everything)),
            "mttr": _seconds(metrics.mttr(everything)),
            "mtbf": _seconds(metrics.mtbf(everything)),
            "severity": metrics.severity_distribution(everything),
        },
        "periods": [
            {
                "from": isoformat_z(row.window.start),
                "to": isoformat_z(row.window.end),
                "count": row.count,
                "mttd": _seconds(row.mttd),
                "mtta": _seconds(row.mtta),
                "mttr": _seconds(row.mttr),
                "mtbf": _seconds(row.mtbf),
                "severity": row.severity,
            }
            for row in rows
        ],
    }
