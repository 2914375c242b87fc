"""Report use cases: the seed's text report and the Markdown post-mortem (metrics: `metrics_service`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from ..domain import DomainError, Incident
from ..render import ReportContext, render_postmortem_markdown, render_report
from . import improvements_service, maturity_service
from .desk import Desk, SummaryQuery


def time_zone(name: str | None) -> tzinfo:
    """`UTC` (the default), `local` (this machine's zone) or an IANA name such as `Europe/Paris`."""
    from .workspace_settings import zone_of

    try:
        return zone_of(name or "")
    except ValueError as error:
        raise DomainError(str(error)) from None


def report_context(desk: Desk, incident: Incident | None = None, now: datetime | None = None,
                   tz: tzinfo = timezone.utc) -> ReportContext:
    """Workspace history for metrics, and from the active rules: level names and the SLA assessment."""
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    now = now or desk.clock()
    known = ruleset if incident is not None else None
    return ReportContext(
        summaries=_history_for(desk, incident),
        now=now,
        tz=tz,
        level_names=ruleset.level_names if ruleset else None,
        sla=known.sla(incident) if known is not None and incident is not None else None,
        regulatory=known.regulatory_clocks(incident, now) if known is not None and incident is not None else None,
        derived=known.derived_facts(incident, now) if known is not None and incident is not None else (),
        maturity=maturity_service.report_view(desk),
        derived_items=improvements_service.report_items(desk, incident) if incident is not None else (),
    )


def _history_for(desk: Desk, incident: Incident | None) -> list:
    """The workspace history the report's figures read: for one incident, only the incidents started in
    the longest trailing window its metrics use (so a report does not grow with the workspace's history)."""
    if incident is None:
        return desk.summaries()
    start = incident.clock.started_at
    if start is None:
        return []  # the figures say "start time unknown" without reading history
    days = max(ReportContext.count_window_days, ReportContext.mtbf_window_days)
    return desk.summaries(SummaryQuery(started_from=start - timedelta(days=days),
                                       started_before=start + timedelta(microseconds=1)))


def text_report(desk: Desk, incident_id: str, tz: tzinfo = timezone.utc) -> str:
    incident = desk.get(incident_id)
    return render_report(incident, report_context(desk, incident, tz=tz))


def postmortem_markdown(desk: Desk, incident_id: str, tz: tzinfo = timezone.utc) -> str:
    incident = desk.get(incident_id)
    return render_postmortem_markdown(incident, report_context(desk, incident, tz=tz))
