"""Lines for the report's PROCESS IMPROVEMENTS and RECOMMENDATIONS derived from the data (improvement
rules), printed after the hand-written items, each with its evidence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def derived_lines(items: Iterable[Any], section: str) -> list[str]:
    """`text (evidence: ...)` for each derived item of `section`."""
    return [f"{item.text} (evidence: {item.evidence})" for item in items if item.section == section]
