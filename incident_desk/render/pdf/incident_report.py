"""The incident report as a PDF: a cover, then every section of the seed's report in the seed's order.

Cover (incident, severity, status, period, signer), summary table, severity criteria with the rules'
explanation, the phases chart and the timeline, investigation and 5 whys, impact, communication log,
remediation by phase, post-mortem, action items (overdue ones marked), regulatory deadlines and filings,
metrics, process improvements, recommendations and the maturity assessment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph

from ...domain import figures
from ...domain.incident import ImpactKind, Incident, role_label
from ...domain.levels import level_label
from ...domain.timeutil import format_duration, isoformat_z
from .. import text_report
from ..criteria import criterion_text, fallback_criteria
from ..export_context import ExportContext
from ..formatting import clock_time, type_label
from .blocks import (
    BODY, HASH, SUBTITLE, TITLE, bullets, fields, gap, keep, labelled, none_recorded, numbered, section,
    subheading, table, text,
)
from .charts import Span, phase_timeline
from .document import PageFrame, build_pdf
from .fonts import markup, plain



def _instant(value: datetime | None, fallback: str = "not recorded") -> str:
    return isoformat_z(value) if value else fallback


def _level(incident: Incident, ctx: ExportContext) -> str:
    return level_label(incident.severity.level, dict(ctx.report.names))


def _period(incident: Incident) -> str:
    clock = incident.clock
    start = _instant(clock.started_at or clock.declared_at, "unknown")
    end = _instant(clock.resolved_at, "ongoing")
    return f"{start} → {end}"


def cover(incident: Incident, ctx: ExportContext) -> list:
    signer = ctx.signer or "not signed"
    return [
        gap(40),
        Paragraph("Incident Response Analysis", TITLE),
        Paragraph(markup(f"{incident.id} · {plain(incident.title)}"), SUBTITLE),
        fields([
            ("Incident", incident.id),
            ("Title", incident.title),
            ("Severity", _level(incident, ctx)),
            ("Status", incident.status.value.replace("_", " ")),
            ("Type", type_label(incident.type)),
            ("Period", _period(incident)),
            ("Signer", signer),
            ("Generated", isoformat_z(ctx.generated_at)),
            ("Rules version", ctx.rules_version or "none"),
            ("Audit head", Paragraph(markup(ctx.audit_head or "none"), HASH)),
        ]),
        gap(6),
        text("This report is generated from the incident as stored; the audit head hash above identifies that "
             "stored state. When the file is signed, `incident-desk verify` checks the signature and compares "
             "the hash with the workspace's audit trail."),
        PageBreak(),
    ]


def summary(incident: Incident, ctx: ExportContext) -> list:
    clock = incident.clock
    lasted = figures.duration(incident, ctx.report.now)
    duration = format_duration(lasted) + ("" if clock.resolved_at else " (ongoing)") if lasted else "unknown"
    return [
        *section("Incident Summary"),
        fields([
            ("Incident ID", incident.id),
            ("Severity", _level(incident, ctx)),
            ("Type", type_label(incident.type)),
            ("Start Time", _instant(clock.started_at, "unknown")),
            ("Resolution Time", _instant(clock.resolved_at, "not resolved")),
            ("Duration", duration),
            ("Title", incident.title),
            ("Impact", incident.impact.summary or incident.summary or "not recorded"),
            ("Affected Systems", ", ".join(incident.affected_systems or incident.services) or "not recorded"),
            ("Root Cause", incident.investigation.root_cause or "not recorded"),
            ("Resolution", incident.resolution or "not recorded"),
            ("Roles", "; ".join(f"{role_label(a.role).lower()}: {a.person}"
                                for a in incident.roles if a.relieved_at is None) or "none assigned"),
        ]),
    ]


def severity(incident: Incident, ctx: ExportContext) -> list:
    sev = incident.severity
    story: list[Any] = [*section("Severity Classification"), labelled("Severity", _level(incident, ctx))]
    if sev.override is not None:
        story.append(labelled("Override", f"set by {sev.override.author} at {isoformat_z(sev.override.at)}: "
                                          f"{sev.override.reason} (computed level {sev.computed or 'none'})"))
    if sev.explanation:
        story.append(text("The rules engine matched the rules below; each criterion shows the value it expected "
                          "and the value the incident had."))
        for match in sev.explanation:
            story.append(subheading(f"{match.rule_id} → {match.level}"
                                    + (f": {match.description}" if match.description else "")))
            rows = [[criterion_text(c), str(c.expected), "missing" if c.missing else str(c.actual),
                     "yes" if c.matched else "no"] for c in match.criteria]
            story.append(table(["Criterion", "Expected", "Actual", "Matched"], rows, [0.52, 0.16, 0.16, 0.16]))
    else:
        story.append(subheading("Criteria"))
        story += bullets(fallback_criteria(incident, ctx.report))
        story.append(text("No rules explanation is stored for this incident: the criteria above are derived "
                          "from its recorded facts."))
    story.append(gap(2))
    if sev.missing_facts:
        story.append(labelled("Unknown facts", ", ".join(sev.missing_facts)))
    if sev.rules_digest:
        story.append(labelled("Classified by rules version", sev.rules_digest))
    return story


def _phase_spans(incident: Incident) -> list[Span]:
    clock = incident.clock
    candidates = [
        ("Detection", clock.started_at, clock.declared_at),
        ("Acknowledgement", clock.alerted_at or clock.declared_at, clock.acknowledged_at),
        ("Mitigation", clock.acknowledged_at, clock.mitigated_at),
        ("Recovery", clock.mitigated_at or clock.acknowledged_at, clock.resolved_at),
    ]
    spans = [Span(label, start, end) for label, start, end in candidates if start and end]
    for window in sorted(incident.impact.windows, key=lambda w: w.start):
        label = "Complete outage" if window.kind is ImpactKind.COMPLETE_OUTAGE else "Partial degradation"
        spans.append(Span(label, window.start, window.end))
    return spans


def timeline(incident: Incident, ctx: ExportContext) -> list:
    chart = phase_timeline(_phase_spans(incident), ctx.report.tz)
    story: list[Any] = [*section("Timeline Reconstruction", room_mm=30 if chart is None else 40 + chart.height / mm)]
    if chart is not None:
        story += [keep(subheading("Incident phases"), chart), gap(2)]
    start = incident.clock.started_at
    day = start.astimezone(ctx.report.tz).date() if start else None
    rows = [[clock_time(e.at, ctx.report.tz, day), e.kind.value, e.text] for e in incident.sorted_timeline()]
    story.append(table(["Time", "Kind", "Event"], rows, [0.17, 0.11, 0.72]))
    return story


def investigation(incident: Incident, ctx: ExportContext) -> list:
    inv = incident.investigation
    return [
        *section("Technical Investigation"),
        labelled("Primary Cause", inv.primary_cause or "not recorded"),
        subheading("Contributing Factors"), *numbered(inv.contributing_factors),
        subheading("Root Cause Analysis (5 Whys)"),
        table(["#", "Why", "Because"], [[str(n), w.question, w.answer] for n, w in enumerate(inv.whys, start=1)],
              [0.06, 0.47, 0.47]),
    ]


def impact(incident: Incident, ctx: ExportContext) -> list:
    customer, business, technical = text_report.impact_lines(incident, ctx.report)
    return [
        *section("Impact Assessment"),
        subheading("Customer Impact"), *bullets(customer),
        subheading("Business Impact"), *bullets(business),
        subheading("Technical Impact"), *bullets(technical),
    ]


def communications(incident: Incident, ctx: ExportContext) -> list:
    start = incident.clock.started_at
    day = start.astimezone(ctx.report.tz).date() if start else None
    rows = [[clock_time(e.at, ctx.report.tz, day), e.channel.label, e.audience or "", e.message]
            for e in sorted(incident.communications, key=lambda e: e.at)]
    return [*section("Communication Log"), table(["Time", "Channel", "Audience", "Message"], rows,
                                                 [0.17, 0.22, 0.15, 0.46])]


def remediation(incident: Incident, ctx: ExportContext) -> list:
    story: list[Any] = [*section("Remediation Actions")]
    for phase, actions in text_report.remediation_by_phase(incident):
        story += [subheading(phase.label), *numbered(actions)]
    if not incident.remediation:
        story.append(none_recorded())
    return story


def postmortem(incident: Incident, ctx: ExportContext) -> list:
    pm = incident.postmortem
    story: list[Any] = [*section("Post-Mortem Analysis")]
    if pm.held_at or pm.scheduled_at or pm.facilitator:
        story.append(text(f"Held: {_instant(pm.held_at, 'not yet')} · scheduled: {_instant(pm.scheduled_at, '-')}"
                          f" · facilitator: {pm.facilitator or 'not recorded'}"))
    story += [subheading("What Went Well"), *bullets(pm.went_well),
              subheading("What Could Be Improved"), *bullets(pm.could_improve),
              subheading("Lessons Learned"), *numbered(pm.lessons)]
    return story


def action_items(incident: Incident, ctx: ExportContext) -> list:
    now = ctx.report.now
    today = now.astimezone(ctx.report.tz).date() if now else None
    rows, marks = [], []
    for n, item in enumerate(incident.action_items, start=1):
        due = item.due.isoformat() if item.due else "not set"
        if item.recurrence:
            due += f" ({item.recurrence})"
        status = item.status.label
        if today is not None and item.is_overdue(today):
            status += " — OVERDUE"
        marks.append(today is not None and item.is_overdue(today))
        rows.append([str(n), item.priority.value.upper(), item.title, item.owner, due, status])
    story: list[Any] = [*section("Action Items"),
                        table(["#", "Priority", "Action", "Owner", "Due", "Status"], rows,
                              [0.05, 0.11, 0.38, 0.17, 0.13, 0.16], highlight=marks)]
    if any(marks):
        story.append(gap(1))
        story.append(text(f"{sum(marks)} action item(s) past their due date are marked OVERDUE.", BODY))
    return story


def _minute(value: datetime | None, fallback: str) -> str:
    """`2026-11-21 23:30Z`: a deadline to the minute, short enough for a table column."""
    return isoformat_z(value)[:16].replace("T", " ") + "Z" if value else fallback


def regulatory(incident: Incident, ctx: ExportContext) -> list:
    rows, overdue = [], []
    for clock in ctx.regulatory:
        filed = (_minute(clock.filed_at, "") + (f" (ref. {clock.filing_reference})" if clock.filing_reference
                                                 else "")) if clock.filed_at else "not filed"
        rows.append([clock.regime_name, clock.obligation_name, _minute(clock.due_at, "not yet known"),
                     clock.state, filed, clock.why])
        overdue.append(bool(clock.overdue))
    story: list[Any] = [*section("Regulatory Deadlines and Filings")]
    if not rows and incident.regulatory_filings:
        rows = [[f.regime, f.obligation, "-", "filed", _minute(f.filed_at, ""), f.reference]
                for f in incident.regulatory_filings]
    if rows:
        story.append(table(["Regime", "Obligation", "Due", "State", "Filed", "Why"], rows,
                           [0.1, 0.18, 0.15, 0.1, 0.15, 0.32], highlight=overdue))
    else:
        story.append(text("No regulatory obligation applies to this incident under the rules in force."))
    return story


def _label_value(lines: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for line in lines:
        label, _, value = line.partition(": ")
        pairs.append((label, value))
    return pairs


def metrics(incident: Incident, ctx: ExportContext) -> list:
    lines = text_report.incident_metrics(incident, ctx.report)[2:]
    story: list[Any] = [*section("Incident Metrics"), fields(_label_value(lines), label_width=0.45)]
    sla = ctx.report.sla
    if sla is not None and getattr(sla, "explanation", None):
        story += [gap(2), labelled("SLA", sla.explanation)]
    return story


def closing(incident: Incident, ctx: ExportContext) -> list:
    story: list[Any] = [*section("Process Improvements"), *numbered(incident.postmortem.process_improvements),
                        *section("Recommendations"), *numbered(incident.postmortem.recommendations),
                        *section("Incident Response Maturity Assessment")]
    maturity = text_report.maturity_assessment(incident, ctx.report)[2:]
    story += [text(line) for line in maturity]
    return story


SECTIONS = (cover, summary, severity, timeline, investigation, impact, communications, remediation, postmortem,
            action_items, regulatory, metrics, closing)


def incident_story(incident: Incident, ctx: ExportContext) -> list:
    story: list[Any] = []
    for part in SECTIONS:
        story += part(incident, ctx)
    return story


def incident_frame(incident: Incident, ctx: ExportContext) -> PageFrame:
    level = incident.severity.level or "unclassified"
    return PageFrame(
        header_left=f"{incident.id} · {incident.title}",
        header_right=f"{level} · {incident.status.value.replace('_', ' ')}",
        generated=isoformat_z(ctx.generated_at),
        rules_version=ctx.rules_version,
        audit_head=ctx.audit_head,
        title=f"{incident.id}: {incident.title}",
        author=ctx.signer or ctx.author or "Incident Desk",
        subject=f"Incident Response Analysis of {incident.id} ({level}, {type_label(incident.type)})",
        keywords=("incident report", incident.id, level, incident.type, *incident.services[:10]),
        info={"IncidentDeskIncident": incident.id, "IncidentDeskAuditHead": ctx.audit_head,
              "IncidentDeskRulesVersion": ctx.rules_version},
    )


def render_incident_pdf(incident: Incident, ctx: ExportContext) -> bytes:
    """The whole report as PDF bytes."""
    return build_pdf(incident_story(incident, ctx), incident_frame(incident, ctx))
