"""Facts the desk derives itself: their names, what they are derived from, and the refusal to type them.

A derived fact (SLA breached, availability, duration, outage, ...) is computed from other facts, the
clock, the impact windows and the SLA rules; rules and reports read it under its own name. Typing one by
hand could only make the record disagree with itself, so `set_facts` refuses it with this message.
`customers_affected` is typed as a fact, but once the impact percentage and the customer total are known
it is derived, and a typed count that disagrees is refused (see `Facts`).
"""

from __future__ import annotations

# name -> what the desk derives it from (words for a person)
DERIVED_FACTS: dict[str, str] = {
    "sla_breached": "availability below the SLA target",
    "availability_pct": "measured sla_actual_pct, else the complete outage over the SLA period",
    "sla_shortfall_pct": "SLA target minus availability",
    "duration": "impact start to resolution (or now)",
    "outage": "complete-outage impact windows, else impact start to resolution",
    "revenue_loss": "revenue_per_hour x complete-outage hours",
    "time_to_detect": "impact start to declaration",
    "time_since_declared": "declaration to now",
    "time_unacknowledged": "first alert to acknowledgement",
    "sla_credit": "the credit tiers of sla.yaml applied to availability",
}

# what to record instead, so the derived value changes
_RECORD_INSTEAD = {
    "sla_breached": "sla_actual_pct, sla_target_pct or the outage windows (impact set --window)",
    "availability_pct": "sla_actual_pct or the outage windows (impact set --window)",
    "sla_shortfall_pct": "sla_actual_pct or sla_target_pct",
    "sla_credit": "sla_actual_pct or the outage windows, or impact set --sla-credits",
    "revenue_loss": "revenue_per_hour or the outage windows",
}


def derived_refusal(name: str) -> str:
    """The one-line refusal for typing a derived fact by hand."""
    instead = _RECORD_INSTEAD.get(name, "the clock (set --clock) or the impact windows")
    return (f"{name} is derived by the desk ({DERIVED_FACTS[name]}) and cannot be set by hand; "
            f"record {instead} instead")
