"""Explanations in words: one sentence per evaluated leaf, and the report's "Criteria" lines.

`criteria_lines(severity)` gives what the seed report prints under SEVERITY CLASSIFICATION, e.g.
"Customer Impact: 100% of customers affected" or
"Duration: 2 hours 15 minutes (> 5 minute target for SEV-1)".

`criterion_text` is the plain statement of what each sentence says; `compile_explainer` produces the same
sentences with every part that depends only on the rule (label, operator, expected value) written once
when the rules are loaded, so classifying formats only the actual value.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from ..domain.incident import CriterionResult, Severity
from ..domain.timeutil import format_duration
from .conditions import Group, Leaf, Node, Result, Row, compile_leaf
from .fields import FIELDS, FieldSpec, duration_short, number_text, value_formatter, value_text

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
    """One human sentence for an evaluated leaf (the reference that `compile_sentence` must agree with)."""
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


Sentence = Callable[[Any, Result, "str | None", Callable[[str], Any]], str]


def compile_sentence(leaf: Leaf, negated: bool = False) -> Sentence:
    """`criterion_text` for one leaf with its static parts prepared: `(actual, result, level, lookup) -> str`."""
    spec = FIELDS[leaf.field]
    shown = value_formatter(spec)
    need = requirement(leaf)
    head = f"{spec.label}: "
    missing = f"{spec.label}: {leaf.field} not recorded (rule needs {need})"
    if negated:
        holds, fails = f" (rule needs NOT {need}; not met)", f" (rule needs NOT {need}; met)"
        return lambda actual, result, level, lookup: (
            missing if result is None else head + shown(actual) + (holds if result else fails))
    unmet = f" (rule needs {need})"
    if leaf.op == "exists":
        met = " (recorded)"
    else:
        met = f" ({need.split(' ', 1)[1]})"
    phrase = spec.phrase
    timed = spec.type == "duration" and leaf.op in ("gt", "gte")
    target = f" ({OP_SYMBOLS[leaf.op]} {_adjective(leaf.value)} target for " if timed else ""

    def sentence(actual: Any, result: Result, level: str | None, lookup: Callable[[str], Any]) -> str:
        if result is None:
            return missing
        if not result:
            return head + shown(actual) + unmet
        if timed and level:
            return head + shown(actual) + target + level + ")"
        if phrase is not None:
            return head + phrase(actual, lookup)
        return head + shown(actual) + met
    return sentence


# ----------------------------------------------------------------------------- domain objects


def model_factory(cls: type[BaseModel]) -> Callable[[dict[str, Any]], Any]:
    """A constructor for one domain model taking values the engine produced itself (already valid).

    Pydantic's validation (about 1.1 us per CriterionResult here) or `model_construct` (about 2.1 us: it
    walks every field's default in Python) would cost more than evaluating the whole rule set; this sets
    the instance state the way pydantic's own constructor leaves it (about 0.4 us): the values as
    `__dict__`, a fresh fields-set, no extra and no private values. Only for models without private
    attributes, extra fields or post-init hooks (checked here); every field must be given. Tests check
    that the objects equal validated ones and round-trip through JSON.
    """
    if cls.__private_attributes__ or cls.model_config.get("extra") == "allow" \
            or cls.__pydantic_post_init__ is not None:
        raise TypeError(f"{cls.__name__} needs pydantic's own constructor")
    new = object.__new__
    set_dict = BaseModel.__dict__["__dict__"].__set__
    set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
    set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
    set_private = BaseModel.__dict__["__pydantic_private__"].__set__
    fields = frozenset(cls.model_fields)

    def make(values: dict[str, Any]) -> Any:
        obj = new(cls)
        set_dict(obj, values)
        set_fields_set(obj, set(fields))
        set_extra(obj, None)
        set_private(obj, None)
        return obj
    make.fields = fields  # type: ignore[attr-defined]
    return make


_factories: dict[type, Callable[[dict[str, Any]], Any]] = {}


def built(cls: type, values: dict[str, Any]) -> Any:
    """A domain model from values the engine produced itself; every field of the model must be given."""
    make = _factories.get(cls)
    if make is None:
        make = _factories[cls] = model_factory(cls)
    if set(values) != make.fields:  # type: ignore[attr-defined]
        raise ValueError(f"{cls.__name__} takes exactly the fields {sorted(make.fields)}")  # type: ignore[attr-defined]
    return make(values)


def frozen_dataclass_factory(cls: type) -> Callable[..., Any]:
    """A constructor for one frozen, slotted explanation dataclass taking every field positionally, in
    declaration order, from values the engine produced itself (already valid).

    The dataclass's own `__init__` (keyword-only, frozen) sets each field through `object.__setattr__`,
    about 0.6 us for a CriterionResult; this sets the same slots through their descriptors (about 0.3 us).
    The generated classifier does the same inline. Tests check the objects equal constructed ones.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if not (dataclasses.is_dataclass(cls) and params is not None and params.frozen and "__slots__" in cls.__dict__):
        raise TypeError(f"{cls.__name__} is not a frozen, slotted dataclass")
    if getattr(cls, "__post_init__", None) is not None:
        raise TypeError(f"{cls.__name__} has a __post_init__ this would skip")
    names = [field.name for field in dataclasses.fields(cls)]
    if not all(name.isidentifier() for name in names):
        raise TypeError(f"{cls.__name__} has a field that is not an identifier")
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make({', '.join(names)}):", "    obj = _new(_cls)"]
    for name in names:  # one statement per slot: no loop, no call of our own per value
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        lines.append(f"    _set_{name}(obj, {name})")
    lines.append("    return obj")
    exec(compile("\n".join(lines), f"<{cls.__name__} factory>", "exec"), namespace)  # noqa: S102 - names checked
    return namespace["make"]


def _stored_value(spec: FieldSpec) -> Callable[[Any], Any]:
    """How an actual value is stored in CriterionResult.actual: durations as `2h 15m`, lists as tuples."""
    if spec.type == "duration":
        return lambda value: None if value is None else duration_short(value)
    if spec.type == "list":
        return lambda value: None if value is None else tuple(value)
    return lambda value: value


def frozen_expected(raw: Any) -> Any:
    """A rule's expected value as CriterionResult keeps it: lists as tuples."""
    return tuple(raw) if isinstance(raw, list) else raw


Explainer = Callable[[Row, "str | None", Callable[[str], Any], list], Result]


def compile_explainer(node: Node, negated: bool = False) -> Explainer:
    """Like `compile_node`, but evaluates every leaf (no short-circuit) and appends a CriterionResult
    per leaf to `out`: the explanation of a rule."""
    if isinstance(node, Leaf):
        matcher = compile_leaf(node)
        sentence = compile_sentence(node, negated)
        stored = _stored_value(FIELDS[node.field])
        name, op, expected = node.field, node.op, frozen_expected(node.raw)

        def leaf(row: Row, level: str | None, lookup: Callable[[str], Any], out: list) -> Result:
            result = matcher(row)
            actual = row.get(name)
            out.append(CriterionResult(
                field=name, op=op, expected=expected, actual=stored(actual),
                matched=(result is True) if not negated else result is False, missing=result is None,
                text=sentence(actual, result, level, lookup)))
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


__all__ = ["built", "model_factory", "frozen_dataclass_factory", "frozen_expected", "compile_explainer", "compile_sentence", "criteria_lines", "criterion_text",
           "describe_node", "requirement", "Group"]
