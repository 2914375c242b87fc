"""The field registry: every name a rule may test, with its type, unit, allowed values and meaning.

One registry drives validation (unknown field, did-you-mean, type checks), evaluation (each field has an
extractor that reads an `Incident` or an `IncidentSummary`), explanations (label and phrase) and the
docs (`rules fields`, docs/rules.md). Durations are held as seconds; a missing value is `None`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ..domain.derived import DERIVED_FACTS
from ..domain.incident import derived_customers_affected
from ..domain.lifecycle import Status
from ..domain.timeutil import format_duration

NUMERIC_TYPES = frozenset({"number", "integer", "percent", "money", "duration"})
FIELD_TYPES = ("number", "integer", "percent", "money", "duration", "text", "list", "boolean", "status",
               "severity")


@dataclass(frozen=True)
class Env:
    """What extractors need beyond the incident: the evaluation instant and the SLA defaults."""

    now: datetime | None = None
    sla_target: Callable[[Any], float | None] | None = None
    sla_period: float | None = None  # seconds of the SLA period (sla.yaml), for computed availability


Extractor = Callable[[Any, Env], Any]
Phrase = Callable[[Any, Callable[[str], Any]], str]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    description: str
    extract: Extractor
    label: str
    unit: str = ""
    allowed: tuple[str, ...] | None = None
    phrase: Phrase | None = None
    severity_rules: bool = True
    phrase_inputs: tuple[str, ...] = ()  # other fields the phrase reads
    derived: bool = False  # computed by the desk; never typed (domain.derived says how)

    @property
    def type_label(self) -> str:
        return "list of text" if self.type == "list" else self.type


def number_text(value: Any) -> str:
    """`100`, `99.95`, `85,000`: numbers without trailing zeros, with thousands separators."""
    kind = value.__class__
    if kind is float:
        return f"{int(value):,}" if value.is_integer() else f"{value:,.4f}".rstrip("0").rstrip(".")
    if kind is int:
        return f"{value:,}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4f}".rstrip("0").rstrip(".")


def money_text(value: Any) -> str:
    kind = value.__class__
    if kind is float:
        return f"${value:,.0f}" if value.is_integer() else f"${value:,.2f}"
    if kind is int:
        return f"${value:,.0f}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"
    return str(value)


def whole_seconds(seconds: float) -> int:
    """`round(timedelta(seconds=s).total_seconds())`, the rounding of `format_duration`, without building
    the timedelta unless `s` lies within a microsecond of a half second (where its rounding decides)."""
    rounded = round(seconds)
    if abs(abs(seconds - rounded) - 0.5) > 1e-6:
        return rounded
    return round(timedelta(seconds=seconds).total_seconds())


def duration_words(seconds: float) -> str:
    """`format_duration` of a number of seconds: `2 hours 15 minutes`, `1 day 3 seconds`, `0 seconds`."""
    total = whole_seconds(seconds)
    minutes, secs = divmod(abs(total), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day" if days == 1 else f"{days} days")
    if hours:
        parts.append(f"{hours} hour" if hours == 1 else f"{hours} hours")
    if minutes:
        parts.append(f"{minutes} minute" if minutes == 1 else f"{minutes} minutes")
    if secs:
        parts.append(f"{secs} second" if secs == 1 else f"{secs} seconds")
    return ("-" if total < 0 else "") + (" ".join(parts) if parts else "0 seconds")


def _clock_parts(seconds: float) -> tuple[int, int, int, int, int]:
    """(whole seconds, days, hours, minutes, seconds) of a duration, rounded as `format_duration` rounds."""
    total = whole_seconds(seconds)
    minutes, secs = divmod(abs(total), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return total, days, hours, minutes, secs


def _short(total: int, days: int, hours: int, minutes: int, secs: int) -> str:
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours:
        parts.append(f"{hours}h")
    if minutes and len(parts) < 2:
        parts.append(f"{minutes}m")
    if secs and len(parts) < 2:
        parts.append(f"{secs}s")
    return ("-" if total < 0 else "") + (" ".join(parts) if parts else "0s")


def duration_short(seconds: float) -> str:
    """`format_short_duration` of a number of seconds: `2h 15m`, `5m`, `45s`, `3d 4h`."""
    return _short(*_clock_parts(seconds))


def duration_texts(seconds: float) -> tuple[str, str]:
    """(`duration_words`, `duration_short`) of one number of seconds, rounding it once."""
    total = round(seconds)
    if not abs(abs(seconds - total) - 0.5) > 1e-6:
        total = round(timedelta(seconds=seconds).total_seconds())
    minutes, secs = divmod(total if total >= 0 else -total, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    words = []
    short = []
    if days:
        words.append(f"{days} day" if days == 1 else f"{days} days")
        short.append(f"{days}d")
    if hours:
        words.append(f"{hours} hour" if hours == 1 else f"{hours} hours")
        short.append(f"{hours}h")
    if minutes:
        words.append(f"{minutes} minute" if minutes == 1 else f"{minutes} minutes")
        short.append(f"{minutes}m")
    if secs:
        words.append(f"{secs} second" if secs == 1 else f"{secs} seconds")
        short.append(f"{secs}s")
    if total < 0:
        return "-" + " ".join(words), "-" + " ".join(short[:2])
    if words:
        return " ".join(words), " ".join(short[:2])
    return "0 seconds", "0s"


def value_text(spec: FieldSpec, value: Any) -> str:
    """A value of this field as a person writes it: `99.12%`, `$85,000/hour`, `2 hours 15 minutes`."""
    if value is None:
        return "unknown"
    if spec.type == "duration":
        return format_duration(timedelta(seconds=value))
    if spec.type == "percent":
        return f"{number_text(value)}%"
    if spec.type == "money":
        return money_text(value) + (spec.unit.removeprefix("$") if spec.unit.startswith("$/") else "")
    if spec.type == "list":
        return ", ".join(value) if value else "none"
    if spec.type == "boolean":
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number_text(value)
    return str(value)


def value_formatter(spec: FieldSpec) -> Callable[[Any], str]:
    """`value_text` for one field with the choice of format made once: `value -> text`."""
    kind = spec.type
    if kind == "duration":
        return lambda value: "unknown" if value is None else duration_words(value)
    if kind == "percent":
        return lambda value: "unknown" if value is None else number_text(value) + "%"
    if kind == "money":
        suffix = spec.unit.removeprefix("$") if spec.unit.startswith("$/") else ""
        return lambda value: "unknown" if value is None else money_text(value) + suffix
    if kind == "list":
        return lambda value: "unknown" if value is None else (", ".join(value) if value else "none")
    if kind == "boolean":
        return lambda value: "unknown" if value is None else ("yes" if value else "no")
    return lambda value: value_text(spec, value)


# ----------------------------------------------------------------------------- extractors


# An extractor that only reads one attribute says so in `reads` = (owner, attribute), owner being
# "incident" or "facts" (`incident.facts`), so that generated code can read the attribute directly.
# List extractors copy the list; readers that only look at it may skip the copy.


def _reading(owner: str, name: str, extract: Extractor) -> Extractor:
    extract.reads = (owner, name)  # type: ignore[attr-defined]
    return extract


def _fact(name: str) -> Extractor:
    def extract(incident: Any, env: Env) -> Any:
        return getattr(incident.facts, name)
    return _reading("facts", name, extract)


def _attr(name: str) -> Extractor:
    def extract(incident: Any, env: Env) -> Any:
        return getattr(incident, name)
    return _reading("incident", name, extract)


def _attr_list(name: str) -> Extractor:
    def extract(incident: Any, env: Env) -> Any:
        return list(getattr(incident, name))
    return _reading("incident", name, extract)


def _fact_list(name: str) -> Extractor:
    def extract(incident: Any, env: Env) -> Any:
        return list(getattr(incident.facts, name))
    return _reading("facts", name, extract)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def _duration(incident: Any, env: Env) -> float | None:
    clock = incident.clock
    return _seconds(clock.started_at, clock.resolved_at or env.now)


_duration.span = ("started_at", "resolved_at")  # type: ignore[attr-defined]  # clock attributes; end else now


def _since_declared(incident: Any, env: Env) -> float | None:
    return _seconds(incident.clock.declared_at, env.now)


def _unacknowledged(incident: Any, env: Env) -> float | None:
    clock = incident.clock
    start = clock.alerted_at or clock.declared_at
    return _seconds(start, clock.acknowledged_at or env.now)


def _time_to_detect(incident: Any, env: Env) -> float | None:
    return _seconds(incident.clock.started_at, incident.clock.declared_at)


def _outage(incident: Any, env: Env) -> float | None:
    impact = getattr(incident, "impact", None)
    if impact is not None:
        windows = [w for w in impact.windows if w.kind.value == "complete_outage"]
        if windows:
            return sum((w.end - w.start).total_seconds() for w in windows)
    return _seconds(incident.clock.started_at, incident.clock.resolved_at)


def _revenue_loss(incident: Any, env: Env) -> float | None:
    rate = incident.facts.revenue_per_hour
    outage = _outage(incident, env)
    if rate is None or outage is None:
        return None
    return round(rate * outage / 3600, 2)


def _sla_target(incident: Any, env: Env) -> float | None:
    target = incident.facts.sla_target_pct
    if target is None and env.sla_target is not None:
        target = env.sla_target(incident)
    return target


def availability_from_outage(outage_seconds: float, period_seconds: float) -> float:
    """Availability in % over the SLA period given its complete-outage seconds (never below 0)."""
    return max(round(100.0 * (1 - outage_seconds / period_seconds), 4), 0.0)


def _availability(incident: Any, env: Env) -> float | None:
    """Measured availability (facts.sla_actual_pct), else computed from the complete outage over the SLA
    period (as `SlaPolicy.assess` computes it), else unknown."""
    actual = incident.facts.sla_actual_pct
    if actual is not None or not env.sla_period:
        return actual
    outage = _outage(incident, env)
    return None if outage is None else availability_from_outage(outage, env.sla_period)


def _sla_breached(incident: Any, env: Env) -> bool | None:
    target, actual = _sla_target(incident, env), _availability(incident, env)
    if target is None or actual is None:
        return None
    return actual < target


def _customers_affected(incident: Any, env: Env) -> int | None:
    facts = incident.facts
    typed = facts.customers_affected
    return typed if typed is not None else derived_customers_affected(facts)


def _window_seconds(name: str) -> Extractor:
    def extract(incident: Any, env: Env) -> float | None:
        value = getattr(incident.facts, name)
        return None if value is None else value.total_seconds()
    return extract


def _breached(target: Any, actual: Any) -> bool | None:
    return None if target is None or actual is None else actual < target


# Extractors computed from other fields say so in `derives` = (function of those fields' values, names),
# so that generated code reads each input once and shares it with the sentences that show it.
_sla_breached.derives = (_breached, ("sla_target_pct", "availability_pct"))  # type: ignore[attr-defined]


def _sla_shortfall(incident: Any, env: Env) -> float | None:
    target, actual = _sla_target(incident, env), _availability(incident, env)
    if target is None or actual is None:
        return None
    return round(max(target - actual, 0.0), 6)


def _status(incident: Any, env: Env) -> str:
    return Status(incident.status).value


def _active(incident: Any, env: Env) -> bool:
    return Status(incident.status).is_active


def _acknowledged(incident: Any, env: Env) -> bool:
    return incident.clock.acknowledged_at is not None


def _materiality_determined(incident: Any, env: Env) -> bool:
    return getattr(incident.clock, "materiality_determined_at", None) is not None


def _severity(incident: Any, env: Env) -> str | None:
    severity = incident.severity
    return severity if severity is None or isinstance(severity, str) else severity.level


# ----------------------------------------------------------------------------- phrases (for the report)


def _sla_phrase(value: Any, lookup: Callable[[str], Any]) -> str:
    return _sla_sentence(lookup("sla_target_pct"), lookup("availability_pct"))


def _sla_sentence(target: Any, actual: Any) -> str:
    if target is None or actual is None:
        return "SLA target or actual unknown"
    state = "SLA violation" if actual < target else "SLA met"
    shown = round(actual, 2)  # availability is quoted to two decimals, unless that would hide the breach
    if (shown < target) != (actual < target):
        shown = actual
    return f"{state} ({number_text(target)}% target, actual {number_text(shown)}%)"


def _fmt(template: str) -> Phrase:
    """A phrase from a template with one `{n}` (the value as a number) or `{m}` (as money)."""
    placeholder = "{n}" if "{n}" in template else "{m}"
    before, after = template.split(placeholder)
    text = number_text if placeholder == "{n}" else money_text

    def phrase(value: Any, lookup: Callable[[str], Any]) -> str:
        return before + text(value) + after
    phrase.parts = (before, text, after)  # type: ignore[attr-defined]
    return phrase


_sla_phrase.from_inputs = _sla_sentence  # type: ignore[attr-defined]  # same sentence from phrase_inputs


def _yes_no(yes: str, no: str) -> Phrase:
    """A phrase for a boolean fact: one sentence when true, another when false."""
    def phrase(value: Any, lookup: Callable[[str], Any]) -> str:
        return yes if value else no
    return phrase


_FIELDS: list[FieldSpec] = [
    FieldSpec("customer_impact_pct", "percent", "Share of customers affected (facts.customer_impact_pct)",
              _fact("customer_impact_pct"), "Customer Impact", "%", phrase=_fmt("{n}% of customers affected")),
    FieldSpec("customers_affected", "integer",
              "Number of customers affected (facts.customers_affected); derived from customer_impact_pct x "
              "customers_total when both are known", _customers_affected, "Customer Impact", "customers",
              phrase=_fmt("{n} customers affected")),
    FieldSpec("customers_total", "integer", "All customers of the service (facts.customers_total)",
              _fact("customers_total"), "Customer Base", "customers", phrase=_fmt("{n} customers in total")),
    FieldSpec("revenue_per_hour", "money", "Revenue at risk per hour of outage (facts.revenue_per_hour)",
              _fact("revenue_per_hour"), "Revenue Impact", "$/hour", phrase=_fmt("Estimated {m}/hour")),
    FieldSpec("revenue_loss", "money", "Revenue per hour x complete-outage hours (unknown until both are)",
              _revenue_loss, "Revenue Loss", "$", phrase=_fmt("{m} (estimated)")),
    FieldSpec("failed_transactions", "integer", "Failed transactions (facts.failed_transactions)",
              _fact("failed_transactions"), "Failed Transactions", "transactions",
              phrase=_fmt("{n} failed transactions")),
    FieldSpec("support_tickets", "integer", "Customer support tickets (facts.support_tickets)",
              _fact("support_tickets"), "Support Tickets", "tickets",
              phrase=_fmt("{n} customer support tickets generated")),
    FieldSpec("sla_target_pct", "percent", "Availability target (facts.sla_target_pct, else sla.yaml)",
              _sla_target, "Service Level", "%", phrase=_fmt("{n}% availability target")),
    FieldSpec("sla_actual_pct", "percent", "Measured availability in the SLA period (facts.sla_actual_pct)",
              _fact("sla_actual_pct"), "Service Level", "%", phrase=_fmt("{n}% availability")),
    FieldSpec("availability_pct", "percent",
              "Availability in the SLA period: measured (sla_actual_pct), else computed from the complete "
              "outage over the sla.yaml period", _availability, "Service Level", "%",
              phrase=_fmt("{n}% availability"), derived=True),
    FieldSpec("sla_breached", "boolean", "True when availability (measured or computed) is below the target",
              _sla_breached, "Service Level", phrase=_sla_phrase,
              phrase_inputs=("sla_target_pct", "availability_pct"), derived=True),
    FieldSpec("sla_shortfall_pct", "percent", "Target minus availability, in percentage points",
              _sla_shortfall, "Service Level", "%", derived=True),
    FieldSpec("data_categories", "list", "Data involved: personal, payment, health, ... (facts.data_categories)",
              _fact_list("data_categories"), "Data Involved"),
    FieldSpec("regions", "list", "Regions affected, e.g. EU, US (facts.regions)", _fact_list("regions"),
              "Regions"),
    FieldSpec("records_exposed", "integer", "Records exposed (facts.records_exposed)",
              _fact("records_exposed"), "Records Exposed", "records", phrase=_fmt("{n} records exposed")),
    FieldSpec("security_breach", "boolean", "A confirmed security breach (facts.security_breach)",
              _fact("security_breach"), "Security"),
    FieldSpec("data_lost", "boolean", "Customer or production data was lost or destroyed (facts.data_lost)",
              _fact("data_lost"), "Data Loss", phrase=_yes_no("Customer data lost", "No data lost")),
    FieldSpec("records_lost", "integer", "Records, rows or objects lost (facts.records_lost)",
              _fact("records_lost"), "Data Loss", "records", phrase=_fmt("{n} records lost")),
    FieldSpec("data_loss_window", "duration", "Span of time whose writes were lost (facts.data_loss_window)",
              _window_seconds("data_loss_window"), "Data Loss Window"),
    FieldSpec("data_recoverable", "boolean", "The lost data can be restored (facts.data_recoverable)",
              _fact("data_recoverable"), "Data Recovery",
              phrase=_yes_no("lost data can be recovered", "lost data cannot be recovered (permanent loss)")),
    FieldSpec("backups_failed", "integer",
              "Backup or replication mechanisms that failed (facts.backups_failed; 0 = none failed)",
              _fact("backups_failed"), "Data Integrity", "mechanisms",
              phrase=_fmt("{n} backup mechanisms failed")),
    FieldSpec("type", "text", "Incident type slug: availability, performance, security, data-loss, ...",
              _attr("type"), "Type"),
    FieldSpec("title", "text", "Incident title", _attr("title"), "Title"),
    FieldSpec("services", "list", "Services affected", _attr_list("services"), "Services"),
    FieldSpec("affected_systems", "list", "Systems affected", _attr_list("affected_systems"),
              "Affected Systems"),
    FieldSpec("tags", "list", "Free tags on the incident", _attr_list("tags"), "Tags"),
    FieldSpec("status", "status", "Lifecycle status", _status, "Status",
              allowed=tuple(s.value for s in Status)),
    FieldSpec("active", "boolean", "True before the incident is resolved", _active, "Active"),
    FieldSpec("acknowledged", "boolean", "True once someone acknowledged the incident", _acknowledged,
              "Acknowledged"),
    FieldSpec("materiality_determined", "boolean",
              "True once the time materiality was determined is recorded (clock.materiality_determined_at)",
              _materiality_determined, "Materiality Determined"),
    FieldSpec("severity", "severity", "Level in force (override, else computed); not for severity rules",
              _severity, "Severity", severity_rules=False),
    FieldSpec("duration", "duration", "Impact start to resolution (or to now while open)", _duration,
              "Duration"),
    FieldSpec("outage", "duration", "Complete-outage time: outage windows, else start to resolution",
              _outage, "Outage"),
    FieldSpec("time_since_declared", "duration", "Declaration to now", _since_declared,
              "Time Since Declared"),
    FieldSpec("time_unacknowledged", "duration",
              "First alert (or declaration) to acknowledgement, or to now while unacknowledged",
              _unacknowledged, "Time Unacknowledged"),
    FieldSpec("time_to_detect", "duration", "Impact start to declaration", _time_to_detect,
              "Time To Detect"),
]

_FIELDS = [replace(spec, derived=True) if spec.name in DERIVED_FACTS and not spec.derived else spec
           for spec in _FIELDS]
FIELDS: dict[str, FieldSpec] = {spec.name: spec for spec in _FIELDS}
# Typed facts that the desk derives once other facts are known (a disagreeing typed value is refused).
DERIVED_WHEN_KNOWN = {"customers_affected": "customer_impact_pct x customers_total"}


def derived_label(name: str) -> str:
    """How `rules fields` marks a field: `derived`, `derived when ... known`, or `` for a typed fact."""
    if FIELDS[name].derived:
        return "derived"
    if name in DERIVED_WHEN_KNOWN:
        return f"derived from {DERIVED_WHEN_KNOWN[name]} when known"
    return ""


def build_row(incident: Any, env: Env, names: tuple[str, ...]) -> dict[str, Any]:
    """The values of `names` for one incident (Incident or IncidentSummary)."""
    return {name: FIELDS[name].extract(incident, env) for name in names}


def registry_rows() -> list[dict[str, Any]]:
    """The registry as plain rows, for `rules fields`, the GUI pickers and the docs."""
    return [
        {"name": s.name, "type": s.type_label, "unit": s.unit, "allowed": list(s.allowed) if s.allowed else None,
         "description": s.description, "label": s.label, "in_severity_rules": s.severity_rules,
         "derived": derived_label(s.name)}
        for s in _FIELDS
    ]
