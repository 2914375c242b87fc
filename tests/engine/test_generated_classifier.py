"""The generated classifier (`codegen`) returns exactly what the closure-based reference returns.

`RuleSet.classify` runs one Python function written from the rules when they are loaded; these tests hold
it to `SeverityRules.severity_of_reference` (compiled closures) on the seed, on every demo incident at
several instants, and on random rule sets over random incidents, down to the JSON bytes; that the sentence
each leaf remembers never leaks into another incident's result (sequences, equal values); and that
no text from a rule file becomes source code.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from incident_desk.demo.data import demo_workspace
from incident_desk.domain import Clock, Facts, Incident, Status
from incident_desk.engine import load_ruleset
from incident_desk.engine.codegen import classifier_source, compile_classifier
from incident_desk.engine.conditions import ParseContext, parse_condition
from incident_desk.engine.severity import SeverityRule, SeverityRules
from incident_desk.engine.yamlsafe import Document

from .conftest import at, seed_incident, write_rules

LEVELS = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")


def assert_same(rules: SeverityRules, incident, env, digest="d1", override=None) -> None:
    expected = rules.severity_of_reference(incident, env, digest, override)
    actual = rules.severity_of(incident, env, digest, override)
    assert actual == expected
    assert actual.model_dump_json() == expected.model_dump_json()
    assert actual.model_fields_set == expected.model_fields_set


def test_seed_and_every_demo_incident_classify_as_the_reference_does(default_rules):
    rules = default_rules.severity_rules
    incidents = [seed_incident(), *demo_workspace(count=120)]
    for now in (None, at(2, 31), at(3, 0), at(12, 0, day=20)):
        env = default_rules.env(now)
        for incident in incidents:
            assert_same(rules, incident, env, default_rules.digest)
    severity = default_rules.classify(seed_incident())
    assert severity.computed == "SEV-1"
    assert [m.rule_id for m in severity.explanation] == ["sev1-widespread-customer-impact", "sev1-revenue-at-risk",
                                                         "sev1-sla-violation"]


def test_derived_and_data_loss_facts_flow_into_both_classifiers(default_rules):
    """Availability computed from the outage (no measured figure), SLA breach derived from it, customers
    affected derived from the percentage, data-loss facts: the generated function and the reference agree."""
    rules = default_rules.severity_rules
    computed_sla = seed_incident(facts=Facts())  # 2h15m of outage over 30 days: availability 99.6875%
    derived_count = seed_incident(facts=Facts(customer_impact_pct=12.5, customers_total=8_000))
    lost = seed_incident(facts=Facts(data_lost=True, data_recoverable=False, records_lost=10_700,
                                     data_loss_window=21_600, backups_failed=5))
    for incident in (computed_sla, derived_count, lost):
        assert_same(rules, incident, default_rules.env(at(12)), default_rules.digest)
    severity = default_rules.classify(computed_sla)
    assert [m.rule_id for m in severity.explanation] == ["sev1-sla-violation"]
    assert severity.explanation[0].criteria[0].actual is True
    assert "sla_breached" not in severity.missing_facts
    assert "sev1-permanent-data-loss" in [m.rule_id for m in default_rules.classify(lost).explanation]


# ----------------------------------------------------------------------------- random rules, random incidents

WORDS = ["a", "B", "db", "Net", "x"]


def _leaf(field: str, op: str, value) -> dict:
    return {"field": field, "op": op, "value": value}


numbers = st.integers(0, 100)
leaf_conditions = st.one_of(
    st.tuples(st.sampled_from(["customer_impact_pct", "revenue_per_hour", "failed_transactions", "revenue_loss"]),
              st.sampled_from(["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in"]), numbers).map(
        lambda t: _leaf(t[0], t[1], [t[2], 7] if t[1] in ("in", "not_in") else t[2])),
    st.tuples(st.sampled_from(["customer_impact_pct", "sla_actual_pct"]), numbers, numbers).map(
        lambda t: _leaf(t[0], "between", [min(t[1:]), max(t[1:])])),
    st.tuples(st.sampled_from(["customer_impact_pct", "security_breach", "type", "tags", "duration",
                               "data_categories"]), st.booleans()).map(lambda t: _leaf(t[0], "exists", t[1])),
    st.tuples(st.sampled_from(["duration", "time_to_detect"]), st.sampled_from(["gt", "gte", "lt"]),
              st.sampled_from(["90s", "5m", "2h", "1d"])).map(lambda t: _leaf(*t)),
    st.tuples(st.sampled_from(["sla_breached", "security_breach"]), st.sampled_from(["eq", "ne"]),
              st.booleans()).map(lambda t: _leaf(*t)),
    st.tuples(st.sampled_from(["eq", "ne", "contains", "in"]), st.sampled_from(WORDS)).map(
        lambda t: _leaf("type", t[0], [t[1]] if t[0] == "in" else t[1])),
    st.sampled_from(["^D", "a", "[0-9]"]).map(lambda p: _leaf("title", "matches", p)),
    st.tuples(st.sampled_from(["eq", "ne", "contains", "not_in"]), st.sampled_from(["disk FULL", "API 500s", "db"])).map(
        lambda t: _leaf("title", t[0], [t[1]] if t[0] == "not_in" else t[1])),
    st.tuples(st.sampled_from(["tags", "data_categories"]), st.sampled_from(["contains", "contains_any",
                                                                            "contains_all"]),
              st.lists(st.sampled_from(WORDS + ["personal"]), min_size=1, max_size=3)).map(
        lambda t: _leaf(t[0], t[1], t[2][0] if t[1] == "contains" else t[2])),
    st.sampled_from(["resolved", "declared"]).map(lambda s: _leaf("status", "eq", s)),
)
conditions = st.recursive(
    leaf_conditions,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c})),
    max_leaves=6)
rule_sets = st.lists(st.tuples(st.sampled_from(LEVELS[:3]), conditions), min_size=0, max_size=6)

optional = st.one_of(st.none(), st.integers(0, 100).map(float))
facts = st.builds(Facts, customer_impact_pct=optional, revenue_per_hour=st.one_of(st.none(), st.floats(0, 1e6)),
                  failed_transactions=st.one_of(st.none(), st.integers(0, 5000)),
                  sla_target_pct=st.one_of(st.none(), st.sampled_from([99.9, 99.95])),
                  sla_actual_pct=st.one_of(st.none(), st.floats(95, 100)),
                  security_breach=st.one_of(st.none(), st.booleans()),
                  data_categories=st.lists(st.sampled_from(["personal", "Payment", "health"]), max_size=2))


@st.composite
def incidents(draw):
    start = at(1)
    resolved = draw(st.one_of(st.none(), st.integers(0, 300_000)))
    declared = draw(st.one_of(st.none(), st.integers(0, 5_000)))
    clock = Clock(started_at=draw(st.sampled_from([start, None])), declared_at=None if declared is None
                  else start + timedelta(seconds=declared),
                  resolved_at=None if resolved is None else start + timedelta(seconds=resolved, microseconds=draw(
                      st.sampled_from([0, 499_999, 500_000]))))
    return Incident(id="INC-2025-007", title=draw(st.sampled_from(["Disk full", "api 500s", "DB x"])),
                    type=draw(st.sampled_from(["availability", "db", "net"])),
                    tags=draw(st.lists(st.sampled_from(WORDS), max_size=3)), facts=draw(facts), clock=clock,
                    status=draw(st.sampled_from([Status.RESOLVED, Status.DECLARED])))


def build_rules(drawn) -> SeverityRules:
    doc = Document("random.yaml")
    rules = []
    for i, (level, condition) in enumerate(drawn):
        node = parse_condition(condition, ("rules", i, "when"), doc, ParseContext(levels=LEVELS,
                                                                                   allow_severity_field=False))
        assert doc.problems == [], [str(p) for p in doc.problems]
        rules.append(SeverityRule.build(f"rule-{i}", level, f"rule {i}", node, i + 1))
    return SeverityRules(rules, "SEV-4")


@settings(max_examples=300, deadline=None)
@given(drawn=rule_sets, incident=incidents(), later=st.one_of(st.none(), st.integers(0, 400_000)))
def test_random_rules_on_random_incidents_classify_as_the_reference_does(default_rules, drawn, incident, later):
    rules = build_rules(drawn)
    env = default_rules.env(None if later is None else at(1) + timedelta(seconds=later))
    assert_same(rules, incident, env)


# ----------------------------------------------------------------------------- no rule text becomes code


def test_text_from_a_rule_file_never_becomes_source(tmp_path):
    hostile = "x'); __import__('os').system('echo pwned') #\n\"\"\" {}"
    rules_dir = write_rules(tmp_path / "rules", severity=f"""\
        version: 1
        levels:
          - {{id: SEV-1, name: Critical}}
          - {{id: SEV-2, name: High}}
        default: SEV-2
        rules:
          - id: hostile-rule
            level: SEV-1
            description: {json.dumps(hostile)}
            when:
              any:
                - {{field: title, op: matches, value: {json.dumps(re.escape(hostile[:40]))}}}
                - {{field: type, op: eq, value: {json.dumps(hostile[:30])}}}
                - {{field: customer_impact_pct, op: gte, value: 50}}
        """)
    ruleset = load_ruleset(rules_dir)
    source = ruleset.severity_rules._generated.source
    assert "__import__" not in source and "pwned" not in source and "hostile" not in source
    incident = seed_incident()
    severity = ruleset.classify(incident)
    assert severity.computed == "SEV-1" and severity.explanation[0].description.startswith("x'); __import__")
    assert_same(ruleset.severity_rules, incident, ruleset.env(None))


# ----------------------------------------------------------------------------- remembered sentences


def without_memo(rules: SeverityRules):
    return compile_classifier(rules.rules, rules.default, rules.fields, rules._plain, remember=False)


@settings(max_examples=150, deadline=None)
@given(drawn=rule_sets, sequence=st.lists(incidents(), min_size=2, max_size=5), repeats=st.lists(
    st.integers(0, 4), max_size=4))
def test_remembered_sentences_never_leak_from_one_incident_to_the_next(default_rules, drawn, sequence, repeats):
    """One rule set classifies a run of incidents, some of them again (after a list fact changed in
    place); every result is what the reference and the classifier without memo give."""
    rules = build_rules(drawn)
    plain = without_memo(rules)
    env = default_rules.env(at(6))
    order = sequence + [sequence[i % len(sequence)] for i in repeats]
    for n, incident in enumerate(order):
        if n >= len(sequence):
            incident.facts.data_categories.append("health")
            incident.tags.append("x")
        assert_same(rules, incident, env)
        assert rules.severity_of(incident, env, "d1", None) == plain(incident, env, "d1", None)


def test_equal_values_of_different_meaning_get_their_own_sentences(tmp_path):
    rules_dir = write_rules(tmp_path / "rules", severity="""\
        version: 1
        levels:
          - {id: SEV-1, name: Critical}
          - {id: SEV-2, name: High}
        default: SEV-2
        rules:
          - {id: revenue, level: SEV-1, when: {field: revenue_per_hour, op: lte, value: 10}}
          - {id: long, level: SEV-1, when: {field: duration, op: gte, value: 0s}}
        """)
    ruleset = load_ruleset(rules_dir)
    texts = []
    for revenue in (0.0, -0.0, 0.0, 0.0, 10.0):  # "$0" and "$-0" are different texts of equal numbers
        incident = seed_incident(facts=Facts(revenue_per_hour=revenue))
        severity = ruleset.classify(incident)
        assert_same(ruleset.severity_rules, incident, ruleset.env(None))
        texts.append(severity.explanation[0].criteria[0].text)
    assert texts == ["Revenue Impact: Estimated $0/hour", "Revenue Impact: Estimated $-0/hour",
                     "Revenue Impact: Estimated $0/hour", "Revenue Impact: Estimated $0/hour",
                     "Revenue Impact: Estimated $10/hour"]


def test_the_memo_is_in_the_source_and_can_be_left_out(default_rules):
    rules = default_rules.severity_rules
    remembered = classifier_source(rules.rules, rules.default, rules.fields, rules._plain)[0]
    plain = classifier_source(rules.rules, rules.default, rules.fields, rules._plain, remember=False)[0]
    assert " is v_customer_impact_pct" in remembered and " == v_duration" in remembered
    assert " is v_" not in plain and "last" not in plain
