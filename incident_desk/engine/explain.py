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

TEXT_MEMO = 512  # sentences remembered per leaf: re-classifying as facts are typed reuses them

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


def built(cls: type, values: dict[str, Any]) -> Any:
    """A domain model from values this module produced itself (already valid): skips re-validation,
    which would cost more than the whole evaluation. Every field of the model must be given."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


Explainer = Callable[[Row, "str | None", Callable[[str], Any], list], Result]


def compile_explainer(node: Node, negated: bool = False) -> Explainer:
    """Like `compile_node`, but evaluates every leaf (no short-circuit) and appends a CriterionResult
    per leaf to `out`: the explanation of a rule."""
    if isinstance(node, Leaf):
        matcher = compile_leaf(node)
        spec = FIELDS[node.field]
        name, op, raw = node.field, node.op, node.raw

        texts: dict[tuple, str] = {}
        inputs = spec.phrase_inputs

        def leaf(row: Row, level: str | None, lookup: Callable[[str], Any], out: list) -> Result:
            result = matcher(row)
            actual = row.get(name)
            key = (tuple(actual) if isinstance(actual, list) else actual, result, level,
                   *(lookup(other) for other in inputs))
            text = texts.get(key)
            if text is None:
                text = criterion_text(node, actual, result, level, lookup, negated)
                if len(texts) >= TEXT_MEMO:
                    texts.clear()
                texts[key] = text
            out.append(built(CriterionResult, {
                "field": name, "op": op, "expected": raw, "actual": _json_value(spec, actual),
                "matched": (result is True) if not negated else result is False, "missing": result is None,
                "text": text}))
            return result
        return leaf
    if node.kind == "not":
        inner = compile_explainer(node.children[0], not negated)
        return lambda row, level, lookup, out: None if (r := inner(row, level, lookup, out)) is None else not r
    children = tuple(compile_explainer(child, negated) for child in node.children)
    if node.kind == "all":
        def all_of(row: Row, level: str | None, lookup: Callable[[str], Any], out: list) -> Result:
            results = [child(row, level, lookup, out) for child in children]
            if False in results:
                return False
            return None if None in results else True
        return all_of

    def any_of(row: Row, level: str | None, lookup: Callable[[str], Any], out: list) -> Result:
        results = [child(row, level, lookup, out) for child in children]
        if True in results:
            return True
        return None if None in results else False
    return any_of


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


__all__ = ["built", "compile_explainer", "criteria_lines", "criterion_text", "describe_node", "requirement", "Group"]
