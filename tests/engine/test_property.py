"""Random condition trees and facts: compiled matchers never crash and agree with a plain reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from incident_desk.engine.conditions import ParseContext, compile_node, parse_condition
from incident_desk.engine.explain import compile_explainer
from incident_desk.engine.yamlsafe import Document

WORDS = ["a", "B", "db", "Net", "x"]
NUMERIC = {"customer_impact_pct": st.integers(0, 100), "revenue_per_hour": st.integers(0, 1000)}
NUMBER_OPS = ["eq", "ne", "lt", "lte", "gt", "gte", "between", "in", "not_in", "exists"]


def leaf_strategy():
    numeric = st.sampled_from(sorted(NUMERIC)).flatmap(lambda field: st.tuples(
        st.just(field), st.sampled_from(NUMBER_OPS), st.lists(NUMERIC[field], min_size=1, max_size=3),
        st.booleans()))
    text = st.tuples(st.just("type"), st.sampled_from(["eq", "ne", "in", "not_in", "contains", "exists"]),
                     st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), st.booleans())
    tags = st.tuples(st.just("tags"), st.sampled_from(["contains", "contains_any", "contains_all", "exists"]),
                     st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), st.booleans())
    flag = st.tuples(st.just("security_breach"), st.sampled_from(["eq", "ne", "exists"]),
                     st.lists(st.booleans(), min_size=1, max_size=1), st.booleans())
    return st.one_of(numeric, text, tags, flag).map(_leaf)


def _leaf(parts):
    field, op, values, flag = parts
    if op == "exists":
        return {"field": field, "op": op, "value": flag}
    if op == "between":
        low, high = min(values), max(values)
        return {"field": field, "op": op, "value": [low, high]}
    if op in ("in", "not_in", "contains_any", "contains_all"):
        return {"field": field, "op": op, "value": values}
    return {"field": field, "op": op, "value": values[0]}


conditions = st.recursive(
    leaf_strategy(),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c})),
    max_leaves=8)

rows = st.fixed_dictionaries({
    "customer_impact_pct": st.one_of(st.none(), st.integers(0, 100).map(float)),
    "revenue_per_hour": st.one_of(st.none(), st.integers(0, 1000).map(float)),
    "type": st.one_of(st.none(), st.sampled_from(WORDS + ["database"])),
    "tags": st.lists(st.sampled_from(WORDS), max_size=4),
    "security_breach": st.one_of(st.none(), st.booleans()),
})


def reference(condition, row):
    """Three-valued (Kleene) evaluation written plainly: None means unknown."""
    if "all" in condition:
        results = [reference(c, row) for c in condition["all"]]
        return False if False in results else None if None in results else True
    if "any" in condition:
        results = [reference(c, row) for c in condition["any"]]
        return True if True in results else None if None in results else False
    if "not" in condition:
        inner = reference(condition["not"], row)
        return None if inner is None else not inner
    field, op, value = condition["field"], condition["op"], condition["value"]
    actual = row[field]
    if op == "exists":
        present = bool(actual) if field == "tags" else actual is not None
        return present if value else not present
    if actual is None:
        return None
    if field == "tags":
        have = [t.lower() for t in actual]
        want = [v.lower() for v in (value if isinstance(value, list) else [value])]
        if op == "contains":
            return want[0] in have
        if op == "contains_any":
            return any(w in have for w in want)
        return all(w in have for w in want)
    if field == "type":
        actual = actual.lower()
        value = [v.lower() for v in value] if isinstance(value, list) else value.lower()
        if op == "contains":
            return value in actual
    return {
        "eq": lambda: actual == value, "ne": lambda: actual != value, "lt": lambda: actual < value,
        "lte": lambda: actual <= value, "gt": lambda: actual > value, "gte": lambda: actual >= value,
        "between": lambda: value[0] <= actual <= value[1], "in": lambda: actual in value,
        "not_in": lambda: actual not in value,
    }[op]()


@settings(max_examples=400, deadline=None)
@given(condition=conditions, row=rows)
def test_compiled_conditions_agree_with_the_reference(condition, row):
    doc = Document("property.yaml")
    node = parse_condition(condition, ("when",), doc, ParseContext())
    assert doc.problems == [], [str(p) for p in doc.problems]
    expected = reference(condition, row)
    assert compile_node(node)(row) is expected
    out: list = []
    assert compile_explainer(node)(row, "SEV-1", row.get, out) is expected
    assert len(out) == sum(1 for _ in _leaves(condition))
    assert all(c.missing == (row[c.field] is None and c.op != "exists") for c in out if c.field != "tags")


def _leaves(condition):
    for key in ("all", "any"):
        if key in condition:
            for child in condition[key]:
                yield from _leaves(child)
            return
    if "not" in condition:
        yield from _leaves(condition["not"])
        return
    yield condition


@settings(max_examples=300, deadline=None)
@given(raw=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5),
                                  st.sampled_from(["all", "any", "not", "field", "op", "value", "type", "gte"])),
                        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                st.dictionaries(st.sampled_from(["all", "any", "not", "field", "op",
                                                                                 "value", "x"]), inner, max_size=3)),
                        max_leaves=10))
def test_arbitrary_data_never_crashes_the_parser(raw):
    doc = Document("junk.yaml")
    node = parse_condition(raw, ("when",), doc, ParseContext())
    assert (node is None) == bool(doc.problems)
    assert all(str(p).startswith("junk.yaml:") for p in doc.problems)
