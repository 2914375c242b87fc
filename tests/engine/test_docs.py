"""docs/rules.md documents every field of the registry and every operator."""

from __future__ import annotations

from pathlib import Path

from incident_desk.engine import ALL_OPS, FIELDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_guide_lists_every_field_and_operator():
    text = DOC.read_text(encoding="utf-8")
    assert [name for name in FIELDS if f"| `{name}` |" not in text] == []
    assert [op for op in ALL_OPS if f"| `{op}` |" not in text] == []
