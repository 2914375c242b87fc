"""Did-you-mean suggestions for misspelt names (fields, operators, severities, notifiers, keys)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` - did you mean 'x'?` when a close choice exists, else the empty string."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" - did you mean '{close[0]}'?" if close else ""


def unknown(kind: str, word: object, choices: Iterable[str]) -> str:
    """`unknown field 'sla_stat' - did you mean 'sla_state'?` (or the list of choices when short)."""
    choices = sorted(set(choices))
    hint = did_you_mean(str(word), choices)
    if not hint and len(choices) <= 12:
        hint = f" (expected one of: {', '.join(choices)})"
    return f"unknown {kind} '{word}'{hint}"
