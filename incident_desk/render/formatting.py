"""Small text formatters shared by the renderers: money, percentages, clock times, type names."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

from ..domain.timeutil import as_utc, format_duration


def money(amount: float, symbol: str = "$") -> str:
    """`$191,250`, or `$1,234.50` when there are cents."""
    if float(amount).is_integer():
        return f"{symbol}{amount:,.0f}"
    return f"{symbol}{amount:,.2f}"


def percent(value: float) -> str:
    """`99.95%`, `100%`, `12.5%`."""
    return f"{value:.4f}".rstrip("0").rstrip(".") + "%"


def count(value: int) -> str:
    return f"{value:,}"


def clock_time(instant: datetime, tz: tzinfo, reference_day: date | None = None) -> str:
    """`02:30:00` in `tz`; the date is added when it is not `reference_day`."""
    local = as_utc(instant).astimezone(tz)
    text = local.strftime("%H:%M:%S")
    if reference_day is not None and local.date() != reference_day:
        return f"{local:%Y-%m-%d} {text}"
    return text


def is_utc(tz: tzinfo) -> bool:
    """True for UTC itself (under any of its names)."""
    return tz is timezone.utc or getattr(tz, "key", None) in ("UTC", "Etc/UTC", "Etc/UCT", "Zulu") \
        or (tz.utcoffset(None) == timedelta(0) and tz.tzname(None) == "UTC")


def zone_abbreviation(instant: datetime, tz: tzinfo) -> str:
    """`PST`, `CEST`, or `UTC-08:00` where the zone has no abbreviation, for that instant."""
    local = as_utc(instant).astimezone(tz)
    name = local.tzname() or ""
    if name and not name.lstrip("+-").isdigit():
        return name
    offset = local.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def duration_adjective(value: timedelta) -> str:
    """A duration used as an adjective: `5 minute`, `2 hour 30 minute`."""
    words = format_duration(value).split()
    return " ".join(word.removesuffix("s") if index % 2 else word for index, word in enumerate(words))


def type_label(incident_type: str) -> str:
    """`availability` -> `Availability Incident`, `data-loss` -> `Data Loss Incident`."""
    words = incident_type.replace("-", " ").replace("_", " ").split()
    return " ".join(word.capitalize() for word in words) + " Incident"
