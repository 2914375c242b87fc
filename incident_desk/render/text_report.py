"""The seed's "Incident Response Analysis" text report, rendered section by section from stored data.

Every line comes from the incident (and the `ReportContext`): nothing of the seed example is
written here except the layout. A section without data says "(none recorded)" rather than vanish.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain import figures, metrics
from ..domain.incident import (
    CommunicationEntry,
    ImpactKind,
    Incident,
    Phase,
    WorkStatus,
)
from ..domain.levels import level_label, level_rank
from ..domain.summary import IncidentSummary, summarize
from ..domain.timeutil import format_duration, isoformat_z
from .context import MaturityLevel, ReportContext
from .criteria import explained_criteria, fallback_criteria
from .derived_items import derived_lines
from .formatting import clock_time, coarse_duration, count, money, percent, type_label

NONE = "(none recorded)"
BULLET = "•"
RULE = "─"

# Underline widths as the seed draws them; other headings are underlined to their own length.
UNDERLINE_WIDTH = {
    "Incident Response Analysis": 37,
    "INCIDENT SUMMARY:": 18,
    "TECHNICAL INVESTIGATION:": 25,
    "IMPACT ASSESSMENT:": 19,
    "COMMUNICATION LOG:": 19,
    "REMEDIATION ACTIONS:": 21,
    "POST-MORTEM ANALYSIS:": 22,
    "INCIDENT RESPONSE MATURITY ASSESSMENT:": 39,
}

REMEDIATION_SUFFIX = {
    WorkStatus.DONE: " (completed)",
    WorkStatus.IN_PROGRESS: " (in progress)",
    WorkStatus.SCHEDULED: " (scheduled)",
    WorkStatus.BLOCKED: " (blocked)",
    WorkStatus.CANCELLED: " (cancelled)",
    WorkStatus.NOT_STARTED: "",
}


def heading(title: str) -> list[str]:
    return [title, RULE * UNDERLINE_WIDTH.get(title, len(title))]


def bullets(items: list[str]) -> list[str]:
    return [f"{BULLET} {item}" for item in items] or [NONE]


def numbered(items: list[str]) -> list[str]:
    return [f"{n}. {item}" for n, item in enumerate(items, start=1)] or [NONE]


def _or_unknown(text: str) -> str:
    return text or "not recorded"


# --------------------------------------------------------------------------- sections


def header(incident: Incident, context: ReportContext) -> list[str]:
    clock = incident.clock
    lasted = figures.duration(incident, context.now)
    if lasted is None:
        duration_text = "ongoing" if clock.started_at else "unknown"
    else:
        duration_text = format_duration(lasted) + ("" if clock.resolved_at else " (ongoing)")
    return [
        *heading("Incident Response Analysis"),
        f"Incident ID: {incident.id}",
        f"Severity: {level_label(incident.severity.level, dict(context.names))}",
        f"Type: {type_label(incident.type)}",
        f"Start Time: {isoformat_z(clock.started_at) if clock.started_at else 'unknown'}",
        f"Resolution Time: {isoformat_z(clock.resolved_at) if clock.resolved_at else 'not resolved'}",
        f"Duration: {duration_text}",
    ]


def incident_summary(incident: Incident, context: ReportContext) -> list[str]:
    return [
        *heading("INCIDENT SUMMARY:"),
        f"Title: {incident.title}",
        f"Impact: {_or_unknown(incident.impact.summary or incident.summary)}",
        f"Affected Systems: {_or_unknown(', '.join(incident.affected_systems or incident.services))}",
        f"Root Cause: {_or_unknown(incident.investigation.root_cause)}",
        f"Resolution: {_or_unknown(incident.resolution)}",
    ]


def severity_classification(incident: Incident, context: ReportContext) -> list[str]:
    severity = incident.severity
    lines = [*heading("SEVERITY CLASSIFICATION:"), f"Severity: {level_label(severity.level, dict(context.names))}"]
    if severity.override is not None:
        override = severity.override
        lines.append(f"Override: set by {override.author} at {isoformat_z(override.at)}: {override.reason} "
                     f"(computed level {severity.computed or 'none'})")
    criteria = explained_criteria(incident) or fallback_criteria(incident, context)
    lines.append("Criteria:")
    lines += bullets(criteria)
    # A missing fact never matches, so recording it can only add matches and raise the level; once the
    # level is the most severe there is, the unknown facts cannot change it and are not worth a line.
    most_severe = min(context.names, key=level_rank, default=None)
    if severity.missing_facts and severity.computed != most_severe:
        lines.append(f"Unknown facts (recording them could raise the level): {', '.join(severity.missing_facts)}")
    return lines


def _reference_day(incident: Incident, context: ReportContext):
    start = incident.clock.started_at
    return None if start is None else start.astimezone(context.tz).date()


def timeline(incident: Incident, context: ReportContext) -> list[str]:
    day = _reference_day(incident, context)
    lines = [f"{clock_time(e.at, context.tz, day)} - {e.text}" for e in incident.sorted_timeline()]
    return [*heading("TIMELINE RECONSTRUCTION:"), *(lines or [NONE])]


def technical_investigation(incident: Incident, context: ReportContext) -> list[str]:
    investigation = incident.investigation
    return [
        *heading("TECHNICAL INVESTIGATION:"),
        f"Primary Cause: {_or_unknown(investigation.primary_cause)}",
        "Contributing Factors:",
        *numbered(investigation.contributing_factors),
        "Root Cause Analysis (5 Whys):",
        *numbered([f"{why.question} {why.answer}" for why in investigation.whys]),
    ]


def _window_total(incident: Incident, kind: ImpactKind):
    if any(w.kind is kind for w in incident.impact.windows):
        return figures.impact_time(incident, kind)
    return None


def impact_lines(incident: Incident, context: ReportContext) -> tuple[list[str], list[str], list[str]]:
    """Customer, business and technical impact lines, from facts, figures and notes."""
    facts, impact, symbol = incident.facts, incident.impact, context.currency_symbol
    outage = _window_total(incident, ImpactKind.COMPLETE_OUTAGE)
    degradation = _window_total(incident, ImpactKind.PARTIAL_DEGRADATION)

    customer = []
    if facts.customer_impact_pct is not None:
        effect = "unable to access service" if outage else "affected"
        customer.append(f"{percent(facts.customer_impact_pct)} of customers {effect}")
    if facts.customers_affected is not None:
        customer.append(f"{count(facts.customers_affected)} customers affected")
    if facts.failed_transactions is not None:
        customer.append(f"{count(facts.failed_transactions)} failed transactions")
    if facts.support_tickets is not None:
        customer.append(f"{count(facts.support_tickets)} customer support tickets generated")
    customer += impact.customer_notes

    business = []
    loss = figures.revenue_loss(incident)
    if loss is not None:
        business.append(f"Revenue loss: {money(loss, symbol)} (estimated)")
    credits = impact.sla_credits if impact.sla_credits is not None else getattr(context.sla, "credits", None)
    if credits is not None:
        business.append(f"SLA credits: {money(credits, symbol)} (estimated)")
    business += impact.business_notes

    technical = []
    if outage:
        technical.append(f"{format_duration(outage)} of complete outage")
    if degradation:
        technical.append(f"{format_duration(degradation)} of partial degradation")
    technical += impact.technical_notes
    return customer, business, technical


def impact_assessment(incident: Incident, context: ReportContext) -> list[str]:
    customer, business, technical = impact_lines(incident, context)
    return [
        *heading("IMPACT ASSESSMENT:"),
        "Customer Impact:", *bullets(customer),
        "Business Impact:", *bullets(business),
        "Technical Impact:", *bullets(technical),
    ]


def communication_line(entry: CommunicationEntry) -> str:
    """`Status page update: Service recovering`. A message that already ends with the kind of
    message its channel sends ("Post-mortem scheduled notification") is not labelled twice."""
    label = entry.channel.label
    # a log line is one line: a sent template's full text is summarised by its first line
    message = next(line.strip() for line in entry.message.splitlines() if line.strip())
    if message.split()[-1].lower() == label.split()[-1].lower():
        return message
    return f"{label}: {message}"


def communication_log(incident: Incident, context: ReportContext) -> list[str]:
    day = _reference_day(incident, context)
    entries = sorted(incident.communications, key=lambda e: e.at)
    lines = [f"{clock_time(e.at, context.tz, day)} - {communication_line(e)}" for e in entries]
    return [*heading("COMMUNICATION LOG:"), *(lines or [NONE])]


def remediation_by_phase(incident: Incident) -> list[tuple[Phase, list[str]]]:
    """Each phase that has actions, with its actions as `text (status)` lines."""
    rows = []
    for phase in Phase:
        actions = [f"{a.text}{REMEDIATION_SUFFIX[a.status]}" for a in incident.remediation if a.phase is phase]
        if actions:
            rows.append((phase, actions))
    return rows


def remediation_actions(incident: Incident, context: ReportContext) -> list[str]:
    lines = heading("REMEDIATION ACTIONS:")
    for phase, actions in remediation_by_phase(incident):
        lines.append(f"{phase.label}:")
        lines += numbered(actions)
    if not incident.remediation:
        lines.append(NONE)
    return lines


def postmortem_analysis(incident: Incident, context: ReportContext) -> list[str]:
    postmortem = incident.postmortem
    return [
        *heading("POST-MORTEM ANALYSIS:"),
        "What Went Well:", *bullets(postmortem.went_well),
        "What Could Be Improved:", *bullets(postmortem.could_improve),
        "Lessons Learned:", *numbered(postmortem.lessons),
    ]


def action_items(incident: Incident, context: ReportContext) -> list[str]:
    lines = heading("ACTION ITEMS:")
    today = context.now.astimezone(context.tz).date() if context.now else None
    for n, item in enumerate(incident.action_items, start=1):
        due = item.due.isoformat() if item.due else "not set"
        if item.recurrence:
            due += " (recurring)"
        status = item.status.label
        if today is not None and item.is_overdue(today):
            status += " (overdue)"
        lines += [
            f"{n}. {item.priority.value.upper()} PRIORITY: {item.title}",
            f"   Owner: {item.owner}",
            f"   Due: {due}",
            f"   Status: {status}",
        ]
    if not incident.action_items:
        lines.append(NONE)
    return lines


def _workspace(incident: Incident, summaries: list[IncidentSummary]) -> list[IncidentSummary]:
    """The workspace's summaries with this incident's current state in place of its stored one."""
    return [s for s in summaries if s.id != incident.id] + [summarize(incident)]


def incident_metrics(incident: Incident, context: ReportContext) -> list[str]:
    def figure(value) -> str:
        return format_duration(value) if value is not None else "unknown"

    lines = [
        *heading("INCIDENT METRICS:"),
        f"Mean Time To Detection (MTTD): {figure(figures.time_to_detect(incident))}",
        f"Mean Time To Acknowledgment (MTTA): {figure(figures.time_to_acknowledge(incident))}",
        f"Mean Time To Resolution (MTTR): {figure(figures.time_to_resolve(incident))}",
    ]
    days = context.count_window_days
    start = incident.clock.started_at
    if context.summaries is None or start is None:
        reason = "no workspace history given" if context.summaries is None else "start time unknown"
        return lines + [
            f"Mean Time Between Failures (MTBF): not computed ({reason})",
            f"Incident Count ({days} days): not computed ({reason})",
            f"Severity Distribution: not computed ({reason})",
        ]
    workspace = _workspace(incident, list(context.summaries))
    between = metrics.mtbf(workspace, metrics.trailing_window(start, context.mtbf_window_days))
    window = metrics.trailing_window(start, days)
    distribution = metrics.severity_distribution(workspace, window, levels=context.distribution_levels)
    return lines + [
        f"Mean Time Between Failures (MTBF): {coarse_duration(between) if between else 'unknown (one incident)'}",
        f"Incident Count ({days} days): {metrics.incident_count(workspace, window)}",
        "Severity Distribution: " + ", ".join(f"{level}: {n}" for level, n in distribution.items()),
    ]


def process_improvements(incident: Incident, context: ReportContext) -> list[str]:
    derived = derived_lines(context.derived_items, "process_improvements")
    return [*heading("PROCESS IMPROVEMENTS:"), *numbered(incident.postmortem.process_improvements + derived)]


def recommendations(incident: Incident, context: ReportContext) -> list[str]:
    derived = derived_lines(context.derived_items, "recommendations")
    return [*heading("RECOMMENDATIONS:"), *numbered(incident.postmortem.recommendations + derived)]


def _maturity_level(prefix: str, level: MaturityLevel) -> list[str]:
    return [f"{prefix} Level: {level.level}/{level.scale} ({level.name})",
            *[f"{BULLET} {dimension}: {text}" for dimension, text in level.dimensions]]


def maturity_assessment(incident: Incident, context: ReportContext) -> list[str]:
    lines = heading("INCIDENT RESPONSE MATURITY ASSESSMENT:")
    view = context.maturity
    if view is None:
        return lines + ["Not assessed yet (no maturity assessment recorded for this workspace)"]
    lines += _maturity_level("Current", view.current)
    if view.target is not None:
        lines += _maturity_level("Target", view.target)
    return lines


SECTIONS: tuple[Callable[[Incident, ReportContext], list[str]], ...] = (
    header, incident_summary, severity_classification, timeline, technical_investigation,
    impact_assessment, communication_log, remediation_actions, postmortem_analysis, action_items,
    incident_metrics, process_improvements, recommendations, maturity_assessment,
)


def render_sections(incident: Incident, context: ReportContext | None = None) -> list[list[str]]:
    """Each section's lines, in the seed's order (the first is the header block)."""
    context = context or ReportContext()
    return [section(incident, context) for section in SECTIONS]


def render_report(incident: Incident, context: ReportContext | None = None) -> str:
    """The whole report, sections separated by a blank line, ending with a newline."""
    return "\n\n".join("\n".join(lines) for lines in render_sections(incident, context)) + "\n"
