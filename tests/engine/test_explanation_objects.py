"""The fast classification path returns the same, independent, valid domain objects as the plain one.

Classifying builds its explanation objects without re-validation and writes sentences from parts
prepared at load time; these tests hold that to the plain definitions: validated models, `criterion_text`,
`format_duration`, and no object shared between two results.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from incident_desk.domain import Facts, Severity, SeverityOverride
from incident_desk.domain.timeutil import format_duration, format_short_duration
from incident_desk.engine import FIELDS, criteria_lines
from incident_desk.engine.conditions import ParseContext, leaves, parse_condition
from incident_desk.engine.explain import compile_sentence, criterion_text
from incident_desk.engine.fields import duration_short, duration_texts, duration_words, money_text, number_text
from incident_desk.engine.yamlsafe import Document

from .conftest import at, seed_incident

BREACH = dict(facts=Facts(security_breach=True, data_categories=["personal", "payment"], customer_impact_pct=5))


def test_two_results_share_nothing_mutable(default_rules):
    incident = seed_incident(**BREACH)
    incident.severity.override = SeverityOverride(level="SEV-2", reason="contained", author="ic", at=at(3))
    first, second = default_rules.classify(incident), default_rules.classify(incident)
    assert first == second and first is not second
    criterion = first.explanation[0].criteria[1]
    assert criterion.field == "data_categories" and criterion.expected == ["personal", "payment", "health"]

    criterion.expected.append("tampered")
    criterion.actual.append("tampered")
    first.explanation[0].criteria.clear()
    first.explanation.append(first.explanation[0])
    first.missing_facts.append("tampered")
    first.override.reason = "tampered"

    third = default_rules.classify(incident)
    assert second == third
    assert second.explanation[0].criteria[1].expected == ["personal", "payment", "health"]
    assert second.explanation[0].criteria[1].actual == ["personal", "payment"]
    assert incident.facts.data_categories == ["personal", "payment"]
    assert incident.severity.override.reason == "contained"
    assert default_rules.classify(incident).override.reason == "contained"


def test_results_are_valid_models_equal_to_validated_ones(default_rules):
    severity = default_rules.classify(seed_incident(), now=at(5))
    validated = Severity.model_validate(severity.model_dump())
    assert validated == severity
    assert Severity.model_validate_json(severity.model_dump_json()) == severity
    assert severity.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    for model in [severity, *severity.explanation, *(c for m in severity.explanation for c in m.criteria)]:
        assert model.model_fields_set == set(type(model).model_fields)
        assert model.__pydantic_extra__ is None and model.__pydantic_private__ is None
    copy = severity.model_copy(deep=True)
    assert copy == severity and copy.explanation[0] is not severity.explanation[0]
    with pytest.raises(ValidationError):
        severity.explanation[0].level = "catastrophic"  # assignments are still validated
    with pytest.raises(ValidationError):
        severity.explanation[0].criteria[0].matched = "perhaps"
    assert criteria_lines(severity)[0] == "Customer Impact: 100% of customers affected"


# ----------------------------------------------------------------------------- sentences vs the reference

CASES = {
    "customer_impact_pct": (["gte", "lt", "eq", "ne", "between", "in", "exists"], st.floats(0, 100)),
    "revenue_per_hour": (["gte", "lte", "not_in", "exists"], st.floats(0, 1e6)),
    "revenue_loss": (["gt", "between"], st.floats(0, 1e6)),
    "failed_transactions": (["gte", "in", "ne"], st.integers(0, 10**7)),
    "sla_breached": (["eq", "ne", "exists"], st.booleans()),
    "sla_shortfall_pct": (["gt"], st.floats(0, 100)),
    "duration": (["gt", "gte", "lt", "between", "exists"], st.floats(0, 1e7)),
    "time_to_detect": (["gte", "lte"], st.integers(0, 10**6).map(float)),
    "type": (["eq", "in", "not_in", "contains", "matches", "exists"], st.sampled_from(["security", "availability"])),
    "data_categories": (["contains", "contains_any", "contains_all", "exists"],
                        st.lists(st.sampled_from(["personal", "payment", "health"]), max_size=3)),
    "status": (["eq", "in"], st.sampled_from(["declared", "resolved"])),
    "security_breach": (["eq"], st.booleans()),
}
EXPECTED = {"customer_impact_pct": 50, "revenue_per_hour": 10000, "revenue_loss": 2500.5, "failed_transactions": 1000,
            "sla_breached": True, "sla_shortfall_pct": 0.25, "duration": "2h15m", "time_to_detect": "90s",
            "type": "security", "data_categories": "personal", "status": "resolved", "security_breach": True}


def _condition(field: str, op: str) -> dict:
    one = EXPECTED[field]
    if op == "exists":
        return {"field": field, "op": op, "value": True}
    if op == "between":
        return {"field": field, "op": op, "value": [0, one] if not isinstance(one, str) else ["1m", one]}
    if op in ("in", "not_in", "contains_any", "contains_all"):
        return {"field": field, "op": op, "value": [one, "health"] if field == "data_categories" else [one]}
    if op == "matches":
        return {"field": field, "op": op, "value": "^sec"}
    return {"field": field, "op": op, "value": one}


@st.composite
def evaluated_leaves(draw):
    field = draw(st.sampled_from(sorted(CASES)))
    ops, values = CASES[field]
    op = draw(st.sampled_from(ops))
    actual = draw(st.one_of(st.none(), values)) if field != "data_categories" else draw(values)
    result = draw(st.sampled_from([True, False, None]))
    return field, op, actual, result


@settings(max_examples=500, deadline=None)
@given(case=evaluated_leaves(), level=st.sampled_from(["SEV-1", "SEV-3", None]), negated=st.booleans(),
       target=st.one_of(st.none(), st.floats(90, 100)), measured=st.one_of(st.none(), st.floats(90, 100)))
def test_compiled_sentences_say_what_criterion_text_says(case, level, negated, target, measured):
    field, op, actual, result = case
    doc = Document("sentence.yaml")
    node = parse_condition(_condition(field, op), ("when",), doc, ParseContext())
    assert doc.problems == [], [str(p) for p in doc.problems]
    (leaf,) = leaves(node)
    others = {"sla_target_pct": target, "sla_actual_pct": measured}
    expected = criterion_text(leaf, actual, result, level, others.get, negated)
    assert compile_sentence(leaf, negated)(actual, result, level, others.get) == expected


@settings(max_examples=500, deadline=None)
@given(seconds=st.one_of(st.floats(-1e9, 1e12, allow_nan=False),
                         st.integers(-10**6, 10**6).map(lambda n: n / 2 + st_offset(n))))
def test_duration_text_matches_the_domain_formatting(seconds):
    assert duration_words(seconds) == format_duration(timedelta(seconds=seconds))
    assert duration_short(seconds) == format_short_duration(timedelta(seconds=seconds))
    assert duration_texts(seconds) == (duration_words(seconds), duration_short(seconds))


def st_offset(n: int) -> float:
    """Values a hair around half seconds, where rounding to whole seconds is decided."""
    return (-1e-6, -5e-7, -4e-7, 0.0, 4e-7, 5e-7, 1e-6)[n % 7]


def _plain_number_text(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _plain_money_text(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"
    return str(value)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.integers(-10**12, 10**12), st.floats(-1e12, 1e12, allow_nan=False), st.booleans(),
                       st.text(max_size=3), st.none()))
def test_number_and_money_text_are_the_plain_formats(value):
    assert number_text(value) == _plain_number_text(value)
    assert money_text(value) == _plain_money_text(value)


def test_every_phrase_field_is_covered_by_the_sentence_cases():
    phrased = {name for name, spec in FIELDS.items() if spec.phrase is not None}
    assert {"customer_impact_pct", "revenue_per_hour", "revenue_loss", "failed_transactions", "sla_breached"} <= phrased
