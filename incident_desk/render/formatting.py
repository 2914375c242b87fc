"""Small text formatters shared by the renderers: money, percentages, clock times, type names."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

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


def duration_adjective(value: timedelta) -> str:
    """A duration used as an adjective: `5 minute`, `2 hour 30 minute`."""
    words = format_duration(value).split()
    return " ".join(word.removesuffix("s") if index % 2 else word for index, word in enumerate(words))


def coarse_duration(value: timedelta) -> str:
    """Long spans in whole days (`45 days`), shorter ones to the minute (`2 hours 15 minutes`)."""
    if value >= timedelta(days=2):
        days = round(value.total_seconds() / 86400)
        return f"{days} days"
    return format_duration(timedelta(minutes=round(value.total_seconds() / 60)))


def type_label(incident_type: str) -> str:
    """`availability` -> `Availability Incident`, `data-loss` -> `Data Loss Incident`."""
    words = incident_type.replace("-", " ").replace("_", " ").split()
    return " ".join(word.capitalize() for word in words) + " Incident"
