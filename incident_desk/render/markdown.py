"""A blameless post-mortem document in Markdown (the seed's `--post-mortem --output post-mortem.md`).

Every section the text report has: summary, impact (with the impact windows), key figures, the recorded
facts, severity criteria (with how derived facts were derived), timeline, communication log, regulatory deadlines and filings, root cause and 5 whys, what
went well and could improve, lessons, remediation, action items (by priority), per-incident metrics,
process improvements, recommendations, responders. Every user string is escaped so that text
typed into an incident cannot break the document's structure. The layout is also an input:
`app.postmortem_import` reads it back (`import --postmortem`), so a change here must keep that round trip.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..domain import figures
from ..domain.incident import ImpactKind, Incident, role_label
from ..domain.levels import level_label
from ..domain.timeutil import format_duration, isoformat_z
from .context import ReportContext
from .formatting import clock_time, money, type_label
from .criteria import criterion_text, fallback_criteria
from .text_report import by_priority, impact_lines, regulatory_lines, remediation_by_phase

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
BLAMELESS_NOTE = ("This is a blameless post-mortem: it looks at systems, processes and decisions, "
                  "not at individuals.")


def escape(text: str, block: bool = True) -> str:
    """Text safe inside a table cell (`block=False`) or at the start of a paragraph or list item."""
    text = _INLINE_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    if block:
        text = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", text)
        if text[:1] in ("#", "+", "-", "="):
            text = "\\" + text
    return text


def _list(items: list[str], ordered: bool = False) -> list[str]:
    if not items:
        return ["_None recorded._"]
    return [f"{n}. {escape(item)}" if ordered else f"- {escape(item)}" for n, item in enumerate(items, start=1)]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["_None recorded._"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(escape(cell, block=False) for cell in row) + " |" for row in rows]
    return lines


def _instant(value: datetime | None) -> str:
    return isoformat_z(value) if value else "not recorded"


def _section(title: str, body: list[str]) -> list[str]:
    return [f"## {title}", "", *body, ""]


def _overview(incident: Incident, context: ReportContext) -> list[str]:
    lasted = figures.duration(incident, context.now)
    postmortem, due = incident.postmortem, figures.postmortem_due(incident)
    if postmortem.held_at:
        timing = "within" if due is None or postmortem.held_at <= due else "later than"
        meeting = f"held {isoformat_z(postmortem.held_at)} ({timing} 48 hours of resolution)"
    elif postmortem.scheduled_at:
        meeting = f"scheduled {isoformat_z(postmortem.scheduled_at)}"
    else:
        meeting = f"not scheduled yet (due by {isoformat_z(due)})" if due else "not scheduled yet"
    rows = [
        ["Incident", incident.id],
        ["Severity", level_label(incident.severity.level, dict(context.names))],
        ["Type", type_label(incident.type)],
        ["Status", incident.status.label],
        ["Started", _instant(incident.clock.started_at)],
        ["Resolved", _instant(incident.clock.resolved_at)],
        ["Duration", format_duration(lasted) if lasted is not None else "unknown"],
        ["Affected systems", ", ".join(incident.affected_systems or incident.services) or "not recorded"],
    ]
    rows += [[label, ", ".join(values)] for label, values in (("Services", incident.services), ("Tags", incident.tags))
             if values]
    rows += [[label, _instant(getattr(incident.clock, name))] for label, name in CLOCK_ROWS
             if getattr(incident.clock, name) is not None]
    rows.append(["Post-mortem meeting", meeting])
    if postmortem.facilitator:
        rows.append(["Facilitator", postmortem.facilitator])
    return _table(["Field", "Value"], rows)


# Clock instants beyond start and resolution, shown (when known) so the figures can be checked and the
# document read back (`import --postmortem`).
CLOCK_ROWS = (("Alerted", "alerted_at"), ("Declared", "declared_at"), ("Acknowledged", "acknowledged_at"),
              ("Mitigated", "mitigated_at"), ("Closed", "closed_at"),
              ("Materiality determined", "materiality_determined_at"))


def fact_text(value: object) -> str:
    """A fact's value as the Facts table shows it: `85000`, `99.12`, `true`, `personal, payment`, `6h`."""
    if isinstance(value, timedelta):
        total = int(value.total_seconds())
        parts = [(total // 86400, "d"), (total % 86400 // 3600, "h"), (total % 3600 // 60, "m"), (total % 60, "s")]
        return "".join(f"{amount}{unit}" for amount, unit in parts if amount) or "0s"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _facts(incident: Incident) -> list[str]:
    recorded = [[name, fact_text(value)] for name, value in incident.facts.model_dump().items()
                if value not in (None, [])]
    return _table(["Fact", "Value"], recorded)


def _summary(incident: Incident) -> list[str]:
    lines = [escape(incident.summary), ""] if incident.summary else []
    for label, value in (("Impact", incident.impact.summary), ("Root cause", incident.investigation.root_cause),
                         ("Resolution", incident.resolution)):
        lines.append(f"- **{label}:** {escape(value) if value else '_not recorded_'}")
    return lines


def _impact(incident: Incident, context: ReportContext) -> list[str]:
    customer, business, technical = impact_lines(incident, context)
    lines = []
    for title, items in (("Customer", customer), ("Business", business), ("Technical", technical)):
        lines += [f"### {title} impact", "", *_list(items), ""]
    if incident.impact.windows:
        rows = [[w.kind.value.replace("_", " "), isoformat_z(w.start), isoformat_z(w.end)]
                for w in incident.impact.windows]
        lines += ["### Impact windows", "", *_table(["Kind", "Start", "End"], rows), ""]
    return lines[:-1]


def _figures(incident: Incident, context: ReportContext) -> list[str]:
    def shown(value) -> str:
        return format_duration(value) if value is not None else "unknown"

    loss = figures.revenue_loss(incident)
    return _table(["Figure", "Value"], [
        ["Time to detect (TTD)", shown(figures.time_to_detect(incident))],
        ["Time to acknowledge (TTA)", shown(figures.time_to_acknowledge(incident))],
        ["Time to resolve (TTR)", shown(figures.time_to_resolve(incident))],
        ["Revenue loss (estimated)", money(loss, context.currency_symbol) if loss is not None else "unknown"],
    ])


def _zone(context: ReportContext) -> str:
    return getattr(context.tz, "key", None) or context.tz.tzname(None) or "UTC"


def _time(instant: datetime, context: ReportContext, day) -> str:
    return clock_time(instant, context.tz, day)


def _timeline(incident: Incident, context: ReportContext) -> list[str]:
    day = incident.clock.started_at.astimezone(context.tz).date() if incident.clock.started_at else None
    rows = [[_time(e.at, context, day), e.kind.value, e.text] for e in incident.sorted_timeline()]
    return _table([f"Time ({_zone(context)})", "Kind", "Event"], rows)


def _root_cause(incident: Incident) -> list[str]:
    investigation = incident.investigation
    whys = [f"{n}. **{escape(w.question)}** {escape(w.answer)}" for n, w in enumerate(investigation.whys, start=1)]
    return [
        f"**Primary cause:** {escape(investigation.primary_cause) or '_not recorded_'}", "",
        "### Contributing factors", "", *_list(investigation.contributing_factors, ordered=True), "",
        "### Five whys", "", *(whys or ["_None recorded._"]), "",
        f"**Root cause:** {escape(investigation.root_cause) or '_not recorded_'}",
    ]


def _remediation(incident: Incident) -> list[str]:
    lines = []
    for phase, actions in remediation_by_phase(incident):
        lines += [f"### {phase.label}", "", *_list(actions, ordered=True), ""]
    return lines[:-1] or ["_None recorded._"]


def _action_items(incident: Incident, context: ReportContext) -> list[str]:
    today = context.now.astimezone(context.tz).date() if context.now else None
    rows = []
    for item in by_priority(incident):
        due = item.due.isoformat() if item.due else "not set"
        if item.recurrence:
            due += f" ({item.recurrence})"
        status = item.status.label + (" (overdue)" if today and item.is_overdue(today) else "")
        rows.append([item.id, item.priority.value.capitalize(), item.title, item.owner, due, status])
    return _table(["#", "Priority", "Action", "Owner", "Due", "Status"], rows)


def _communications(incident: Incident, context: ReportContext) -> list[str]:
    day = incident.clock.started_at.astimezone(context.tz).date() if incident.clock.started_at else None
    rows = [[_time(e.at, context, day), e.channel.label, e.audience or "-", e.message]
            for e in sorted(incident.communications, key=lambda e: e.at)]
    return _table([f"Time ({_zone(context)})", "Channel", "Audience", "Message"], rows)


def _criteria(incident: Incident, context: ReportContext) -> list[str]:
    lines = [f"**Severity:** {level_label(incident.severity.level, dict(context.names))}", ""]
    override = incident.severity.override
    if override is not None:
        lines += [f"**Override:** set by {escape(override.author)} at {isoformat_z(override.at)}: "
                  f"{escape(override.reason)} (computed level {incident.severity.computed or 'none'})", ""]
    for match in incident.severity.explanation:
        lines.append(f"- **{escape(match.rule_id)}** ({match.level}): {escape(match.description)}")
        lines += [f"  - {escape(criterion_text(c))}" for c in match.criteria if c.matched]
    if not incident.severity.explanation:
        lines += _list(fallback_criteria(incident, context)) if fallback_criteria(incident, context) \
            else ["_No rule matched; the default level applies._"]
    if context.derived:
        lines += ["", "Derived facts:", "", *[f"- {escape(d.line)}" for d in context.derived]]
    return lines


def _regulatory(incident: Incident, context: ReportContext) -> list[str]:
    lines = regulatory_lines(incident, context)
    if incident.regulatory_filings:
        rows = [[f.regime, f.obligation, isoformat_z(f.filed_at), f.reference or "-", f.author or "-"]
                for f in incident.regulatory_filings]
        return [*_list(lines), "", "### Filings", "", *_table(["Regime", "Obligation", "Filed", "Reference", "By"], rows)]
    if lines:
        return _list(lines)
    if context.regulatory is None:
        return ["_Not assessed (no rules available)._"]
    return ["_No regulatory reporting obligation applies under the current rules._"]


def _metrics(incident: Incident, context: ReportContext) -> list[str]:
    def shown(value) -> str:
        return format_duration(value) if value is not None else "unknown"

    outage = figures.impact_time(incident, ImpactKind.COMPLETE_OUTAGE) \
        if any(w.kind is ImpactKind.COMPLETE_OUTAGE for w in incident.impact.windows) else None
    return _table(["Metric", "Value"], [
        ["Mean Time To Detection (MTTD)", shown(figures.time_to_detect(incident))],
        ["Mean Time To Acknowledgment (MTTA)", shown(figures.time_to_acknowledge(incident))],
        ["Mean Time To Resolution (MTTR)", shown(figures.time_to_resolve(incident))],
        ["Complete outage", shown(outage)],
    ])


def _responders(incident: Incident) -> list[str]:
    rows = [[role_label(a.role), a.person, _instant(a.assigned_at), _instant(a.relieved_at) if a.relieved_at else "-"]
            for a in incident.roles]
    return _table(["Role", "Person", "From", "Handed over"], rows)


def render_postmortem_markdown(incident: Incident, context: ReportContext | None = None) -> str:
    """The blameless post-mortem of `incident` as a Markdown document, ending with a newline."""
    context = context or ReportContext()
    postmortem = incident.postmortem
    lines = [f"# Post-mortem: {incident.id} - {escape(incident.title)}", "", f"> {BLAMELESS_NOTE}", ""]
    lines += _overview(incident, context) + [""]
    lines += _section("Summary", _summary(incident))
    lines += _section("Impact", _impact(incident, context))
    lines += _section("Key figures", _figures(incident, context))
    lines += _section("Facts", _facts(incident))
    lines += _section("Severity criteria", _criteria(incident, context))
    lines += _section("Timeline", _timeline(incident, context))
    lines += _section("Communication log", _communications(incident, context))
    lines += _section("Regulatory deadlines and filings", _regulatory(incident, context))
    lines += _section("Root cause analysis", _root_cause(incident))
    lines += _section("What went well", _list(postmortem.went_well))
    lines += _section("What could be improved", _list(postmortem.could_improve))
    lines += _section("Lessons learned", _list(postmortem.lessons, ordered=True))
    lines += _section("Remediation", _remediation(incident))
    lines += _section("Action items", _action_items(incident, context))
    lines += _section("Process improvements", _list(postmortem.process_improvements, ordered=True))
    lines += _section("Recommendations", _list(postmortem.recommendations, ordered=True))
    lines += _section("Metrics", _metrics(incident, context))
    lines += _section("Responders", _responders(incident))
    return "\n".join(lines).rstrip("\n") + "\n"
