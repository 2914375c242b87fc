"""The demo data agrees with the bundled severity rules, and the demo workspace stores their explanations."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from incident_desk.app.demo import create_demo_workspace
from incident_desk.demo.data import DEMO_END, SEED_ID, demo_workspace, seed_incident
from incident_desk.demo.generator import end_instant
from incident_desk.app.rules_service import RULES_ENV, bundled_rules_dir
from incident_desk.domain import Incident, Role
from incident_desk.engine import RuleSet, criteria_lines, load_ruleset
from incident_desk.store import Workspace

SEED_CRITERIA = [
    "Customer Impact: 100% of customers affected",
    "Revenue Impact: Estimated $85,000/hour",
    "Service Level: SLA violation (99.95% target, actual 99.12%)",
    "Duration: 2 hours 15 minutes (> 5 minute target for SEV-1)",
]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_ruleset(bundled_rules_dir())


@pytest.fixture(scope="module")
def demo() -> list[Incident]:
    return demo_workspace()


@pytest.fixture(autouse=True)
def no_rules_from_the_environment(monkeypatch):
    monkeypatch.delenv(RULES_ENV, raising=False)


def rules_level(rules: RuleSet, incident: Incident) -> str:
    return rules.classify(incident, incident.clock.resolved_at or end_instant(DEMO_END)).computed


def test_the_rules_compute_every_recorded_level_except_the_deliberate_overrides(rules, demo):
    plain = [i for i in demo if i.severity.override is None]
    disagreements = [(i.id, i.severity.level, rules_level(rules, i)) for i in plain
                     if rules_level(rules, i) != i.severity.level]
    assert disagreements == []
    for incident in demo:
        assert incident.severity.computed == rules_level(rules, incident), incident.id


def test_levels_keep_their_distribution(demo):
    levels = Counter(i.severity.level for i in demo)
    assert levels == {"SEV-1": 21, "SEV-2": 67, "SEV-3": 119, "SEV-4": 102}


def test_a_few_incidents_carry_a_commanders_override_that_differs_from_the_rules(rules, demo):
    overridden = [i for i in demo if i.severity.override is not None]
    assert 0.03 <= len(overridden) / len(demo) <= 0.05
    assert {i.severity.override.level for i in overridden} | {i.severity.computed for i in overridden} >= {
        "SEV-2", "SEV-3", "SEV-4"}
    for incident in overridden:
        override = incident.severity.override
        assert override.level != rules_level(rules, incident) == incident.severity.computed
        commander = next(r.person for r in incident.roles if r.role == Role.INCIDENT_COMMANDER)
        assert override.author == commander
        assert override.at == incident.clock.declared_at
        assert override.reason.startswith(("Raised to " + override.level, "Lowered to " + override.level))
        raised = override.level < incident.severity.computed  # "SEV-1" < "SEV-2": more severe
        assert override.reason.startswith("Raised" if raised else "Lowered")
    assert SEED_ID not in {i.id for i in overridden}


def test_minor_incidents_have_minor_facts_and_major_ones_major_facts(demo):
    plain = [i for i in demo if i.severity.override is None]
    assert all(i.facts.customer_impact_pct == 0 for i in plain if i.severity.level == "SEV-4")
    assert all(0 < i.facts.customer_impact_pct < 10 for i in plain if i.severity.level == "SEV-3")
    assert all(i.facts.customer_impact_pct >= 20 for i in plain if i.severity.level == "SEV-1")
    sev3_revenue = [i.facts.revenue_per_hour for i in plain if i.severity.level == "SEV-3"]
    sev1_revenue = [i.facts.revenue_per_hour for i in plain if i.severity.level == "SEV-1"]
    assert max(r for r in sev3_revenue if r is not None) < min(sev1_revenue)


def test_the_seed_incident_classifies_sev1_with_the_seed_criteria(rules):
    incident = seed_incident()
    severity = rules.classify(incident, incident.clock.resolved_at)
    assert severity.computed == "SEV-1" and severity.override is None
    assert criteria_lines(severity) == SEED_CRITERIA


def test_the_demo_workspace_on_disk_stores_the_workspace_rules_explanations(tmp_path, rules):
    path = tmp_path / "ws"
    assert create_demo_workspace(path, count=40) == 49
    assert (path / "rules" / "severity.yaml").is_file()
    generated = {i.id: i for i in demo_workspace(count=40)}
    with Workspace.open(path) as workspace:
        stored = list(workspace.iter_incidents())
    assert {i.id for i in stored} == set(generated)
    for incident in stored:
        severity = incident.severity
        assert severity.rules_digest == rules.digest, incident.id
        assert severity.computed == generated[incident.id].severity.computed, incident.id
        assert severity.override == generated[incident.id].severity.override, incident.id
        if severity.computed != "SEV-4":  # the default level is reached by no rule
            assert severity.explanation and all(m.level == severity.computed for m in severity.explanation)
    seed = next(i for i in stored if i.id == SEED_ID)
    assert criteria_lines(seed.severity) == SEED_CRITERIA
    assert [m.rule_id for m in seed.severity.explanation] == [
        "sev1-widespread-customer-impact", "sev1-revenue-at-risk", "sev1-sla-violation"]
    active = [i for i in stored if i.status.is_active]
    assert active and all(i.severity.explanation or i.severity.computed == "SEV-4" for i in active)


def test_the_demo_workspace_is_classified_with_its_own_rules(tmp_path):
    path = tmp_path / "ws"
    shutil.copytree(bundled_rules_dir(), path / "rules")
    severity_file = path / "rules" / "severity.yaml"
    text = severity_file.read_text(encoding="utf-8")
    severity_file.write_text(text.replace("default: SEV-4", "default: SEV-3"), encoding="utf-8")
    create_demo_workspace(path, count=20)
    with Workspace.open(path) as workspace:
        stored = list(workspace.iter_incidents())
    generated = {i.id: i.severity for i in demo_workspace(count=20)}
    minor = [i for i in stored if generated[i.id].computed == "SEV-4"]
    assert minor and all(i.severity.computed == "SEV-3" for i in minor)
    assert load_ruleset(path / "rules").digest == stored[0].severity.rules_digest != load_ruleset(
        bundled_rules_dir()).digest


def test_two_demo_workspaces_from_the_same_seed_store_the_same_classification(tmp_path):
    def stored_severities(path: Path) -> dict[str, str]:
        create_demo_workspace(path, count=15)
        with Workspace.open(path) as workspace:
            return {i.id: i.severity.model_dump_json() + i.facts.model_dump_json() for i in workspace.iter_incidents()}

    first, second = stored_severities(tmp_path / "a"), stored_severities(tmp_path / "b")
    assert first == second and len(first) == 24
