"""Default names of severity levels, used until (or where) the rule files give their own."""

from __future__ import annotations

DEFAULT_LEVEL_NAMES: dict[str, str] = {
    "SEV-1": "Critical",
    "SEV-2": "High",
    "SEV-3": "Medium",
    "SEV-4": "Low",
    "SEV-5": "Informational",
}


def level_rank(level: str | None) -> int:
    """Smaller is more severe; unknown levels sort last."""
    if level and level.startswith("SEV-") and level[4:].isdigit():
        return int(level[4:])
    return 99


def level_label(level: str | None, names: dict[str, str] | None = None) -> str:
    """`SEV-1 (Critical)`, or `unclassified` when there is no level."""
    if not level:
        return "unclassified"
    name = (names or DEFAULT_LEVEL_NAMES).get(level)
    return f"{level} ({name})" if name else level
