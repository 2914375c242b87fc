"""Pure helpers for instants and durations: UTC normalisation, `5m`/`2h`/`3d` parsing, human durations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_COMPOUND = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def as_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant (`2025-01-15T02:30:00Z`, with offset or naive UTC)."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        return as_utc(datetime.fromisoformat(cleaned))
    except ValueError:
        raise ValueError(f"'{text}' is not an ISO-8601 time such as 2025-01-15T02:30:00Z") from None


def parse_duration(text: str | int | float) -> timedelta:
    """Parse a duration written `90s`, `5m`, `2h`, `3d` or `1w` (a bare number is seconds)."""
    if isinstance(text, bool):
        raise ValueError(f"'{text}' is not a duration such as 5m, 2h or 3d")
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError(f"duration {text} is negative")
        return _bounded(text, text)
    match = _DURATION.match(str(text))
    if not match:
        compact = str(text).replace(" ", "")
        if compact and _COMPOUND.fullmatch(compact):  # 2h15m, 1d 6h
            return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(compact)))
        raise ValueError(f"'{text}' is not a duration such as 5m, 2h or 3d")
    number, unit = match.groups()
    return _bounded(float(number) * _UNIT_SECONDS[unit], text)


MAX_DURATION_SECONDS = 100 * 366 * 86400


def _bounded(seconds: float, text: object) -> timedelta:
    """A duration of at most 100 years (longer ones, and inf or nan, are refused: no clock needs them)."""
    if not seconds <= MAX_DURATION_SECONDS:
        shown = str(text) if len(str(text)) <= 30 else str(text)[:27] + "..."
        raise ValueError(f"duration '{shown}' is longer than 100 years")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """Write a duration the way the seed report does: `2 hours 15 minutes`, `2 minutes 15 seconds`."""
    total = int(round(value.total_seconds()))
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second")):
        if amount:
            parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
    return sign + (" ".join(parts) if parts else "0 seconds")


def format_short_duration(value: timedelta) -> str:
    """Compact form for tables and lists: `2h 15m`, `5m`, `45s`, `3d 4h`."""
    total = int(round(value.total_seconds()))
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return sign + (" ".join(parts[:2]) if parts else "0s")


def isoformat_z(value: datetime) -> str:
    """`2025-01-15T02:30:00Z`: the report's way of writing an instant."""
    return as_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")
