"""In-file test cases, shadowed-rule warnings, and backtests of a changed rule set over history."""

from __future__ import annotations

from datetime import timedelta

from incident_desk.domain import Facts, summarize
from incident_desk.engine import backtest, load_ruleset, validate_file

from .conftest import LEVELS, at, copy_default_rules, seed_incident, write_rules


def test_default_in_file_tests_pass(default_rules):
    results = default_rules.run_tests()
    assert len(results) >= 5 and all(r.passed for r in results), [r.message for r in results]
    assert default_rules.warnings == []


def test_failing_case_names_expected_and_actual_with_its_line(tmp_path):
    text = LEVELS + """\
rules:
  - id: big
    level: SEV-1
    when: {field: customer_impact_pct, op: gte, value: 50}
tests:
  - name: half the customers
    given: {customer_impact_pct: 50}
    expect: {level: SEV-1, rules: [big]}
  - name: a wrong expectation
    given: {customer_impact_pct: 20}
    expect: {level: SEV-2}
"""
    ok, wrong = load_ruleset(write_rules(tmp_path, severity=text)).run_tests()
    assert ok.passed and ok.actual_rules == ["big"]
    assert not wrong.passed and wrong.line == 16 and wrong.actual_level == "SEV-4"
    assert wrong.message == "expected SEV-2, got SEV-4"


def test_shadowed_duplicate_and_unreachable_rules_are_warnings(tmp_path):
    text = LEVELS + """\
rules:
  - id: half
    level: SEV-1
    when: {field: customer_impact_pct, op: gte, value: 50}
  - id: most
    level: SEV-2
    when: {field: customer_impact_pct, op: gte, value: 75}
  - id: half-again
    level: SEV-1
    when: {field: customer_impact_pct, op: gte, value: 50}
  - id: breach-with-impact
    level: SEV-2
    when: {all: [{field: security_breach, op: eq, value: true}, {field: customer_impact_pct, op: gt, value: 60}]}
  - id: some
    level: SEV-2
    when: {field: customer_impact_pct, op: gte, value: 10}
"""
    ruleset = load_ruleset(write_rules(tmp_path, severity=text))
    messages = {(w.line, w.path): w.message for w in ruleset.warnings}
    assert messages[(12, "rules.most")].startswith("shadowed: whenever it matches, rule 'half' (line 9, SEV-1)")
    assert messages[(15, "rules.half-again")].startswith("same condition as rule 'half' (line 9)")
    assert messages[(18, "rules.breach-with-impact")].startswith("shadowed")
    assert "levels" in {w.path for w in ruleset.warnings}  # SEV-3 has no rules
    assert not any(w.path == "rules.some" for w in ruleset.warnings)
    assert str(ruleset.warnings[0]).startswith(str(tmp_path / "severity.yaml"))


def test_validate_file_checks_one_file_against_its_siblings(tmp_path):
    directory = copy_default_rules(tmp_path / "rules")
    errors, warnings = validate_file(directory / "escalation.yaml")
    assert errors == [] and warnings == []
    (directory / "escalation.yaml").write_text(
        (directory / "escalation.yaml").read_text().replace("raise_severity: SEV-1", "raise_severity: SEV-0"))
    errors, _ = validate_file(directory / "escalation.yaml")
    assert [e.path for e in errors] == ["policies[3].actions[0].raise_severity"]


def history():
    """A small history: the seed, a mid-size outage, a small one, and one with nothing known but the
    measured availability (which held: otherwise the seed's 2h15m outage is an SLA breach, SEV-1)."""
    mid = seed_incident(id="INC-2025-002", title="Checkout errors for a fifth of customers",
                        facts=Facts(customer_impact_pct=20, revenue_per_hour=5_000, sla_actual_pct=99.99))
    small = seed_incident(id="INC-2025-003", title="Search slow", facts=Facts(customer_impact_pct=3,
                                                                             sla_actual_pct=99.99))
    blank = seed_incident(id="INC-2025-004", title="Unknown", facts=Facts(sla_actual_pct=99.99))
    return [seed_incident(), mid, small, blank]


def test_backtest_reports_counts_and_every_move_with_why(tmp_path, default_rules):
    candidate_dir = copy_default_rules(tmp_path / "candidate")
    path = candidate_dir / "severity.yaml"
    path.write_text(path.read_text().replace("when: {field: customer_impact_pct, op: gte, value: 10}",
                                             "when: {field: customer_impact_pct, op: gte, value: 2}"))
    candidate = load_ruleset(candidate_dir)
    report = backtest(default_rules, candidate, history(), now=at(12))
    assert report.total == 4
    assert report.before == {"SEV-1": 1, "SEV-2": 1, "SEV-3": 1, "SEV-4": 1}
    assert report.after == {"SEV-1": 1, "SEV-2": 2, "SEV-3": 0, "SEV-4": 1}
    (move,) = report.moves
    assert (move.incident_id, move.before, move.after, move.direction) == ("INC-2025-003", "SEV-3", "SEV-2", "up")
    assert [m.rule_id for m in move.why_before] == ["sev3-some-customer-impact"]
    assert [m.rule_id for m in move.why_after] == ["sev2-significant-customer-impact"]
    assert move.why_after[0].criteria[0].text == "Customer Impact: 3% of customers affected"
    assert report.active_digest != report.candidate_digest


def test_backtest_accepts_summaries_and_unchanged_rules_move_nothing(default_rules):
    summaries = [summarize(i) for i in history()]
    report = backtest(default_rules, default_rules, summaries, now=at(12))
    assert report.moves == [] and report.total == 4 and not report.changed


def test_open_incidents_are_dated_by_now(tmp_path, default_rules):
    incident = seed_incident(status="investigating", facts=Facts())
    incident.type = "performance"
    incident.clock = incident.clock.model_copy(update={"resolved_at": None})
    early = backtest(default_rules, default_rules, [incident], now=at(2, 45))
    late = backtest(default_rules, default_rules, [incident], now=at(2, 30) + timedelta(hours=1))
    assert early.after["SEV-3"] == 0 and late.after["SEV-3"] == 1  # performance over 30 minutes
