"""The `rules` and `escalations` commands, run through click over real incidents and real rule files.

Each test builds a real workspace on disk holding the incidents it needs and runs the real
`incident-desk` command group over it.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from incident_desk.app import rules_service
from incident_desk.cli.main import cli
from incident_desk.cli.rules_cmds import escalations, rules
from incident_desk.domain import Clock, Facts, Status
from incident_desk.engine import FIELDS

from .conftest import RULES, at, copy_default_rules, seed_incident


_counter = iter(range(10**6))


def run(group, args, incidents=(), tmp_root=None):
    """Run `incident-desk <group> ...` over a real workspace on disk holding `incidents`."""
    import tempfile
    from pathlib import Path

    from incident_desk.store import Workspace

    with tempfile.TemporaryDirectory(prefix="rules-cli-") as root:
        path = Path(root) / f"ws{next(_counter)}"
        with Workspace.open(path, create=True) as workspace:
            for incident in incidents:
                workspace.import_incident(incident, actor="test")
        (path / "notifiers.yaml").write_text((RULES / "notifiers.yaml").read_text())  # as `init` installs it
        return CliRunner().invoke(cli, ["--workspace", str(path), group.name, *args])


@pytest.fixture(autouse=True)
def bundled_rules(monkeypatch):
    monkeypatch.setenv(rules_service.RULES_ENV, str(RULES))


def test_check_passes_on_the_defaults():
    result = run(rules, ["check"])
    assert result.exit_code == 0, result.output
    assert "12/12 test cases pass" in result.output  # severity.yaml 9, maturity.yaml 3


def test_check_refuses_a_broken_directory_with_located_errors(tmp_path):
    directory = copy_default_rules(tmp_path / "r")
    text = (directory / "severity.yaml").read_text().replace("customer_impact_pct, op: gte, value: 50}",
                                                                  "customer_impact_pct, op: gte, value: fifty}")
    (directory / "severity.yaml").write_text(text)
    result = run(rules, ["check", "--rules", str(directory)])
    assert result.exit_code == 4
    assert f"{directory / 'severity.yaml'}:34: rules[0].when.value: field 'customer_impact_pct' is a percent; " \
           "'fifty' is not a number" in result.output
    assert "1 problem in rule files" in result.output and "Traceback" not in result.output


def test_check_fails_with_exit_1_when_a_test_case_fails(tmp_path):
    directory = copy_default_rules(tmp_path / "r")
    text = (directory / "severity.yaml").read_text().replace("expect: {level: SEV-2, rules: [sev2-significant",
                                                             "expect: {level: SEV-3, rules: [sev2-significant")
    (directory / "severity.yaml").write_text(text)
    result = run(rules, ["check", "--rules", str(directory), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    failed = [t for t in data["tests"] if not t["passed"]]
    assert [t["message"] for t in failed] == ["expected SEV-3, got SEV-2"]


def test_explain_prints_the_seed_criteria():
    result = run(rules, ["explain", "INC-2025-001", "--at", "2025-01-15T05:00:00Z"], [seed_incident()])
    assert result.exit_code == 0, result.output
    assert "Severity: SEV-1 (Critical)" in result.output
    assert "• Customer Impact: 100% of customers affected" in result.output
    assert "• Duration: 2 hours 15 minutes (> 5 minute target for SEV-1)" in result.output
    assert "credit 10% of the $425,000 monthly fee = $42,500" in result.output
    data = json.loads(run(rules, ["explain", "INC-2025-001", "--json"], [seed_incident()]).output)
    assert data["severity"] == "SEV-1" and data["sla"]["credit_amount"] == 42500


def test_explain_unknown_incident_is_not_found():
    result = run(rules, ["explain", "INC-2025-999"], [seed_incident()])
    assert result.exit_code == 3 and "no incident INC-2025-999" in result.output


def test_fields_lists_the_registry():
    data = json.loads(run(rules, ["fields", "--json"]).output)
    assert [row["name"] for row in data] == list(FIELDS)
    assert next(r for r in data if r["name"] == "type")["operators"] == ["eq", "ne", "in", "not_in", "contains",
                                                                          "matches", "exists"]


def test_backtest_reports_moves(tmp_path):
    candidate = copy_default_rules(tmp_path / "candidate")
    path = candidate / "severity.yaml"
    path.write_text(path.read_text().replace("value: 50000}", "value: 100000}"))
    incident = seed_incident(facts=Facts(revenue_per_hour=85_000, sla_actual_pct=99.99))
    result = run(rules, ["backtest", "--rules", str(candidate), "--json"], [incident])
    data = json.loads(result.output)
    assert data["before"]["SEV-1"] == 1 and data["after"]["SEV-2"] == 1
    (move,) = data["moves"]
    assert move["why_before"][0]["rule_id"] == "sev1-revenue-at-risk"
    assert move["why_after"][0]["rule_id"] == "sev2-revenue-at-risk"
    assert run(rules, ["backtest", "--rules", str(candidate), "--fail-on-change"], [incident]).exit_code == 1


def test_validate_files_one_by_one(tmp_path):
    good = RULES / "sla.yaml"
    bad = tmp_path / "escalation.yaml"
    bad.write_text("version: 1\npolicies:\n  - id: p\n    trigger: {state: open, after: 1h}\n"
                   "    actions:\n      - notify: {notifier: pagerduty, target: x}\n")
    result = run(rules, ["validate", str(good), str(bad)])
    assert result.exit_code == 4
    assert f"{good}: valid" in result.output
    assert f"{bad}:6: policies[0].actions[0].notify.notifier: unknown notifier 'pagerduty'" in result.output


def test_escalations_due_and_next():
    incident = seed_incident(status=Status.DECLARED, facts=Facts(customer_impact_pct=100),
                             clock=Clock(started_at=at(2, 30), alerted_at=at(2, 30), declared_at=at(2, 32)))
    incident.severity.computed = "SEV-1"
    result = run(escalations, ["due", "--at", "2025-01-15T02:52:00Z", "--json"], [incident])
    assert result.exit_code == 0, result.output
    (status,) = json.loads(result.output)
    assert [d["key"] for d in status["due"]] == ["sev1-unacknowledged#0", "sev1-unacknowledged#1"]
    assert status["next"]["key"] == "sev1-update-cadence#0" and status["next"]["in_seconds"] == 8 * 60
    human = run(escalations, ["due", "INC-2025-001", "--at", "2025-01-15T02:52:00Z"], [incident]).output
    assert "DUE sev1-unacknowledged#0" in human and "notify executives via desktop" in human


def test_bad_instant_is_a_usage_error():
    result = run(escalations, ["due", "--at", "yesterday"], [])
    assert result.exit_code == 2 and "not an ISO-8601 time" in result.output
