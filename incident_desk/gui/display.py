"""How the window writes instants, durations and severity levels (display time zone, colours with text)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..app.face_support import DEFAULT_LEVEL_NAMES
from ..app.face_support import format_short_duration

_zone: timezone | ZoneInfo | None = None  # None: the computer's local zone


def set_display_zone(name: str) -> None:
    """`local`, `UTC` or an IANA name such as `Europe/Berlin`; unknown names fall back to local."""
    global _zone
    if not name or name == "local":
        _zone = None
    elif name.upper() == "UTC":
        _zone = timezone.utc
    else:
        try:
            _zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            _zone = None


def local(value: datetime) -> datetime:
    return value.astimezone(_zone) if _zone is not None else value.astimezone()


# f-strings, not strftime: datetime.strftime imports the `time` module on every call, and PySide's import
# hook makes that the slowest part of filling a 10,000-row list.
def instant(value: datetime | None, *, seconds: bool = False) -> str:
    if value is None:
        return "—"
    d = local(value)
    text = f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"
    if seconds:
        text += f":{d.second:02d}"
    zone = d.tzname()
    return f"{text} {zone}" if zone else text


def short_instant(value: datetime | None) -> str:
    if value is None:
        return ""
    d = local(value)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def duration(value: timedelta | None) -> str:
    """`1h 05m`; negative values read `-12m` (overdue)."""
    if value is None:
        return "—"
    if value < timedelta(0):
        return "-" + format_short_duration(-value)
    return format_short_duration(value)


def clock_text(value: timedelta) -> str:
    """A ticking clock: `2d 03:04:05` or `03:04:05`, with a minus sign when overdue."""
    sign = "-" if value < timedelta(0) else ""
    total = int(abs(value.total_seconds()))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    body = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{sign}{days}d {body}" if days else f"{sign}{body}"


# Background and text colours chosen so each badge reads the same on a light or a dark palette.
SEVERITY_COLOURS: dict[str, tuple[str, str]] = {
    "SEV-1": ("#b71c1c", "#ffffff"),
    "SEV-2": ("#e65100", "#ffffff"),
    "SEV-3": ("#f9a825", "#000000"),
    "SEV-4": ("#1565c0", "#ffffff"),
    "SEV-5": ("#546e7a", "#ffffff"),
}
UNCLASSIFIED_COLOURS = ("#9e9e9e", "#000000")
# mid-tone text colours: readable on a white and on a dark grey background alike
OVERDUE_COLOUR = "#e53935"
OK_COLOUR = "#43a047"


def severity_colours(level: str | None) -> tuple[str, str]:
    return SEVERITY_COLOURS.get(level or "", UNCLASSIFIED_COLOURS)


def severity_text(level: str | None, names: dict[str, str] | None = None) -> str:
    """`SEV-1 Critical`: the level is always written, never shown by colour alone."""
    if not level:
        return "Unclassified"
    name = (names or DEFAULT_LEVEL_NAMES).get(level, "")
    return f"{level} {name}".strip()


def badge_style(level: str | None) -> str:
    background, text = severity_colours(level)
    return (f"background-color: {background}; color: {text}; border-radius: 4px; padding: 2px 8px;"
            " font-weight: bold;")
