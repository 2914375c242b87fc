"""Explanations in words: one sentence per evaluated leaf, and the report's "Criteria" lines.

`criteria_lines(severity)` gives what the seed report prints under SEVERITY CLASSIFICATION, e.g.
"Customer Impact: 100% of customers affected" or
"Duration: 2 hours 15 minutes (> 5 minute target for SEV-1)".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..domain.incident import CriterionResult, Severity
from ..domain.timeutil import format_duration, format_short_duration
from .conditions import Group, Leaf, Node, Result, Row, compile_leaf
from .fields import FIELDS, FieldSpec, number_text, value_text

OP_SYMBOLS = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _expected_text(spec: FieldSpec, leaf: Leaf) -> str:
    raw = leaf.raw
    if leaf.op == "exists":
        return ""
    if leaf.op == "between":
        low, high = raw
        return f"{_one(spec, low)} and {_one(spec, high)}"
    if isinstance(raw, list):
        return ", ".join(_one(spec, item) for item in raw)
    return _one(spec, raw)


def _one(spec: FieldSpec, raw: Any) -> str:
    if spec.type == "duration":
        return str(raw)
    if spec.type == "percent":
        return f"{number_text(raw)}%"
    if spec.type == "money":
        return value_text(spec, raw)
    if spec.type in ("text", "list", "status"):
        return f"'{raw}'"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return number_text(raw)


def requirement(leaf: Leaf) -> str:
    """`customer_impact_pct >= 50%`, `tags contains any of 'a', 'b'`."""
    spec = FIELDS[leaf.field]
    expected = _expected_text(spec, leaf)
    if leaf.op in OP_SYMBOLS:
        return f"{leaf.field} {OP_SYMBOLS[leaf.op]} {expected}"
    if leaf.op == "exists":
        return f"{leaf.field} {'recorded' if leaf.value else 'not recorded'}"
    words = {"between": "between", "in": "is one of", "not_in": "is none of", "contains": "contains",
             "contains_any": "contains any of", "contains_all": "contains all of", "matches": "matches"}
    return f"{leaf.field} {words[leaf.op]} {expected}"


def _adjective(seconds: float) -> str:
    """`5 minute`, `2 hour 30 minute`: a duration used as an adjective ("a 5 minute target")."""
    return re.sub(r"(second|minute|hour|day)s\b", r"\1", format_duration(timedelta(seconds=seconds)))


def criterion_text(leaf: Leaf, actual: Any, result: Result, level: str | None,
                   lookup: Callable[[str], Any], negated: bool = False) -> str:
    """One human sentence for an evaluated leaf."""
    spec = FIELDS[leaf.field]
    label = spec.label
    if result is None:
        return f"{label}: {leaf.field} not recorded (rule needs {requirement(leaf)})"
    shown = value_text(spec, actual)
    if negated:
        return f"{label}: {shown} (rule needs NOT {requirement(leaf)}; {'met' if not result else 'not met'})"
    if not result:
        return f"{label}: {shown} (rule needs {requirement(leaf)})"
    if spec.type == "duration" and leaf.op in ("gt", "gte") and level:
        return f"{label}: {shown} ({OP_SYMBOLS[leaf.op]} {_adjective(leaf.value)} target for {level})"
    if spec.phrase is not None:
        return f"{label}: {spec.phrase(actual, lookup)}"
    if leaf.op == "exists":
        return f"{label}: {shown} (recorded)"
    return f"{label}: {shown} ({requirement(leaf).split(' ', 1)[1]})"


def _json_value(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.type == "duration":
        return format_short_duration(timedelta(seconds=value))
    return value


def explain_node(node: Node, row: Row, level: str | None, lookup: Callable[[str], Any],
                 out: list[CriterionResult], negated: bool = False) -> Result:
    """Evaluate `node` in full (no short-circuit), appending one CriterionResult per leaf to `out`."""
    if isinstance(node, Leaf):
        result = compile_leaf(node)(row)
        spec = FIELDS[node.field]
        actual = row.get(node.field)
        out.append(CriterionResult.model_construct(
            field=node.field, op=node.op, expected=node.raw, actual=_json_value(spec, actual),
            matched=bool(result) if not negated else result is False, missing=result is None,
            text=criterion_text(node, actual, result, level, lookup, negated)))
        return result
    if node.kind == "not":
        inner = explain_node(node.children[0], row, level, lookup, out, not negated)
        return None if inner is None else not inner
    results = [explain_node(child, row, level, lookup, out, negated) for child in node.children]
    if node.kind == "all":
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def criteria_lines(severity: Severity) -> list[str]:
    """The report's "Criteria" bullet lines: each matched leaf of each deciding rule, once."""
    lines: list[str] = []
    for match in severity.explanation:
        for criterion in match.criteria:
            if criterion.matched and criterion.text not in lines:
                lines.append(criterion.text)
    return lines


def describe_node(node: Node) -> str:
    """A condition written in words, for docs and warnings."""
    if isinstance(node, Leaf):
        return requirement(node)
    if node.kind == "not":
        return f"not ({describe_node(node.children[0])})"
    joiner = " and " if node.kind == "all" else " or "
    parts = [describe_node(child) for child in node.children]
    return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"


__all__ = ["criteria_lines", "criterion_text", "describe_node", "explain_node", "requirement", "Group"]
