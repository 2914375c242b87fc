"""How each derived fact got its value, in words, for explanations:
`sla_breached = yes (derived: availability 97.43% < 99.95% target)`.

`derived_facts(incident, env, names)` gives one `DerivedFact` per derived field among `names` (the fields a
rule set reads), with its value as a person writes it and the derivation from the inputs it was computed
from. The values come from the same extractors the classifier uses, so the words can never disagree with
the level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..domain.timeutil import format_duration, isoformat_z
from .fields import DERIVED_WHEN_KNOWN, FIELDS, Env, money_text, number_text, value_text


@dataclass(frozen=True)
class DerivedFact:
    name: str
    value: str  # as a person writes it: `yes`, `97.43%`, `2 hours 15 minutes`
    how: str  # the derivation: `availability 97.43% < 99.95% target`

    @property
    def line(self) -> str:
        return f"{self.name} = {self.value} (derived: {self.how})"


def _value(name: str, incident: Any, env: Env) -> Any:
    return FIELDS[name].extract(incident, env)


def _pct(value: float | None) -> str:
    """Percentages to two decimals, as availability is quoted (`97.43%`)."""
    return "unknown" if value is None else f"{number_text(round(value, 2))}%"


def _availability_how(incident: Any, env: Env) -> str:
    if incident.facts.sla_actual_pct is not None:
        return "measured (sla_actual_pct)"
    outage = _value("outage", incident, env)
    if outage is None or not env.sla_period:
        return "not measured, and no resolved outage to compute it from"
    return (f"{format_duration(timedelta(seconds=outage))} of complete outage over the SLA period of "
            f"{format_duration(timedelta(seconds=env.sla_period))}")


def _breached_how(incident: Any, env: Env) -> str:
    target, actual = _value("sla_target_pct", incident, env), _value("availability_pct", incident, env)
    if target is None or actual is None:
        return f"availability {_pct(actual)}, target {_pct(target)}"
    return f"availability {_pct(actual)} {'<' if actual < target else '>='} {_pct(target)} target"


def _shortfall_how(incident: Any, env: Env) -> str:
    target, actual = _value("sla_target_pct", incident, env), _value("availability_pct", incident, env)
    return f"{_pct(target)} target - {_pct(actual)} availability, at least 0"


def _span_how(start: str, end: str, open_end: str = "now") -> Callable[[Any, Env], str]:
    def how(incident: Any, env: Env) -> str:
        first, last = getattr(incident.clock, start), getattr(incident.clock, end)
        begin = f"{start.removesuffix('_at')} {isoformat_z(first) if first else 'unknown'}"
        finish = f"{end.removesuffix('_at')} {isoformat_z(last)}" if last else open_end
        return f"{begin} to {finish}"
    return how


def _outage_how(incident: Any, env: Env) -> str:
    impact = getattr(incident, "impact", None)
    windows = [w for w in impact.windows if w.kind.value == "complete_outage"] if impact is not None else []
    if windows:
        return f"{len(windows)} complete-outage window{'s' if len(windows) != 1 else ''}"
    return "impact start to resolution (no outage windows recorded)"


def _revenue_how(incident: Any, env: Env) -> str:
    rate, outage = incident.facts.revenue_per_hour, _value("outage", incident, env)
    if rate is None or outage is None:
        return "revenue_per_hour x outage hours (one of them unknown)"
    return f"{money_text(rate)}/hour x {number_text(round(outage / 3600, 4))} hours of outage"


def _customers_how(incident: Any, env: Env) -> str:
    facts = incident.facts
    return f"{_pct(facts.customer_impact_pct)} of {facts.customers_total:,} customers"


_HOW: dict[str, Callable[[Any, Env], str]] = {
    "availability_pct": _availability_how,
    "sla_breached": _breached_how,
    "sla_shortfall_pct": _shortfall_how,
    "duration": _span_how("started_at", "resolved_at"),
    "outage": _outage_how,
    "revenue_loss": _revenue_how,
    "time_to_detect": _span_how("started_at", "declared_at", "unknown"),
    "time_since_declared": lambda incident, env: f"declared {isoformat_z(incident.clock.declared_at)} to now"
    if incident.clock.declared_at else "declaration unknown",
    "time_unacknowledged": _span_how("alerted_at", "acknowledged_at"),
}


def derived_facts(incident: Any, env: Env, names: Iterable[str]) -> list[DerivedFact]:
    """The derived fields among `names` (and the inputs they are derived from), each with its derivation."""
    wanted: list[str] = []
    for name in names:
        if name == "sla_breached" and "availability_pct" not in wanted:
            wanted.append("availability_pct")  # the breach is only as good as the availability it read
        if name not in wanted:
            wanted.append(name)
    out = []
    for name in wanted:
        spec = FIELDS[name]
        if name in DERIVED_WHEN_KNOWN:
            if incident.facts.customers_affected is None and _value(name, incident, env) is not None:
                out.append(DerivedFact(name, value_text(spec, _value(name, incident, env)),
                                       _customers_how(incident, env)))
            continue
        how = _HOW.get(name)
        if spec.derived and how is not None:
            value = _value(name, incident, env)
            shown = _pct(value) if spec.type == "percent" and value is not None else value_text(spec, value)
            out.append(DerivedFact(name, shown, how(incident, env)))
    return out


__all__ = ["DerivedFact", "derived_facts"]
