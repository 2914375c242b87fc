"""The Markdown post-mortem: complete for the seed incident, and robust against hostile text."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from incident_desk.demo.data import seed_incident
from incident_desk.domain import Incident, operations
from incident_desk.render.context import ReportContext
from incident_desk.render.markdown import render_postmortem_markdown


def cells(row: str) -> list[str]:
    """Split a table row on pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def tables_are_well_formed(document: str) -> bool:
    widths: list[int] = []
    for line in document.split("\n") + [""]:
        if line.startswith("|"):
            widths.append(len(cells(line)))
        elif widths:
            if len(set(widths)) != 1:
                return False
            widths = []
    return True


def test_seed_post_mortem_has_every_part_in_order():
    document = render_postmortem_markdown(seed_incident())
    headings = [line for line in document.split("\n") if line.startswith("## ")]
    assert headings == ["## Summary", "## Impact", "## Key figures", "## Facts", "## Severity criteria", "## Timeline",
                        "## Communication log", "## Regulatory deadlines and filings", "## Root cause analysis",
                        "## What went well", "## What could be improved", "## Lessons learned", "## Remediation",
                        "## Action items", "## Process improvements", "## Recommendations", "## Metrics",
                        "## Responders"]
    assert "- Customer Impact: 100% of customers affected" in document
    assert "| 02:35:00 | Internal alert | Responders | #incidents channel created |" in document
    assert document.startswith("# Post-mortem: INC-2025-001 - Database cluster failover failure causing 100% API "
                               "error rate\n\n> This is a blameless post-mortem")
    assert "| Post-mortem meeting | held 2025-01-16T14:00:00Z (within 48 hours of resolution) |" in document
    assert "| Time to resolve (TTR) | 2 hours 15 minutes |" in document
    assert "| Revenue loss (estimated) | $191,250 |" in document
    assert "| 02:32:15 | decision | Incident declared SEV-1, incident commander assigned |" in document
    assert "5. **Why no network partition tests?** Not considered in risk assessment" in document
    assert ("| A5 | Low | Conduct quarterly failover drills | SRE | 2025-04-01 (quarterly) | Scheduled |"
            in document)
    assert "- Backup systems worked as designed" in document
    assert "| Incident commander | Maria Chen | 2025-01-15T02:32:15Z | 2025-01-15T04:00:00Z |" in document
    assert tables_are_well_formed(document)


def test_hostile_text_cannot_break_the_structure():
    incident = seed_incident()
    incident.title = "Outage | <script>alert(1)</script>"
    operations.add_event(incident, datetime(2025, 1, 15, 4, 50, tzinfo=timezone.utc), "a | b\n# not a heading")
    incident.postmortem.went_well.append("1. fake numbered item")
    incident.action_items[0].title = "Fix *everything* | now"
    document = render_postmortem_markdown(incident)
    assert tables_are_well_formed(document)
    assert "<script>" not in document
    assert [line for line in document.split("\n") if line.startswith("# ")] == [document.split("\n")[0]]
    assert "| 04:50:00 | note | a \\| b # not a heading |" in document
    assert "- 1\\. fake numbered item" in document
    assert "Fix \\*everything\\* \\| now" in document


def test_an_incident_without_post_mortem_data_says_what_is_missing():
    incident = Incident(id="INC-2026-007", title="Login latency", type="performance")
    document = render_postmortem_markdown(incident)
    assert document.count("_None recorded._") >= 10
    assert "| Post-mortem meeting | not scheduled yet |" in document
    assert "**Primary cause:** _not recorded_" in document


def test_meeting_timing_and_overdue_items_follow_the_data():
    incident = seed_incident()
    incident.postmortem.held_at = incident.clock.resolved_at + timedelta(hours=60)
    now = ReportContext(now=datetime(2025, 2, 1, tzinfo=timezone.utc))
    document = render_postmortem_markdown(incident, now)
    assert "(later than 48 hours of resolution)" in document
    assert "| 2025-01-16 | In Progress (overdue) |" in document
    incident.postmortem.held_at = incident.postmortem.scheduled_at = None
    assert "not scheduled yet (due by 2025-01-17T04:45:00Z)" in render_postmortem_markdown(incident)
