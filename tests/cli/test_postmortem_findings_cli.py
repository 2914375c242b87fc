"""Issue 9: what entering a real post-mortem (a deleted production database, five failed backup mechanisms,
six hours of data lost) showed. Each numbered finding, through the command line."""

from __future__ import annotations

from pathlib import Path

import pytest


def declare_data_loss(cli, *facts: str) -> str:
    """The real incident: no customer-impact percentage, data lost for good."""
    args = ["declare", "Production database directory deleted; backups failed", "--type", "data-loss",
            "--service", "gitlab-com", "--started-at", "2017-01-31T23:00:00Z",
            "--declared-at", "2017-01-31T23:27:00Z", "--json"]
    for fact in facts:
        args += ["--fact", fact]
    result = cli(*args)
    assert result.code == 0, result.err
    return result.json()["id"]


# ---------------------------------------------------------------------------- 1. data loss drives severity


def test_1_permanent_data_loss_without_impact_percentage_is_sev1_and_named_in_explanation_and_report(cli):
    incident_id = declare_data_loss(cli, "data_lost=true", "data_recoverable=false", "records_lost=10700",
                                    "data_loss_window=6h", "backups_failed=5")
    shown = cli("show", incident_id, "--json").json()
    assert shown["facts"]["customer_impact_pct"] is None
    assert shown["severity"]["computed"] == "SEV-1"
    assert [m["rule_id"] for m in shown["severity"]["explanation"]] == ["sev1-permanent-data-loss"]

    explained = cli("rules", "explain", incident_id)
    assert "• Data Loss: Customer data lost" in explained.out
    assert "• Data Recovery: lost data cannot be recovered (permanent loss)" in explained.out

    report = cli("report", incident_id).out
    assert "Severity: SEV-1 (Critical)" in report
    assert "• Data Loss: Customer data lost" in report.split("TIMELINE RECONSTRUCTION:")[0]
    impact = report.split("IMPACT ASSESSMENT:")[1].split("COMMUNICATION LOG:")[0]
    assert "• Customer data lost: 10,700 records (6 hours of writes); permanent: cannot be recovered" in impact
    assert "• 5 backup or replication mechanisms failed" in impact


def test_1_recoverable_loss_or_failed_backups_is_sev2(cli):
    recoverable = declare_data_loss(cli, "data_lost=true", "data_recoverable=true")
    assert cli("show", recoverable, "--json").json()["severity"]["computed"] == "SEV-2"
    at_risk = declare_data_loss(cli, "data_lost=false", "backups_failed=1")
    severity = cli("show", at_risk, "--json").json()["severity"]
    assert severity["computed"] == "SEV-2"
    assert [m["rule_id"] for m in severity["explanation"]] == ["sev2-data-integrity-risk"]


def test_1_data_loss_facts_are_documented_with_units(cli):
    fields = {row["name"]: row for row in cli("rules", "fields", "--json").json()}
    assert fields["records_lost"]["unit"] == "records" and fields["records_lost"]["type"] == "integer"
    assert fields["data_loss_window"]["type"] == "duration"
    assert fields["data_lost"]["type"] == fields["data_recoverable"]["type"] == "boolean"
    assert fields["backups_failed"]["unit"] == "mechanisms"
    bad = cli("set", declare_data_loss(cli), "--fact", "data_loss_window=six hours")
    assert bad.code == 4 and "data_loss_window" in bad.err and "six hours" in bad.err


# ---------------------------------------------------------------------------- 2. derived facts


def resolved_outage(cli) -> str:
    """Resolved after 18.5 hours with no measured availability: the desk computes it from the outage."""
    incident_id = declare_data_loss(cli)
    assert cli("ack", incident_id, "--at", "2017-01-31T23:30:00Z").code == 0
    assert cli("resolve", incident_id, "--at", "2017-02-01T17:30:00Z",
               "--note", "Restored from the 6-hour-old staging snapshot").code == 0
    return incident_id


def test_2_sla_breach_is_derived_read_by_the_sev1_rule_and_explained(cli):
    incident_id = resolved_outage(cli)
    explained = cli("rules", "explain", incident_id)
    assert "sla_breached not recorded" not in explained.out
    assert "[matched] sev1-sla-violation" in explained.out
    assert "• availability_pct = 97.43% (derived: 18 hours 30 minutes of complete outage over the " \
           "SLA period of 30 days)" in explained.out
    assert "• sla_breached = yes (derived: availability 97.43% < 99.95% target)" in explained.out
    data = cli("rules", "explain", incident_id, "--json").json()
    derived = {d["field"]: d for d in data["derived"]}
    assert derived["sla_breached"]["value"] == "yes"
    assert cli("show", incident_id, "--json").json()["severity"]["computed"] == "SEV-1"


def test_2_the_computed_sla_credit_is_in_business_impact(cli):
    incident_id = resolved_outage(cli)
    business = cli("report", incident_id).out.split("Business Impact:")[1].split("Technical Impact:")[0]
    assert "• SLA credits: $106,250 (derived: availability 97.43% below the 99.95% target; 25% of the " \
           "$425,000 monthly fee)" in business


def test_2_derived_facts_are_marked_and_cannot_be_typed(cli):
    fields = {row["name"]: row for row in cli("rules", "fields", "--json").json()}
    assert fields["sla_breached"]["derived"] == "derived" and fields["availability_pct"]["derived"] == "derived"
    assert fields["duration"]["derived"] == "derived" and fields["records_lost"]["derived"] == ""
    assert "derived" in cli("rules", "fields").out
    incident_id = declare_data_loss(cli)
    refused = cli("set", incident_id, "--fact", "sla_breached=false")
    assert refused.code == 4
    assert "sla_breached is derived by the desk" in refused.err and "cannot be set by hand" in refused.err
    assert "Traceback" not in refused.err


def test_2_customers_affected_is_derived_from_the_percentage_and_cannot_disagree(cli):
    incident_id = declare_data_loss(cli, "customers_total=8000", "customer_impact_pct=25")
    explained = cli("rules", "explain", incident_id, "--json").json()
    assert cli("show", incident_id, "--json").json()["facts"]["customers_affected"] is None
    report = cli("report", incident_id).out
    assert "• 2,000 customers affected (derived: 25% of 8,000)" in report
    refused = cli("set", incident_id, "--fact", "customers_affected=500")
    assert refused.code == 4 and "disagrees" in refused.err and "2,000" in refused.err
    assert cli("set", incident_id, "--fact", "customers_affected=2000").code == 0
    assert explained["incident_id"] == incident_id


# ---------------------------------------------------------------------------- 3. reports


def test_3_text_and_markdown_show_regulatory_deadlines_and_filings(cli, tmp_path):
    incident_id = declare_data_loss(cli, "data_categories=personal", "regions=EU", "data_lost=true")
    assert cli("regulatory", "file", incident_id, "gdpr", "supervisory-authority",
               "--at", "2017-02-01T10:00:00Z", "--reference", "DPA-4411").code == 0
    report = cli("report", incident_id).out
    section = report.split("REGULATORY DEADLINES AND FILINGS:")[1].split("REMEDIATION ACTIONS:")[0]
    assert "GDPR" in section and "filed 2017-02-01T10:00:00Z (on time, reference DPA-4411)" in section
    out = tmp_path / "post-mortem.md"
    assert cli("analyze", "--post-mortem", "--incident-id", incident_id, "--output", str(out)).code == 0
    markdown = out.read_text(encoding="utf-8")
    assert "## Regulatory deadlines and filings" in markdown and "DPA-4411" in markdown


def test_3_markdown_post_mortem_carries_every_section_of_the_text_report(cli, tmp_path):
    incident_id = declare_data_loss(cli, "data_lost=true", "data_recoverable=false")
    assert cli("comms", "add", incident_id, "Investigating data loss on the primary database",
               "--channel", "status_page", "--at", "2017-01-31T23:40:00Z").code == 0
    out = tmp_path / "post-mortem.md"
    assert cli("analyze", "--post-mortem", "--incident-id", incident_id, "--output", str(out)).code == 0
    markdown = out.read_text(encoding="utf-8")
    for heading in ("## Communication log", "## Severity criteria", "## Regulatory deadlines and filings",
                    "## Metrics", "## Timeline", "## Action items"):
        assert heading in markdown, heading
    assert "Investigating data loss on the primary database" in markdown
    assert "Data Recovery: lost data cannot be recovered (permanent loss)" in markdown


# ---------------------------------------------------------------------------- 4. report details


def test_4_report_details(cli):
    incident_id = resolved_outage(cli)
    cli("impact", "set", incident_id, "--customer", "100% of customers could not push for 18 hours")
    cli("set", incident_id, "--fact", "customer_impact_pct=100")
    cli("role", "assign", incident_id, "scribe", "Lena", "--at", "2017-01-31T23:35:00Z")
    cli("action", "add", incident_id, "Test backups", "--owner", "Infra", "--priority", "low", "--due", "2017-03-01")
    cli("action", "add", incident_id, "Monitor backups", "--owner", "Infra", "--priority", "critical",
        "--due", "2017-02-10")
    report = cli("report", incident_id).out
    assert "Resolution: Restored from the 6-hour-old staging snapshot" in report
    customer = report.split("IMPACT ASSESSMENT:")[1].split("Business Impact:")[0]
    assert "unable to access service" not in customer and "100% of customers could not push" in customer
    items = report.split("ACTION ITEMS:")[1]
    assert items.index("CRITICAL PRIORITY: Monitor backups") < items.index("LOW PRIORITY: Test backups")
    events = cli("timeline", "list", incident_id, "--json").json()
    assert {e["kind"] for e in events if e["text"] == "Scribe: Lena"} == {"role"}
    local = cli("report", incident_id, "--tz", "America/Los_Angeles").out
    assert "15:35:00 PST - Scribe: Lena" in local


def test_4_per_incident_mtbf_is_exact():
    from datetime import datetime, timezone

    from incident_desk.domain import Incident, summarize
    from incident_desk.domain.incident import Clock
    from incident_desk.render import ReportContext, render_report

    def incident(number: int, start: datetime) -> Incident:
        return Incident(id=f"INC-2025-{number:03d}", title="x", clock=Clock(started_at=start))

    first = incident(1, datetime(2025, 1, 1, tzinfo=timezone.utc))
    second = incident(2, datetime(2025, 1, 11, 10, 30, tzinfo=timezone.utc))
    text = render_report(second, ReportContext(summaries=[summarize(first), summarize(second)]))
    assert "Mean Time Between Failures (MTBF): 10 days 10 hours 30 minutes" in text


def test_4_status_template_grammar(cli):
    incident_id = declare_data_loss(cli)
    preview = cli("notify", incident_id, "--template", "customer_email", "--preview")
    assert preview.code == 0, preview.err
    assert "has been disrupted" in preview.out  # one service
    no_service = cli("declare", "Something is wrong", "--json").json()["id"]
    preview = cli("notify", no_service, "--template", "customer_email", "--preview")
    assert preview.code == 0, preview.err
    assert "our services have been disrupted" in preview.out and "services has" not in preview.out


# ---------------------------------------------------------------------------- 5. entering the record


def test_5_roles_come_from_the_workspace(cli, workspace):
    incident_id = declare_data_loss(cli)
    refused = cli("role", "assign", incident_id, "technical_lead", "Yorick")
    assert refused.code == 4 and "incident_commander" in refused.err and "roles.yaml" in refused.err
    (workspace / "roles.yaml").write_text("roles:\n  - id: technical_lead\n    name: Technical lead\n"
                                          "    description: Owns the investigation\n", encoding="utf-8")
    assert "technical_lead" in cli("role", "assign", "--help").out
    listed = {r["id"]: r for r in cli("role", "list", "--json").json()}
    assert set(listed) >= {"incident_commander", "communications_lead", "operations_lead", "scribe",
                           "subject_expert", "technical_lead"}
    assert cli("role", "assign", incident_id, "technical_lead", "Yorick").code == 0
    assert "Technical lead: Yorick" in cli("report", incident_id).out
    (workspace / "roles.yaml").write_text("roles:\n  - id: Bad Role!\n", encoding="utf-8")
    broken = cli("role", "list")
    assert broken.code == 4 and "roles.yaml:2" in broken.err


def test_5_ack_documents_its_status_change(cli):
    assert "investigating" in cli("ack", "--help").out


def test_5_a_list_fact_is_cleared_by_unknown(cli):
    incident_id = declare_data_loss(cli, "data_categories=personal,payment")
    assert cli("set", incident_id, "--fact", "data_categories=unknown").code == 0
    assert cli("show", incident_id, "--json").json()["facts"]["data_categories"] == []


@pytest.mark.parametrize("command", [("list",), ("timeline", "list", "{id}"), ("comms", "list", "{id}"),
                                     ("action", "list")])
def test_5_lists_never_cut_data_when_not_a_terminal(cli, command):
    long_text = "A very long text that a real post-mortem has " * 4
    incident_id = cli("declare", long_text.strip(), "--json").json()["id"]
    cli("timeline", "add", incident_id, long_text.strip())
    cli("comms", "add", incident_id, long_text.strip())
    cli("action", "add", incident_id, long_text.strip(), "--owner", "Infra")
    out = cli(*[part.format(id=incident_id) for part in command]).out
    assert long_text.strip() in out and "…" not in out
    assert cli(*[part.format(id=incident_id) for part in command], "--wide").code == 0


def test_5_every_column_has_a_header(cli):
    incident_id = declare_data_loss(cli)
    cli("action", "add", incident_id, "Test restores", "--owner", "Infra", "--due", "2017-02-01")
    header = cli("action", "list", "--today", "2017-03-01").out.splitlines()[0].split()
    assert header == ["INCIDENT", "ITEM", "PRIORITY", "STATUS", "DUE", "OVERDUE", "OWNER", "TITLE"]


def test_5_on_a_terminal_long_cells_are_cut_unless_wide(cli, workspace):
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    long_title = "Production database directory deleted while resynchronising the replica " * 2
    cli("declare", long_title.strip())

    def on_terminal(*args: str) -> str:
        leader, follower = os.openpty()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(repo / "plugins")]),
               "INCIDENT_DESK_WORKSPACE": str(workspace)}
        done = subprocess.run([sys.executable, "-m", "incident_desk", *args], stdout=follower,
                              stderr=subprocess.PIPE, env=env, timeout=120)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert done.returncode == 0, done.stderr
        return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")

    cut = on_terminal("list")
    assert "…" in cut and long_title.strip() not in cut
    assert long_title.strip() in on_terminal("list", "--wide")
