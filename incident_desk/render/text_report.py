"""The seed's "Incident Response Analysis" text report, rendered section by section from stored data.

Every line comes from the incident (and the `ReportContext`): nothing of the seed example is
written here except the layout. A section without data says "(none recorded)" rather than vanish.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain import figures, metrics
from ..domain.incident import (
    PRIORITY_RANK,
    CommunicationEntry,
    ImpactKind,
    Incident,
    Phase,
    WorkStatus,
    derived_customers_affected,
)
from ..domain.levels import level_label, level_rank
from ..domain.summary import IncidentSummary, summarize
from ..domain.timeutil import format_duration, format_short_duration, isoformat_z
from .context import MaturityLevel, ReportContext
from .criteria import explained_criteria, fallback_criteria
from .derived_items import derived_lines
from .formatting import clock_time, count, is_utc, money, percent, type_label, zone_abbreviation

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


def _time(instant, context: ReportContext, day) -> str:
    """`02:30:00` in UTC (as the seed prints), `18:30:00 PST` in any other zone."""
    text = clock_time(instant, context.tz, day)
    return text if is_utc(context.tz) else f"{text} {zone_abbreviation(instant, context.tz)}"


def timeline(incident: Incident, context: ReportContext) -> list[str]:
    day = _reference_day(incident, context)
    lines = [f"{_time(e.at, context, day)} - {e.text}" for e in incident.sorted_timeline()]
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

    # A figure the person already wrote in their own words ("100% of customers ...") is not repeated.
    def said(figure: str) -> bool:
        return any(figure in note for note in impact.customer_notes)

    customer = []
    if facts.customer_impact_pct is not None and not said(percent(facts.customer_impact_pct)):
        effect = "unable to access service" if outage else "affected"
        customer.append(f"{percent(facts.customer_impact_pct)} of customers {effect}")
    affected = facts.customers_affected if facts.customers_affected is not None \
        else derived_customers_affected(facts)
    if affected is not None and not said(count(affected)):
        derived = "" if facts.customers_affected is not None else \
            f" (derived: {percent(facts.customer_impact_pct or 0.0)} of {count(facts.customers_total or 0)})"
        customer.append(f"{count(affected)} customers affected{derived}")
    if facts.failed_transactions is not None and not said(count(facts.failed_transactions)):
        customer.append(f"{count(facts.failed_transactions)} failed transactions")
    if facts.support_tickets is not None and not said(count(facts.support_tickets)):
        customer.append(f"{count(facts.support_tickets)} customer support tickets generated")
    customer += data_loss_lines(incident)
    customer += impact.customer_notes

    business = []
    loss = figures.revenue_loss(incident)
    if loss is not None:
        business.append(f"Revenue loss: {money(loss, symbol)} (estimated)")
    business += sla_credit_lines(incident, context)
    business += impact.business_notes

    technical = []
    if outage:
        technical.append(f"{format_duration(outage)} of complete outage")
    if degradation:
        technical.append(f"{format_duration(degradation)} of partial degradation")
    if facts.backups_failed:
        technical.append(f"{count(facts.backups_failed)} backup or replication mechanism"
                         f"{'s' if facts.backups_failed != 1 else ''} failed")
    technical += impact.technical_notes
    return customer, business, technical


def data_loss_lines(incident: Incident) -> list[str]:
    """What was lost, how much, over what span, and whether it can be recovered."""
    facts = incident.facts
    if facts.data_lost is not True and facts.records_lost is None and facts.data_loss_window is None:
        return ["No data lost"] if facts.data_lost is False else []
    lost = "Customer data lost"
    if facts.records_lost is not None:
        lost += f": {count(facts.records_lost)} records"
    if facts.data_loss_window is not None:
        lost += f" ({format_duration(facts.data_loss_window)} of writes)"
    recovery = {True: "recoverable from backups or replicas", False: "permanent: cannot be recovered",
                None: "recoverability not yet known"}[facts.data_recoverable]
    return [f"{lost}; {recovery}"]


def sla_credit_lines(incident: Incident, context: ReportContext) -> list[str]:
    """The SLA credit: the amount typed on the incident, else the one the SLA rules compute."""
    symbol = context.currency_symbol
    if incident.impact.sla_credits is not None:
        return [f"SLA credits: {money(incident.impact.sla_credits, symbol)} (estimated)"]
    sla = context.sla
    amount = getattr(sla, "credit_amount", None)
    if sla is None or not getattr(sla, "violated", False) or amount is None:
        return []
    return [f"SLA credits: {money(amount, symbol)} (derived: availability {percent(round(sla.actual, 2))} below the "
            f"{percent(sla.target)} target; {percent(sla.credit_pct)} of the {money(sla.monthly_fee, symbol)} "
            f"monthly fee)"]


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
    lines = [f"{_time(e.at, context, day)} - {communication_line(e)}" for e in entries]
    return [*heading("COMMUNICATION LOG:"), *(lines or [NONE])]


def regulatory_line(clock: Any) -> str:
    """`GDPR: Notify the supervisory authority - due 2025-01-18T02:30:00Z, filed ... (on time, reference X)`."""
    due = f"due {isoformat_z(clock.due_at)}" if clock.due_at else "due not yet known"
    if clock.filed_at is not None:
        verdict = {True: "on time", False: "late", None: "due time unknown"}[clock.on_time]
        reference = f", reference {clock.filing_reference}" if clock.filing_reference else ""
        state = f"{due}, filed {isoformat_z(clock.filed_at)} ({verdict}{reference})"
    elif clock.time_left is None:
        state = f"{due}, not filed"
    elif clock.overdue:
        state = f"{due}, not filed (OVERDUE by {format_short_duration(-clock.time_left)})"
    else:
        state = f"{due}, not filed ({format_short_duration(clock.time_left)} left)"
    return f"{clock.regime_name}: {clock.obligation_name} - {state}"


def regulatory_lines(incident: Incident, context: ReportContext) -> list[str]:
    """Every obligation that applies (deadline and filing), then filings under no applicable obligation."""
    clocks = list(context.regulatory or ())
    lines = [regulatory_line(clock) for clock in clocks]
    covered = {(c.regime.casefold(), c.obligation.casefold()) for c in clocks}
    for filing in incident.regulatory_filings:
        if (filing.regime.casefold(), filing.obligation.casefold()) not in covered:
            reference = f" (reference {filing.reference})" if filing.reference else ""
            lines.append(f"{filing.regime} {filing.obligation}: filed {isoformat_z(filing.filed_at)}{reference} "
                         f"(no deadline applies under the current rules)")
    return lines


def regulatory_section(incident: Incident, context: ReportContext) -> list[str]:
    """Deadlines and filings; left out (as in the seed's layout) when no obligation applies and nothing was
    filed, or when the caller has no rules."""
    if context.regulatory is None and not incident.regulatory_filings:
        return []
    lines = regulatory_lines(incident, context)
    return [*heading("REGULATORY DEADLINES AND FILINGS:"), *bullets(lines)] if lines else []


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


def by_priority(incident: Incident) -> list:
    """Action items most urgent first; items of one priority keep the order they were entered in (as the
    seed lists them)."""
    return sorted(incident.action_items, key=lambda item: PRIORITY_RANK[item.priority])


def action_items(incident: Incident, context: ReportContext) -> list[str]:
    lines = heading("ACTION ITEMS:")
    today = context.now.astimezone(context.tz).date() if context.now else None
    for n, item in enumerate(by_priority(incident), start=1):
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
        f"Mean Time Between Failures (MTBF): {format_duration(between) if between else 'unknown (one incident)'}",
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
    impact_assessment, communication_log, regulatory_section, remediation_actions, postmortem_analysis,
    action_items,
    incident_metrics, process_improvements, recommendations, maturity_assessment,
)


def render_sections(incident: Incident, context: ReportContext | None = None) -> list[list[str]]:
    """Each section's lines, in the seed's order (the first is the header block)."""
    context = context or ReportContext()
    return [lines for lines in (section(incident, context) for section in SECTIONS) if lines]


def render_report(incident: Incident, context: ReportContext | None = None) -> str:
    """The whole report, sections separated by a blank line, ending with a newline."""
    return "\n\n".join("\n".join(lines) for lines in render_sections(incident, context)) + "\n"
