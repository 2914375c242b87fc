"""The fast classification path returns the same, independent, valid domain objects as the plain one.

Classifying builds its explanation objects (frozen dataclasses) without re-validation and writes sentences
from parts prepared at load time; these tests hold that to the plain definitions: validated models,
constructed dataclasses, `criterion_text`, `format_duration`, and no result that can be changed through
another.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from incident_desk.domain import CriterionResult, Facts, RuleMatch, Severity, SeverityOverride
from incident_desk.domain.timeutil import format_duration, format_short_duration
from incident_desk.engine import FIELDS, criteria_lines
from incident_desk.engine.conditions import ParseContext, leaves, parse_condition
from incident_desk.engine.explain import compile_sentence, criterion_text, frozen_dataclass_factory
from incident_desk.engine.fields import duration_short, duration_texts, duration_words, money_text, number_text
from incident_desk.engine.yamlsafe import Document

from .conftest import at, seed_incident

BREACH = dict(facts=Facts(security_breach=True, data_categories=["personal", "payment"], customer_impact_pct=5,
                          sla_actual_pct=99.99))


def test_two_results_share_nothing_mutable(default_rules):
    incident = seed_incident(**BREACH)
    incident.severity.override = SeverityOverride(level="SEV-2", reason="contained", author="ic", at=at(3))
    first, second = default_rules.classify(incident), default_rules.classify(incident)
    assert first == second and first is not second
    criterion = first.explanation[0].criteria[1]
    assert criterion.field == "data_categories" and criterion.expected == ("personal", "payment", "health")
    assert criterion.actual == ("personal", "payment")

    # The explanation cannot be changed in place: frozen objects, tuples all the way down.
    with pytest.raises(dataclasses.FrozenInstanceError):
        criterion.text = "tampered"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.explanation[0].criteria = ()
    with pytest.raises(AttributeError):
        criterion.expected.append("tampered")
    with pytest.raises(AttributeError):
        criterion.actual.append("tampered")
    with pytest.raises(AttributeError):
        first.explanation.append(first.explanation[0])
    with pytest.raises(AttributeError):
        first.explanation[0].criteria.clear()
    assert hash(first.explanation) == hash(second.explanation)  # immutable all the way: hashable

    # What is mutable in a Severity (its list of missing facts, the override model) is its own.
    first.missing_facts.append("tampered")
    first.override.reason = "tampered"
    first.explanation = ()
    third = default_rules.classify(incident)
    assert second == third
    incident.facts.data_categories.append("health")  # the incident changes: earlier results do not
    assert second.explanation[0].criteria[1].actual == ("personal", "payment")
    assert default_rules.classify(incident).explanation[0].criteria[1].actual == ("personal", "payment", "health")
    assert incident.severity.override.reason == "contained"
    assert default_rules.classify(incident).override.reason == "contained"


def test_results_are_valid_models_equal_to_validated_ones(default_rules):
    severity = default_rules.classify(seed_incident(), now=at(5))
    validated = Severity.model_validate(severity.model_dump())
    assert validated == severity
    assert Severity.model_validate_json(severity.model_dump_json()) == severity
    assert severity.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    assert severity.model_fields_set == set(Severity.model_fields)
    assert severity.__pydantic_extra__ is None and severity.__pydantic_private__ is None
    for match in severity.explanation:  # equal to the same objects built by their own constructors
        rebuilt = RuleMatch(rule_id=match.rule_id, level=match.level, description=match.description,
                            criteria=tuple(CriterionResult(**{f.name: getattr(c, f.name)
                                                              for f in dataclasses.fields(c)})
                                           for c in match.criteria))
        assert rebuilt == match and repr(rebuilt) == repr(match)
    copy = severity.model_copy(deep=True)
    assert copy == severity
    with pytest.raises(ValidationError):
        severity.explanation = ({"rule_id": "x", "level": "catastrophic"},)  # assignments are still validated
    assert criteria_lines(severity)[0] == "Customer Impact: 100% of customers affected"


def test_the_fast_dataclass_factory_builds_what_the_constructor_builds():
    make = frozen_dataclass_factory(CriterionResult)
    built = make("data_categories", "contains_any", ("a", "b"), ("a",), True, False, "Data Involved: a")
    assert built == CriterionResult(field="data_categories", op="contains_any", expected=("a", "b"), actual=("a",),
                                    matched=True, missing=False, text="Data Involved: a")
    with pytest.raises(TypeError):
        make("too", "few")
    with pytest.raises(TypeError):
        frozen_dataclass_factory(Severity)


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
