"""The bounds every value entering the desk must respect: the incident id grammar, finite and bounded
numbers, instants and dates within a sane range.

One place, so the CLI, import and files found on disk all apply the same rules (docs/rules.md, "Input
limits"):

- an incident id is `INC-YYYY-NNN`: ASCII `INC-`, a four-digit year within the date range, a hyphen and
  3 to 6 ASCII digits (so at most 999,999 incidents a year); nothing before or after, no whitespace;
- a count is an integer from 0 to `MAX_COUNT` (10^15: exact in every JSON reader, far beyond any
  real count); an amount (money per hour, credits) is a finite number from 0 to `MAX_AMOUNT`;
- an instant or a date lies within 1970-01-01 .. 2200-12-31 (UTC).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from .errors import DomainError

INCIDENT_ID_PATTERN = re.compile(r"^INC-([0-9]{4})-([0-9]{3,6})\Z")
MAX_SEQUENCE = 999_999
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.utc)
MIN_YEAR, MAX_YEAR = EARLIEST.year, LATEST.year
MAX_COUNT = 10**15
MAX_AMOUNT = 1e15


class InvalidIncidentId(DomainError):
    """Text that is not an incident id of the one grammar."""


def id_problem(text: object) -> str | None:
    """Why `text` is not a valid incident id, or None when it is one."""
    match = INCIDENT_ID_PATTERN.match(text) if type(text) is str else None
    if match and MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        return None  # the common case, before any message is prepared
    shown = repr(text) if not isinstance(text, str) or not text.isprintable() or len(text) > 40 else f"'{text}'"
    if isinstance(text, str) and len(shown) > 60:
        shown = shown[:57] + "...'"
    if not isinstance(text, str):
        return f"{shown} is not a valid incident id (expected text such as INC-2025-001)"
    match = INCIDENT_ID_PATTERN.match(text)
    if not match:
        return (f"{shown} is not a valid incident id: expected INC-, a four-digit year, '-' and 3 to 6 "
                "digits (0-9), such as INC-2025-001")
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"{shown} is not a valid incident id: the year must be within {MIN_YEAR}-{MAX_YEAR}"
    return None


def is_incident_id(text: object) -> bool:
    return id_problem(text) is None


def check_incident_id(text: object) -> str:
    """`text` when it is a valid incident id; InvalidIncidentId saying why otherwise."""
    problem = id_problem(text)
    if problem:
        raise InvalidIncidentId(problem)
    return text  # type: ignore[return-value]


def parse_incident_id(text: str) -> tuple[int, int]:
    """(year, sequence) of a valid id; InvalidIncidentId otherwise."""
    check_incident_id(text)
    match = INCIDENT_ID_PATTERN.match(text)
    assert match is not None
    return int(match.group(1)), int(match.group(2))


def check_instant(value: datetime) -> datetime:
    """An aware instant within EARLIEST..LATEST; ValueError naming the range otherwise."""
    if not EARLIEST <= value <= LATEST:
        raise ValueError("is outside the supported range "
                         f"{EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}")
    return value


def check_date(value: date) -> date:
    if not EARLIEST.date() <= value <= LATEST.date():
        raise ValueError("is outside the supported range "
                         f"{EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}")
    return value


def check_finite(value: float) -> float:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {value}")
    return value

