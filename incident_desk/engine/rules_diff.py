"""What changed between two versions of the rule files: rules, tests, levels and other entries added,
removed or changed, file by file. Pure functions over the plain data of the YAML files.

Lists of mappings with an identity (`id`, else `name`) are compared item by item; any other top-level
value is compared whole. A removal is what a truncated file shows (the tail of `severity.yaml` cut off
takes its later rules and its tests with it), so `RulesDiff.removals` is what the desk treats as
needing a person's confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IDENTITY_KEYS = ("id", "name")


@dataclass(frozen=True)
class Change:
    file: str
    section: str
    item: str
    kind: str  # "added", "removed", "changed", or "missing" (the old version cannot be compared)

    def __str__(self) -> str:
        where = f"{self.file} {self.section}" + (f" '{self.item}'" if self.item else "")
        return f"{self.kind} {where}"


@dataclass
class RulesDiff:
    changes: list[Change] = field(default_factory=list)

    @property
    def removals(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "removed"]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def summary(self, limit: int = 8) -> str:
        """`removed severity.yaml rules 'sev2-...' (+3 more); added ...` grouped by kind."""
        parts = []
        for kind in ("removed", "added", "changed", "missing"):
            found = [c for c in self.changes if c.kind == kind]
            if not found:
                continue
            names = [f"{c.file} {c.section}" + (f" '{c.item}'" if c.item else "") for c in found[:limit]]
            more = f" (+{len(found) - limit} more)" if len(found) > limit else ""
            parts.append(f"{kind} {', '.join(names)}{more}")
        return "; ".join(parts) or "no changes"


def _identity(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in IDENTITY_KEYS:
            value = item.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return str(value)
    return None


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    keyed: dict[str, Any] = {}
    for item in items:
        identity = _identity(item)
        if identity is None or identity in keyed:
            return None
        keyed[identity] = item
    return keyed


def diff_file(name: str, old: Any, new: Any) -> list[Change]:
    if old == new:
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [Change(name, "content", "", "changed")]
    changes = []
    for section in list(old) + [k for k in new if k not in old]:
        before, after = old.get(section), new.get(section)
        if before == after:
            continue
        if section not in new:
            changes.append(Change(name, str(section), "", "removed"))
            continue
        if section not in old:
            changes.append(Change(name, str(section), "", "added"))
            continue
        old_items = _keyed(before) if isinstance(before, list) else None
        new_items = _keyed(after) if isinstance(after, list) else None
        if old_items is None or new_items is None:
            changes.append(Change(name, str(section), "", "changed"))
            continue
        for identity, item in old_items.items():
            if identity not in new_items:
                changes.append(Change(name, str(section), identity, "removed"))
            elif new_items[identity] != item:
                changes.append(Change(name, str(section), identity, "changed"))
        changes += [Change(name, str(section), identity, "added") for identity in new_items if identity not in old_items]
    return changes


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> RulesDiff:
    """Compare two versions given as {file name: parsed data}; a file present in only one is added/removed."""
    result = RulesDiff()
    for name in sorted(set(old) | set(new)):
        if name not in new:
            result.changes.append(Change(name, "file", "", "removed"))
        elif name not in old:
            result.changes.append(Change(name, "file", "", "added"))
        else:
            result.changes += diff_file(name, old[name], new[name])
    return result
