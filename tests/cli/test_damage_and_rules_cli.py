"""Damaged data and invalid rules, as the person at the command line meets them."""

from __future__ import annotations

import hashlib
from pathlib import Path


def test_damaged_incident_file_is_reported_and_restored(cli, workspace):
    incident_id = cli("declare", "Queue backlog", "--json").json()["id"]
    cli("timeline", "add", incident_id, "first note")
    cli("timeline", "add", incident_id, "second note")
    path = next(Path(workspace, "incidents").rglob(f"{incident_id}.json"))
    path.write_bytes(path.read_bytes()[:100])  # truncated, as a crash of another program might leave it
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    shown = cli("show", incident_id)
    assert shown.code == 5
    assert str(path) in shown.err and "restore from" in shown.err and "Traceback" not in shown.err
    refused = cli("timeline", "add", incident_id, "third note")
    assert refused.code == 5
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # never overwritten

    restored = cli("restore", incident_id)
    assert restored.code == 0, restored.err
    kept = [p for p in Path(workspace, "damaged").rglob("*") if p.is_file()]
    assert any(hashlib.sha256(p.read_bytes()).hexdigest() == digest for p in kept)
    texts = [e["text"] for e in cli("show", incident_id, "--json").json()["timeline"]]
    assert "first note" in texts


def test_declare_is_classified_by_the_workspace_rules(cli):
    result = cli("declare", "Total outage", "--fact", "customer_impact_pct=100", "--fact",
                 "revenue_per_hour=85000", "--json")
    assert result.code == 0, result.err
    severity = result.json()["severity"]
    assert severity["computed"] == "SEV-1" and severity["explanation"]
    minor = cli("declare", "Typo on help page", "--fact", "customer_impact_pct=0.1", "--json").json()
    assert minor["severity"]["computed"] not in (None, "SEV-1", "SEV-2")
    raised = cli("set", minor["id"], "--fact", "customer_impact_pct=100", "--json").json()
    assert raised["severity"]["computed"] == "SEV-1"
    assert any("re-classified" in e["text"] for e in raised["timeline"])


def test_invalid_workspace_rules_do_not_stop_declaring(cli, workspace):
    severity_file = Path(workspace, "rules", "severity.yaml")
    severity_file.write_text(severity_file.read_text() + "\nnonsense: [\n")
    result = cli("declare", "During a rules edit", "--json")
    assert result.code == 0
    assert "rule files in" in result.err and "rules check" in result.err
    check = cli("rules", "check")
    assert check.code == 4 and "severity.yaml:" in check.out + check.err


def test_restore_refuses_to_roll_back_an_intact_incident(cli, workspace):
    incident_id = cli("declare", "Queue backlog", "--json").json()["id"]
    cli("timeline", "add", incident_id, "latest note")
    result = cli("restore", incident_id)
    assert result.code == 5 and "is not damaged" in result.err
    texts = [e["text"] for e in cli("show", incident_id, "--json").json()["timeline"]]
    assert "latest note" in texts
