"""Severity classification: the seed, most-severe-wins, missing facts, every operator, explanations."""

from __future__ import annotations


import pytest

from incident_desk.domain import Facts, SeverityOverride, summarize
from incident_desk.engine import criteria_lines, load_ruleset

from .conftest import LEVELS, at, seed_incident, write_rules

SEED_CRITERIA = [
    "Customer Impact: 100% of customers affected",
    "Revenue Impact: Estimated $85,000/hour",
    "Service Level: SLA violation (99.95% target, actual 99.12%)",
    "Duration: 2 hours 15 minutes (> 5 minute target for SEV-1)",
]


def test_seed_is_sev1_with_the_seeds_criteria(default_rules):
    severity = default_rules.classify(seed_incident())
    assert severity.computed == "SEV-1"
    assert criteria_lines(severity) == SEED_CRITERIA
    assert [m.rule_id for m in severity.explanation] == [
        "sev1-widespread-customer-impact", "sev1-revenue-at-risk", "sev1-sla-violation"]
    assert severity.rules_digest == default_rules.digest
    assert default_rules.level_names["SEV-1"] == "Critical"


def test_explanation_carries_expected_and_actual_per_leaf(default_rules):
    severity = default_rules.classify(seed_incident())
    leaves = {c.field: c for m in severity.explanation for c in m.criteria}
    assert leaves["customer_impact_pct"].expected == 50 and leaves["customer_impact_pct"].actual == 100
    assert leaves["customer_impact_pct"].op == "gte" and leaves["customer_impact_pct"].matched
    assert leaves["duration"].expected == "5m" and leaves["duration"].actual == "2h 15m"
    # the result is a valid domain model that round-trips through JSON
    from incident_desk.domain import Severity
    assert Severity.model_validate_json(severity.model_dump_json()) == severity


def test_summary_classifies_like_the_incident(default_rules):
    incident = seed_incident()
    assert default_rules.classify(summarize(incident)).computed == "SEV-1"
    assert criteria_lines(default_rules.classify(summarize(incident))) == SEED_CRITERIA


def test_override_is_kept_untouched(default_rules):
    incident = seed_incident()
    incident.severity.override = SeverityOverride(level="SEV-2", reason="customer-only impact", author="ic",
                                                  at=at(3))
    severity = default_rules.classify(incident)
    assert severity.computed == "SEV-1"
    assert severity.override == incident.severity.override
    assert severity.level == "SEV-2"


def test_most_severe_match_wins_and_only_deciding_rules_explain(default_rules):
    incident = seed_incident(facts=Facts(customer_impact_pct=20, revenue_per_hour=60_000, sla_actual_pct=99.99))
    severity = default_rules.classify(incident)
    assert severity.computed == "SEV-1"
    assert [m.rule_id for m in severity.explanation] == ["sev1-revenue-at-risk"]
    everything = default_rules.classification(incident)
    assert "sev2-significant-customer-impact" in everything.matched_rule_ids


def test_missing_facts_never_match_and_are_listed(default_rules):
    incident = seed_incident(facts=Facts())
    incident.impact.windows = []  # still open: no outage to derive availability from
    incident.clock = incident.clock.model_copy(update={"resolved_at": None, "mitigated_at": None})
    severity = default_rules.classify(incident)
    assert severity.computed == "SEV-4"  # the default, not a match on "0"
    assert severity.explanation == ()
    assert {"customer_impact_pct", "revenue_per_hour", "sla_breached"} <= set(severity.missing_facts)


def test_open_incident_duration_needs_now(default_rules):
    incident = seed_incident(status="investigating", facts=Facts(sla_target_pct=99.95, sla_actual_pct=99.0))
    incident.clock = incident.clock.model_copy(update={"resolved_at": None})
    assert default_rules.classify(incident).computed == "SEV-4"  # duration unknown without now
    later = default_rules.classify(incident, now=at(2, 40))
    assert later.computed == "SEV-1"
    assert "Duration: 10 minutes (> 5 minute target for SEV-1)" in criteria_lines(later)


def test_sla_target_falls_back_to_sla_yaml(default_rules):
    incident = seed_incident(facts=Facts(sla_actual_pct=99.5))
    severity = default_rules.classify(incident)
    assert severity.computed == "SEV-1"
    assert "Service Level: SLA violation (99.95% target, actual 99.5%)" in criteria_lines(severity)


def one_rule(tmp_path, condition: str):
    text = LEVELS + f"rules:\n  - id: r\n    level: SEV-1\n    when: {condition}\n"
    return load_ruleset(write_rules(tmp_path, severity=text))


def outcome(ruleset, incident):
    return ruleset.classify(incident, now=at(3)).computed == "SEV-1"


BASE = dict(facts=Facts(customer_impact_pct=40, revenue_per_hour=1000, data_categories=["personal", "payment"],
                        regions=["EU"]), tags=["db", "Failover"], services=["api"], type="availability")


@pytest.mark.parametrize("condition, matches", [
    ("{field: customer_impact_pct, op: eq, value: 40}", True),
    ("{field: customer_impact_pct, op: eq, value: 41}", False),
    ("{field: customer_impact_pct, op: ne, value: 41}", True),
    ("{field: customer_impact_pct, op: lt, value: 40}", False),
    ("{field: customer_impact_pct, op: lte, value: 40}", True),
    ("{field: customer_impact_pct, op: gt, value: 39.9}", True),
    ("{field: customer_impact_pct, op: gte, value: 40.1}", False),
    ("{field: customer_impact_pct, op: between, value: [40, 50]}", True),
    ("{field: customer_impact_pct, op: between, value: [41, 50]}", False),
    ("{field: customer_impact_pct, op: in, value: [10, 40]}", True),
    ("{field: customer_impact_pct, op: not_in, value: [10, 40]}", False),
    ("{field: type, op: eq, value: AVAILABILITY}", True),
    ("{field: type, op: in, value: [security, availability]}", True),
    ("{field: type, op: not_in, value: [security]}", True),
    ("{field: title, op: contains, value: failover}", True),
    ("{field: title, op: matches, value: '^Database .* 100%'}", True),
    ("{field: title, op: matches, value: '^database'}", False),
    ("{field: tags, op: contains, value: failover}", True),
    ("{field: tags, op: contains_any, value: [network, db]}", True),
    ("{field: tags, op: contains_all, value: [db, network]}", False),
    ("{field: data_categories, op: contains_all, value: [personal, payment]}", True),
    ("{field: regions, op: exists, value: true}", True),
    ("{field: affected_systems, op: exists, value: true}", False),
    ("{field: failed_transactions, op: exists, value: false}", True),
    ("{field: failed_transactions, op: exists}", False),
    ("{field: duration, op: gt, value: 2h}", True),
    ("{field: duration, op: gt, value: 2h15m}", False),
    ("{field: time_to_detect, op: between, value: [2m, 3m]}", True),
    ("{field: status, op: eq, value: resolved}", True),
    ("{field: active, op: eq, value: false}", True),
    ("{field: revenue_loss, op: gte, value: 2250}", True),
    ("{not: {field: customer_impact_pct, op: gt, value: 50}}", True),
    ("{any: [{field: support_tickets, op: gt, value: 1}, {field: revenue_per_hour, op: gt, value: 500}]}", True),
    ("{all: [{field: support_tickets, op: gt, value: 1}, {field: revenue_per_hour, op: gt, value: 500}]}", False),
])
def test_each_operator(tmp_path, condition, matches):
    incident = seed_incident(**BASE)
    assert outcome(one_rule(tmp_path, condition), incident) is matches


def test_missing_fact_under_not_still_does_not_match(tmp_path):
    ruleset = one_rule(tmp_path, "{not: {field: support_tickets, op: gt, value: 100}}")
    incident = seed_incident(facts=Facts())
    severity = ruleset.classify(incident)
    assert severity.computed == "SEV-4"
    assert "support_tickets" in severity.missing_facts
    detail = ruleset.evaluate_all(incident)
    (rule, result, criteria), = detail
    assert result is None and criteria[0].missing
    assert "not recorded" in criteria[0].text


def test_unmatched_leaf_text_says_what_was_needed(tmp_path):
    ruleset = one_rule(tmp_path, "{field: customer_impact_pct, op: gte, value: 50}")
    (_, result, criteria), = ruleset.evaluate_all(seed_incident(facts=Facts(customer_impact_pct=12)))
    assert result is False
    assert criteria[0].text == "Customer Impact: 12% (rule needs customer_impact_pct >= 50%)"


def test_duration_over_days_reads_naturally(tmp_path):
    ruleset = one_rule(tmp_path, "{field: duration, op: gt, value: 1d}")
    incident = seed_incident()
    incident.clock = incident.clock.model_copy(update={"resolved_at": at(4, 45, day=17)})
    lines = criteria_lines(ruleset.classify(incident))
    assert lines == ["Duration: 2 days 2 hours 15 minutes (> 1 day target for SEV-1)"]
