"""The "Criteria" lines under SEVERITY CLASSIFICATION.

When the rules engine has explained the level, its matched criteria are printed. Until then (or
for an incident classified by hand) `fallback_criteria` derives the lines from the incident's
facts, in the seed's words. Replace `fallback_criteria` freely: it is only a stop-gap.
"""

from __future__ import annotations

from ..domain import figures
from ..domain.incident import CriterionResult, Incident
from .context import ReportContext
from .formatting import count, duration_adjective, money, percent
from ..domain.timeutil import format_duration


def criterion_text(criterion: CriterionResult) -> str:
    """The engine's sentence, or a plain one built from the criterion when it has none."""
    if criterion.text:
        return criterion.text
    actual = "missing" if criterion.missing else _literal(criterion.actual)
    return f"{criterion.field} {criterion.op} {_literal(criterion.expected)} (actual {actual})"


def _literal(value: object) -> str:
    """A value as the stored JSON would show it in Python terms: lists (kept as tuples) in brackets."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return repr(value)


def explained_criteria(incident: Incident) -> list[str]:
    """Every matched criterion of every matched rule, each once, in rule order."""
    lines: list[str] = []
    for match in incident.severity.explanation:
        for criterion in match.criteria:
            if criterion.matched:
                text = criterion_text(criterion)
                if text not in lines:
                    lines.append(text)
    return lines


def fallback_criteria(incident: Incident, context: ReportContext) -> list[str]:
    """Criteria lines derived from the facts, for an incident without an engine explanation."""
    facts = incident.facts
    lines = []
    if facts.customer_impact_pct is not None:
        lines.append(f"Customer Impact: {percent(facts.customer_impact_pct)} of customers affected")
    elif facts.customers_affected is not None:
        lines.append(f"Customer Impact: {count(facts.customers_affected)} customers affected")
    if facts.revenue_per_hour is not None:
        lines.append(f"Revenue Impact: Estimated {money(facts.revenue_per_hour, context.currency_symbol)}/hour")
    if facts.sla_target_pct is not None:
        if facts.sla_actual_pct is None:
            lines.append(f"Service Level: {percent(facts.sla_target_pct)} target (actual not measured)")
        else:
            verdict = "SLA violation" if facts.sla_actual_pct < facts.sla_target_pct else "SLA met"
            lines.append(f"Service Level: {verdict} ({percent(facts.sla_target_pct)} target, "
                         f"actual {percent(facts.sla_actual_pct)})")
    if facts.data_categories:
        lines.append(f"Data Involved: {', '.join(facts.data_categories)}")
    if facts.records_exposed is not None:
        lines.append(f"Records Exposed: {count(facts.records_exposed)}")
    lasted = figures.duration(incident, context.now)
    if lasted is not None:
        text = f"Duration: {format_duration(lasted)}"
        if incident.clock.resolved_at is None:
            text += " so far"
        level = incident.severity.level
        target = context.level_targets.get(level) if level else None
        if target is not None and lasted > target:
            text += f" (> {duration_adjective(target)} target for {level})"
        lines.append(text)
    return lines
