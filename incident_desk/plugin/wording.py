"""Numbers worded for people in messages about plugins: time limits as `2 s`, never `1.99996 s`."""

from __future__ import annotations


def seconds(value: float) -> str:
    """A duration in seconds for people: `0.5 s`, `2 s`, `15 s`, `2 min`."""
    if value >= 120 and value % 60 < 1:
        return f"{value / 60:.0f} min"
    if value >= 10:
        return f"{value:.0f} s"
    return f"{float(f'{value:.2g}'):g} s"
