"""Condition trees: parsing with precise errors, compiling into plain closures, explaining, comparing.

A condition is `all` / `any` / `not` over leaves `{field, op, value}`. Evaluation is three-valued: a leaf
whose field is unknown gives `None` (missing), never a match; `all`, `any` and `not` follow Kleene logic,
so a missing fact never makes a rule match, not even under `not`. Only `exists` looks at missing values.
Text comparisons ignore case; `matches` uses the regular expression as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..domain.incident import normalize_severity
from .spans import parse_duration_text as parse_duration
from .fields import FIELDS, NUMERIC_TYPES, FieldSpec
from .suggest import unknown
from .yamlsafe import Document, Path_

MAX_PATTERN = 200
MAX_DEPTH = 12

NUMBER_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "between", "in", "not_in", "exists")
TEXT_OPS = ("eq", "ne", "in", "not_in", "contains", "matches", "exists")
LIST_OPS = ("contains", "contains_any", "contains_all", "exists")
BOOLEAN_OPS = ("eq", "ne", "exists")
ENUM_OPS = ("eq", "ne", "in", "not_in", "exists")
ALL_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "between", "in", "not_in", "contains", "contains_any",
           "contains_all", "matches", "exists")
OP_DESCRIPTIONS = {
    "eq": "equals the value", "ne": "differs from the value", "lt": "is less than", "lte": "is at most",
    "gt": "is greater than", "gte": "is at least", "between": "lies within [low, high], both included",
    "in": "is one of the listed values", "not_in": "is none of the listed values",
    "contains": "text contains the substring / list contains the item",
    "contains_any": "list contains at least one of the values", "contains_all": "list contains every value",
    "matches": "text matches the regular expression (searched, as written)",
    "exists": "value: true - the fact is recorded (a list is non-empty); value: false - it is not",
}


def ops_for(spec: FieldSpec) -> tuple[str, ...]:
    if spec.type in NUMERIC_TYPES:
        return NUMBER_OPS
    return {"text": TEXT_OPS, "list": LIST_OPS, "boolean": BOOLEAN_OPS}.get(spec.type, ENUM_OPS)


Result = bool | None
Row = dict[str, Any]
Matcher = Callable[[Row], Result]


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    value: Any  # normalised: seconds for durations, casefolded text, compiled pattern for matches
    raw: Any  # as written in the file (for explanations)
    path: Path_ = ()

    def key(self) -> tuple:
        value = self.value.pattern if isinstance(self.value, re.Pattern) else self.value
        if isinstance(value, (list, set, frozenset)):
            value = tuple(sorted(value, key=str))
        return ("leaf", self.field, self.op, value)


@dataclass(frozen=True)
class Group:
    kind: str  # "all" | "any" | "not"
    children: tuple[Node, ...]
    path: Path_ = ()

    def key(self) -> tuple:
        keys = [child.key() for child in self.children]
        if self.kind != "not":
            keys = sorted(keys, key=repr)
        return (self.kind, tuple(keys))


Node = Leaf | Group


def leaves(node: Node) -> Iterable[Leaf]:
    if isinstance(node, Leaf):
        yield node
    else:
        for child in node.children:
            yield from leaves(child)


def fields_of(node: Node) -> set[str]:
    return {leaf.field for leaf in leaves(node)}


# ----------------------------------------------------------------------------- parsing


@dataclass
class ParseContext:
    """What a condition may refer to: the severity levels defined, and whether `severity` is allowed."""

    levels: tuple[str, ...] = ()
    allow_severity_field: bool = True
    purpose: str = "rule"


_LEAF_KEYS = ("field", "op", "value")
_GROUP_KEYS = ("all", "any", "not")


def parse_condition(raw: Any, path: Path_, doc: Document, ctx: ParseContext, depth: int = 0) -> Node | None:
    """Parse one condition; every problem is added to `doc` and `None` is returned when it is unusable."""
    if depth > MAX_DEPTH:
        doc.problem(path, f"conditions nest deeper than {MAX_DEPTH} levels")
        return None
    if not isinstance(raw, dict):
        doc.problem(path, "a condition is a mapping: {field, op, value} or all / any / not")
        return None
    keys = set(raw)
    groups = keys & set(_GROUP_KEYS)
    strangers = sorted(keys - set(_LEAF_KEYS) - set(_GROUP_KEYS))
    for key in strangers:
        doc.problem(path + (key,), unknown("condition key", key, _LEAF_KEYS + _GROUP_KEYS))
    if strangers:
        return None
    if groups:
        if len(groups) > 1 or keys & set(_LEAF_KEYS):
            doc.problem(path, "a condition has exactly one of all / any / not, or field + op + value - "
                              f"found {', '.join(sorted(keys & set(_LEAF_KEYS + _GROUP_KEYS)))}")
            return None
        kind = groups.pop()
        body = raw[kind]
        if kind == "not":
            child = parse_condition(body, path + ("not",), doc, ctx, depth + 1)
            return None if child is None else Group("not", (child,), path)
        if not isinstance(body, list):
            doc.problem(path + (kind,), f"'{kind}' takes a list of conditions")
            return None
        if not body:
            doc.problem(path + (kind,), f"'{kind}' is empty; give at least one condition")
            return None
        children = [parse_condition(item, path + (kind, i), doc, ctx, depth + 1) for i, item in enumerate(body)]
        if any(child is None for child in children):
            return None
        return Group(kind, tuple(children), path)  # type: ignore[arg-type]
    return _parse_leaf(raw, path, doc, ctx)


def _parse_leaf(raw: dict, path: Path_, doc: Document, ctx: ParseContext) -> Leaf | None:
    ok = True
    for key in ("field", "op"):
        if key not in raw:
            doc.problem(path, f"condition is missing '{key}'")
            ok = False
    if not ok:
        return None
    name, op = raw["field"], raw["op"]
    if not isinstance(name, str) or name not in FIELDS:
        doc.problem(path + ("field",), unknown("field", name, FIELDS))
        return None
    spec = FIELDS[name]
    if not spec.severity_rules and not ctx.allow_severity_field:
        doc.problem(path + ("field",), f"field '{name}' cannot be used in severity rules "
                                       "(a level cannot depend on itself)")
        return None
    if not isinstance(op, str) or op not in ALL_OPS:
        doc.problem(path + ("op",), unknown("operator", op, ALL_OPS))
        return None
    allowed_ops = ops_for(spec)
    if op not in allowed_ops:
        doc.problem(path + ("op",), f"operator '{op}' does not apply to {spec.type_label} field '{name}' "
                                    f"(use one of: {', '.join(allowed_ops)})")
        return None
    if "value" not in raw and op != "exists":
        doc.problem(path, f"condition is missing 'value' (operator '{op}' compares against it)")
        return None
    raw_value = raw.get("value", True)
    try:
        value = _normalise(spec, op, raw_value, ctx)
    except ValueError as error:
        doc.problem(path + ("value",), str(error))
        return None
    return Leaf(name, op, value, raw_value, path)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _scalar(spec: FieldSpec, value: Any, ctx: ParseContext) -> Any:
    """One value of the field's type, normalised, or ValueError naming what was expected."""
    kind = spec.type
    if kind == "duration":
        if _is_number(value) or isinstance(value, str):
            return parse_duration(value).total_seconds()
        raise ValueError(f"'{value}' is not a duration such as 5m, 2h or 3d")
    if kind in NUMERIC_TYPES:
        if not _is_number(value):
            raise ValueError(f"field '{spec.name}' is {_article(kind)} {kind}; {value!r} is not a number")
        if kind == "percent" and not 0 <= value <= 100:
            raise ValueError(f"field '{spec.name}' is a percent; {value} is not between 0 and 100")
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"field '{spec.name}' is a boolean; {value!r} is not true or false")
        return value
    if kind == "severity":
        try:
            level = normalize_severity(str(value))
        except ValueError:
            level = None
        if level is None or (ctx.levels and level not in ctx.levels):
            raise ValueError(unknown("severity", value, ctx.levels or ()))
        return level
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"field '{spec.name}' holds text; {value!r} is not a non-empty text")
    if spec.allowed is not None and value not in spec.allowed:
        raise ValueError(unknown(f"{spec.name} value", value, spec.allowed))
    return value.casefold() if kind in ("text", "list") else value


def _normalise(spec: FieldSpec, op: str, value: Any, ctx: ParseContext) -> Any:
    if op == "exists":
        if not isinstance(value, bool):
            raise ValueError(f"'exists' takes true or false, not {value!r}")
        return value
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError("'between' takes a list of two values [low, high]")
        low, high = (_scalar(spec, item, ctx) for item in value)
        if low > high:
            raise ValueError(f"'between' range is reversed: {value[0]} is above {value[1]}")
        return (low, high)
    if op in ("in", "not_in", "contains_any", "contains_all"):
        if not isinstance(value, list) or not value:
            raise ValueError(f"'{op}' takes a non-empty list of values")
        item_spec = spec if spec.type != "list" else spec
        return frozenset(_scalar(item_spec, item, ctx) for item in value)
    if op == "matches":
        if not isinstance(value, str):
            raise ValueError("'matches' takes a regular expression as text")
        if len(value) > MAX_PATTERN:
            raise ValueError(f"pattern is {len(value)} characters; at most {MAX_PATTERN} are allowed")
        try:
            return re.compile(value)
        except re.error as error:
            raise ValueError(f"bad regular expression: {error}") from None
    if op == "contains" and spec.type == "text":
        if not isinstance(value, str) or not value:
            raise ValueError("'contains' on a text field takes a non-empty text")
        return value.casefold()
    return _scalar(spec, value, ctx)


# ----------------------------------------------------------------------------- compiling


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def compile_leaf(leaf: Leaf) -> Matcher:
    """A closure `row -> True / False / None` for one leaf."""
    name, op, e = leaf.field, leaf.op, leaf.value
    kind = FIELDS[name].type
    if op == "exists":
        if kind == "list":
            return (lambda row: bool(row[name])) if e else (lambda row: not row[name])
        return (lambda row: row[name] is not None) if e else (lambda row: row[name] is None)
    text = kind == "text"
    if op in ("eq", "ne", "in", "not_in") and text:
        if op == "eq":
            return lambda row: None if (v := row[name]) is None else v.casefold() == e
        if op == "ne":
            return lambda row: None if (v := row[name]) is None else v.casefold() != e
        if op == "in":
            return lambda row: None if (v := row[name]) is None else v.casefold() in e
        return lambda row: None if (v := row[name]) is None else v.casefold() not in e
    if op == "eq":
        return lambda row: None if (v := row[name]) is None else v == e
    if op == "ne":
        return lambda row: None if (v := row[name]) is None else v != e
    if op == "lt":
        return lambda row: None if (v := row[name]) is None else v < e
    if op == "lte":
        return lambda row: None if (v := row[name]) is None else v <= e
    if op == "gt":
        return lambda row: None if (v := row[name]) is None else v > e
    if op == "gte":
        return lambda row: None if (v := row[name]) is None else v >= e
    if op == "between":
        low, high = e
        return lambda row: None if (v := row[name]) is None else low <= v <= high
    if op == "in":
        return lambda row: None if (v := row[name]) is None else v in e
    if op == "not_in":
        return lambda row: None if (v := row[name]) is None else v not in e
    if op == "matches":
        search = e.search
        return lambda row: None if (v := row[name]) is None else search(v) is not None
    if op == "contains":
        if text:
            return lambda row: None if (v := row[name]) is None else e in v.casefold()
        return lambda row: None if (v := row[name]) is None else any(x.casefold() == e for x in v)
    if op == "contains_any":
        return lambda row: None if (v := row[name]) is None else any(x.casefold() in e for x in v)
    if op == "contains_all":
        return lambda row: None if (v := row[name]) is None else e <= {x.casefold() for x in v}
    raise AssertionError(f"unhandled operator {op}")


def compile_node(node: Node) -> Matcher:
    """Compile a condition tree once into nested closures (Kleene three-valued logic)."""
    if isinstance(node, Leaf):
        return compile_leaf(node)
    children = tuple(compile_node(child) for child in node.children)
    if node.kind == "not":
        (child,) = children
        return lambda row: None if (r := child(row)) is None else not r
    if len(children) == 1:
        return children[0]
    if node.kind == "all":
        def all_of(row: Row) -> Result:
            unknown_seen = False
            for child in children:
                result = child(row)
                if result is False:
                    return False
                if result is None:
                    unknown_seen = True
            return None if unknown_seen else True
        return all_of

    def any_of(row: Row) -> Result:
        unknown_seen = False
        for child in children:
            result = child(row)
            if result is True:
                return True
            if result is None:
                unknown_seen = True
        return None if unknown_seen else False
    return any_of


# ----------------------------------------------------------------------------- implication (for warnings)


def implies(a: Node, b: Node) -> bool:
    """True when every row matching `a` surely matches `b` (sound, not complete)."""
    if a.key() == b.key():
        return True
    if isinstance(b, Group) and b.kind == "all":
        return all(implies(a, child) for child in b.children)
    if isinstance(b, Group) and b.kind == "any":
        if any(implies(a, child) for child in b.children):
            return True
    if isinstance(a, Group) and a.kind == "any":
        return all(implies(child, b) for child in a.children)
    if isinstance(a, Group) and a.kind == "all":
        return any(implies(child, b) for child in a.children)
    if isinstance(a, Leaf) and isinstance(b, Leaf):
        return _leaf_implies(a, b)
    return False


def _interval(leaf: Leaf) -> tuple[float, bool, float, bool] | None:
    inf = float("inf")
    e = leaf.value
    return {
        "gt": (e, False, inf, True), "gte": (e, True, inf, True),
        "lt": (-inf, True, e, False), "lte": (-inf, True, e, True),
        "eq": (e, True, e, True),
        "between": (e[0], True, e[1], True) if isinstance(e, tuple) else None,
    }.get(leaf.op) if FIELDS[leaf.field].type in NUMERIC_TYPES else None


def _leaf_implies(a: Leaf, b: Leaf) -> bool:
    if a.field != b.field:
        return False
    ia, ib = _interval(a), _interval(b)
    if ia and ib:
        (alo, alo_in, ahi, ahi_in), (blo, blo_in, bhi, bhi_in) = ia, ib
        low_ok = alo > blo or (alo == blo and (blo_in or not alo_in))
        high_ok = ahi < bhi or (ahi == bhi and (bhi_in or not ahi_in))
        return low_ok and high_ok
    if a.op == "in" and b.op == "in":
        return a.value <= b.value
    if a.op == "eq" and b.op == "in":
        return a.value in b.value
    if a.op in ("contains", "contains_all") and b.op in ("contains", "contains_any", "contains_all"):
        a_items = {a.value} if a.op == "contains" else set(a.value)
        b_items = {b.value} if b.op == "contains" else set(b.value)
        return bool(a_items & b_items) if b.op == "contains_any" else b_items <= a_items
    return False


def describe_node_fields(node: Node) -> set[str]:
    """The fields a condition reads (alias of `fields_of`, used when building rows)."""
    return fields_of(node)
