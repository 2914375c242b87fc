"""Time spans used by rule files: `5m` / `2h` / `3d`, plus `4 business days` and `1 month` for deadlines."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.timeutil import parse_duration

_COMPOUND = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*){2,}$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_CALENDAR = re.compile(r"^\s*(\d+)\s*(business[ _-]?days?|bd|months?|mo)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """A fixed duration, a number of business days (Mon-Fri) or calendar months."""

    text: str
    fixed: timedelta | None = None
    business_days: int = 0
    months: int = 0

    def add_to(self, start: datetime) -> datetime:
        if self.fixed is not None:
            return start + self.fixed
        if self.months:
            return add_months(start, self.months)
        return add_business_days(start, self.business_days)


def parse_duration_text(value: str | int | float) -> timedelta:
    """`5m`, `2h`, `3d` (domain.timeutil.parse_duration) and compound forms such as `2h15m` or `1d 4h`."""
    if isinstance(value, str) and _COMPOUND.match(value):
        return sum((parse_duration(f"{n}{u}") for n, u in _PART.findall(value)), timedelta())
    return parse_duration(value)


def parse_span(value: str | int | float) -> Span:
    text = str(value)
    match = _CALENDAR.match(text) if isinstance(value, str) else None
    if match:
        number, unit = int(match.group(1)), match.group(2).lower()
        if unit.startswith("mo"):
            return Span(text, months=number)
        return Span(text, business_days=number)
    try:
        return Span(text, fixed=parse_duration_text(value))
    except ValueError:
        raise ValueError(f"'{value}' is not a time span such as 72h, 30d, 4 business days or 1 month") from None


def add_months(start: datetime, months: int) -> datetime:
    """Same day and time `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def add_business_days(start: datetime, days: int) -> datetime:
    """`days` weekdays after `start`, same time of day; weekends are skipped (public holidays are not)."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current
