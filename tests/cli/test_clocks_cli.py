"""`incident-desk clocks`: response targets, SLA, regulatory deadlines and the next escalation."""

from __future__ import annotations


def test_personal_data_breach_in_the_eu_shows_gdpr_and_nis2_deadlines(cli):
    declared = cli("declare", "Customer PII exposed", "--type", "security", "--fact", "data_categories=personal",
                   "--fact", "security_breach=true", "--fact", "regions=EU",
                   "--declared-at", "2026-03-02T09:00:00Z", "--json")
    assert declared.code == 0, declared.err
    incident_id = declared.json()["id"]
    result = cli("clocks", incident_id, "--at", "2026-03-02T09:03:00Z", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["level"] == "SEV-1"
    deadlines = {(c["regime"], c["obligation"]): c["due_at"] for c in data["regulatory"]}
    assert deadlines[("gdpr", "supervisory-authority")] == "2026-03-05T09:00:00Z"  # 72 h from awareness
    nis2 = sorted(due for (regime, _), due in deadlines.items() if regime == "nis2")
    assert nis2 == ["2026-03-03T09:00:00Z", "2026-03-05T09:00:00Z", "2026-04-05T09:00:00Z"]
    ack = next(t for t in data["targets"] if t["name"] == "acknowledge")
    assert ack["state"] == "running" and ack["due_at"] == "2026-03-02T09:05:00Z"
    assert data["next_escalation"]["policy"] == "sev1-unacknowledged"

    late = cli("clocks", incident_id, "--at", "2026-03-06T09:00:00Z")
    assert "Notify the supervisory authority (Art. 33)" in late.out and "OVERDUE by 1d" in late.out
    assert "Acknowledge within 5m: due 2026-03-02T09:05:00Z, overdue" in late.out


def test_clocks_of_an_acknowledged_incident_show_the_target_met(cli):
    incident_id = cli("declare", "API errors", "--fact", "customer_impact_pct=100",
                      "--declared-at", "2026-03-02T09:00:00Z", "--json").json()["id"]
    cli("ack", incident_id, "--at", "2026-03-02T09:04:00Z")
    data = cli("clocks", incident_id, "--at", "2026-03-02T09:30:00Z", "--json").json()
    ack = next(t for t in data["targets"] if t["name"] == "acknowledge")
    assert ack["state"] == "met" and ack["met_at"] == "2026-03-02T09:04:00Z"
    assert data["regulatory"] == []
