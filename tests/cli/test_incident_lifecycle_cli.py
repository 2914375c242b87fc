"""An incident run end to end from the command line, as an incident manager would drive it."""

from __future__ import annotations



def declare_seed_like(cli) -> str:
    result = cli("declare", "Database failover failure", "--severity", "sev1", "--type", "availability",
                 "--service", "api", "--system", "Primary database cluster",
                 "--started-at", "2025-01-15T02:30:00Z", "--declared-at", "2025-01-15T02:32:15Z",
                 "--commander", "Alice", "--fact", "customer_impact_pct=100", "--fact", "revenue_per_hour=85000",
                 "--json")
    assert result.code == 0, result.err
    return result.json()["id"]


def test_seed_start_invocation_declares_an_incident(cli):
    result = cli("declare", "--severity", "sev1", "--type", "availability", "--start", "--json")
    assert result.code == 0, result.err
    incident = result.json()
    assert incident["id"].startswith("INC-") and incident["id"].endswith("-001")
    assert incident["severity"]["override"]["level"] == "SEV-1"
    assert incident["type"] == "availability" and incident["status"] == "declared"


def test_ids_are_sequential_per_year(cli):
    first = cli("declare", "One", "--declared-at", "2025-03-01T00:00:00Z", "--json").json()["id"]
    second = cli("declare", "Two", "--declared-at", "2025-03-02T00:00:00Z", "--json").json()["id"]
    other_year = cli("declare", "Three", "--declared-at", "2026-01-02T00:00:00Z", "--json").json()["id"]
    assert (first, second, other_year) == ("INC-2025-001", "INC-2025-002", "INC-2026-001")


def test_full_lifecycle_with_figures(cli):
    incident_id = declare_seed_like(cli)
    assert cli("ack", incident_id, "--at", "2025-01-15T02:35:00Z").code == 0
    assert cli("timeline", "add", incident_id, "Identified database primary node failure", "--kind", "action",
               "--at", "2025-01-15T02:45:00Z").code == 0
    assert cli("mitigate", incident_id, "--at", "2025-01-15T04:30:00Z").code == 0
    assert cli("resolve", incident_id, "--at", "2025-01-15T04:45:00Z").code == 0
    shown = cli("show", incident_id)
    assert "TTD: 2 minutes 15 seconds" in shown.out
    assert "TTR: 2 hours 15 minutes" in shown.out
    data = cli("show", incident_id, "--json").json()
    assert data["status"] == "resolved"
    texts = [e["text"] for e in data["timeline"]]
    assert "Identified database primary node failure" in texts
    timeline = cli("timeline", "list", incident_id).out.splitlines()
    assert timeline[2].startswith("2025-01-15T02:32:15Z")  # backfilled events appear in time order
    # the list reads the index's rows: start, time to resolve and commander as the incident has them
    [row] = [line.split() for line in cli("list").out.splitlines()[2:] if line.startswith(incident_id)]
    assert row[:7] == [incident_id, "SEV-1", "resolved", "availability", "2025-01-15T02:30:00Z", "2h", "15m"]
    assert row[7:9] == ["Alice", "Database"]


def test_illegal_transition_is_one_clear_line_with_exit_code_4(cli):
    incident_id = declare_seed_like(cli)
    result = cli("close", incident_id)
    assert result.code == 4
    assert result.err.strip().startswith("incident-desk: error:")
    assert "cannot go from declared to closed" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_bad_fact_is_refused_naming_the_field_and_nothing_changes(cli):
    incident_id = declare_seed_like(cli)
    before = cli("show", incident_id, "--json").json()
    result = cli("set", incident_id, "--fact", "support_tickets=-5")
    assert result.code == 4 and "facts.support_tickets" in result.err
    unknown = cli("set", incident_id, "--fact", "support_tikets=5")
    assert unknown.code == 4 and "unknown fact support_tikets" in unknown.err
    after = cli("show", incident_id, "--json").json()
    assert after["revision"] == before["revision"] and after["facts"] == before["facts"]


def test_stale_revision_is_refused(cli):
    incident_id = declare_seed_like(cli)
    revision = cli("show", incident_id, "--json").json()["revision"]
    assert cli("set", incident_id, "--fact", "support_tickets=10", "--revision", str(revision)).code == 0
    stale = cli("set", incident_id, "--fact", "support_tickets=20", "--revision", str(revision))
    assert stale.code == 4 and "changed since" in stale.err


def test_not_found_exit_code(cli):
    result = cli("show", "INC-2025-999")
    assert result.code == 3 and "INC-2025-999" in result.err


def test_roles_handover_and_comms(cli):
    incident_id = declare_seed_like(cli)
    assert cli("role", "assign", incident_id, "incident_commander", "Bob", "--at", "2025-01-15T04:00:00Z").code == 0
    roles = cli("role", "list", incident_id, "--json").json()
    current = [r["person"] for r in roles if r["role"] == "incident_commander" and r["relieved_at"] is None]
    assert current == ["Bob"]
    assert cli("comms", "add", incident_id, "Investigating increased error rates", "--channel", "status_page",
               "--at", "2025-01-15T02:45:00Z").code == 0
    logged = cli("comms", "list", incident_id, "--json").json()
    assert logged[0]["channel"] == "status_page" and logged[0]["message"].startswith("Investigating")


def test_investigation_remediation_postmortem(cli):
    incident_id = declare_seed_like(cli)
    assert cli("investigation", "set", incident_id, "--primary-cause", "Failover script bug",
               "--factor", "Network partition", "--why", "Why did the outage occur?", "Primary failed",
               "--root-cause", "Not in risk assessment").code == 0
    assert cli("remediation", "add", incident_id, "Manual failover", "--phase", "immediate",
               "--status", "done").code == 0
    assert cli("remediation", "add", incident_id, "Fix script", "--phase", "short_term").code == 0
    assert cli("remediation", "update", incident_id, "2", "--status", "in_progress").code == 0
    assert cli("postmortem", "set", incident_id, "--went-well", "Quick declaration",
               "--lesson", "Test failure scenarios").code == 0
    data = cli("show", incident_id, "--json").json()
    assert data["investigation"]["whys"] == [{"question": "Why did the outage occur?", "answer": "Primary failed"}]
    assert [a["status"] for a in data["remediation"]] == ["done", "in_progress"]
    assert data["postmortem"]["lessons"] == ["Test failure scenarios"]


def test_action_items_overdue_across_incidents(cli):
    first = declare_seed_like(cli)
    second = cli("declare", "Slow search", "--json").json()["id"]
    assert cli("action", "add", first, "Fix failover script", "--owner", "DB Eng", "--priority", "high",
               "--due", "2025-01-16").code == 0
    assert cli("action", "add", second, "Add index", "--owner", "Search", "--due", "2199-01-01").code == 0
    assert cli("action", "add", second, "Old done thing", "--owner", "Search", "--due", "2020-01-01",
               "--status", "done").code == 0
    overdue = cli("action", "list", "--overdue", "--json").json()
    assert [(o["incident_id"], o["title"]) for o in overdue] == [(first, "Fix failover script")]
    assert cli("action", "update", first, "A1", "--status", "done").code == 0
    assert cli("action", "list", "--overdue", "--json").json() == []
    bad_date = cli("action", "add", first, "X", "--owner", "Y", "--due", "16/01/2025")
    assert bad_date.code == 2 and "not a date" in bad_date.err


def test_export_import_round_trip_and_audit_verify(cli, tmp_path):
    incident_id = declare_seed_like(cli)
    cli("timeline", "add", incident_id, "Something happened")
    out = tmp_path / "inc.json"
    assert cli("export", incident_id, "--output", out).code == 0
    exported = __import__("json").loads(out.read_text())
    assert exported["incident"]["id"] == incident_id and len(exported["audit_head"]) == 64
    assert cli("import", out).code == 4  # exists already
    assert cli("import", out, "--replace").code == 0
    again = cli("show", incident_id, "--json").json()
    assert [e["text"] for e in again["timeline"]] == [e["text"] for e in exported["incident"]["timeline"]]
    verify = cli("audit", "verify")
    assert verify.code == 0 and "audit chains intact" in verify.out
    garbage = tmp_path / "bad.json"
    garbage.write_text("{not json")
    result = cli("import", garbage)
    assert result.code == 4 and str(garbage) in result.err


def test_severity_override_and_clear(cli):
    incident_id = cli("declare", "Checkout errors", "--json").json()["id"]
    assert cli("severity", "override", incident_id, "sev2", "--reason", "Executive escalation").code == 0
    data = cli("show", incident_id, "--json").json()
    assert data["severity"]["override"]["author"] == "alice"
    assert cli("severity", "clear", incident_id).code == 0
    assert cli("show", incident_id, "--json").json()["severity"]["override"] is None


def test_list_filters(cli):
    a = cli("declare", "API down", "--service", "api", "--severity", "sev1", "--json").json()["id"]
    b = cli("declare", "Search slow", "--service", "search", "--type", "performance", "--json").json()["id"]
    cli("resolve", b)
    assert [r["id"] for r in cli("list", "--active", "--json").json()] == [a]
    assert [r["id"] for r in cli("list", "--type", "performance", "--json").json()] == [b]
    assert [r["id"] for r in cli("list", "--severity", "SEV-1", "--json").json()] == [a]
    assert [r["id"] for r in cli("list", "--search", "search", "--json").json()] == [b]
    assert "API down" in cli("list").out
    wrong = cli("list", "--severity", "urgent")
    assert wrong.code == 2 and "--severity: 'urgent' is not a severity level" in wrong.err


def test_errors_never_show_a_traceback_from_a_real_process(cli_process, tmp_path):
    result = cli_process("show", "not-an-id")
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.strip().startswith("incident-desk: error: 'not-an-id' is not a valid incident id: expected")
    missing = cli_process("--workspace", tmp_path / "nowhere", "list")
    assert missing.code == 5 and "no workspace" in missing.err and "Traceback" not in missing.err


def test_a_bug_shows_one_line_and_keeps_the_traceback_in_a_crash_log(cli, monkeypatch, tmp_path):
    from incident_desk.app.desk import Desk

    def broken(self, *args, **kwargs):
        raise RuntimeError("summary index exploded")

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(Desk, "summaries", broken)
    monkeypatch.setattr(Desk, "iter_summaries", broken)
    monkeypatch.setattr(Desk, "rows", broken)
    result = cli("list")
    assert result.code == 70
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "internal error: RuntimeError: summary index exploded" in lines[0]
    log_path = lines[0].split("details written to ")[1].split(";")[0]
    assert "Traceback" in open(log_path, encoding="utf-8").read()


def test_declared_severity_becomes_an_override_only_when_the_rules_disagree(cli):
    agree = cli("declare", "Checkout errors", "--severity", "sev2", "--fact", "customer_impact_pct=35",
                "--json").json()
    assert agree["severity"]["computed"] == "SEV-2" and agree["severity"]["override"] is None
    disagree = cli("declare", "Checkout errors", "--severity", "sev1", "--fact", "customer_impact_pct=35",
                   "--commander", "Dana", "--json").json()
    assert disagree["severity"]["override"]["level"] == "SEV-1"
    assert disagree["severity"]["override"]["reason"] == "set when declared"
    role_event = next(e for e in disagree["timeline"] if e["source"] == "roles")
    assert role_event["author"] == "alice"
    bogus = cli("declare", "X", "--severity", "critical")
    assert bogus.code == 4 and "severity: 'critical' is not a severity level such as SEV-1" in bogus.err
