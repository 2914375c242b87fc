"""Report use cases: the seed's text report, the Markdown post-mortem, workspace metrics."""

from __future__ import annotations

from datetime import datetime

from ..render.text_report import ReportContext, render_report
from .desk import Desk


def report_context(desk: Desk, now: datetime | None = None) -> ReportContext:
    return ReportContext(summaries=desk.summaries(), now=now or desk.clock())


def text_report(desk: Desk, incident_id: str) -> str:
    return render_report(desk.get(incident_id), report_context(desk))


def postmortem_markdown(desk: Desk, incident_id: str) -> str:
    from ..render.markdown import render_postmortem_markdown

    return render_postmortem_markdown(desk.get(incident_id), report_context(desk))
