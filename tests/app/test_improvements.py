"""Process improvements and recommendations derived from the data by rules/improvements.yaml."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from incident_desk.app import improvements_service, reporting
from incident_desk.app.wiring import open_desk
from incident_desk.cli.main import main
from tests.cli_support import run_cli_redirected

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def desk(tmp_path):
    desk = open_desk(tmp_path / "ws", create=True, actor="tester")
    desk.clock = lambda: NOW
    yield desk
    desk.close()


def incident(desk, day, type_="availability", level="sev3", ack_minutes=10, factors=(), postmortem=True):
    start = NOW - timedelta(days=day)
    found = desk.declare(title=f"Incident {day}", type=type_, severity=level, started_at=start, alerted_at=start,
                         declared_at=start + timedelta(minutes=1))
    desk.acknowledge(found.id, at=start + timedelta(minutes=ack_minutes))
    desk.transition(found.id, "resolved", at=start + timedelta(hours=1))
    if factors:
        desk.set_investigation(found.id, add_factors=list(factors))
    if postmortem:
        desk.set_postmortem(found.id, held_at=start + timedelta(hours=20))
    return found.id


def test_patterns_become_items_with_their_evidence(desk):
    a = incident(desk, 30, factors=["Runbook out of date"])
    b = incident(desk, 20, factors=["runbook  out of DATE", "No canary"])
    capacity = [incident(desk, d, type_="capacity") for d in (15, 14, 13)]
    slow = incident(desk, 10, level="sev2", ack_minutes=40)
    incident(desk, 9, level="sev2", ack_minutes=5)
    forgotten = incident(desk, 8, postmortem=False)
    desk.add_action_item(a, title="Update the runbook", owner="SRE", due=date(2026, 6, 1))
    old = incident(desk, 200)  # outside the 90-day window, but its overdue item still counts
    desk.add_action_item(old, title="Replace the old load balancer", owner="Network", due=date(2026, 1, 31))
    items = {i.rule_id: i for i in improvements_service.derive(desk)}

    factor = items["repeated-factor"]
    assert factor.section == "process_improvements"
    assert factor.text == "Remove the repeated contributing factor 'Runbook out of date' (2 incidents)"
    assert factor.incidents == tuple(sorted((a, b)))  # 'No canary' once only: no finding
    assert items["missing-playbook"].text == "Write a capacity playbook: 3 capacity incidents had none"
    assert items["missing-playbook"].incidents == tuple(capacity)
    ack = items["slow-ack"]
    assert ack.text == "Speed up SEV-2 acknowledgement: 50% of 2 incidents missed the 15m target (MTTA 22m 30s)"
    assert ack.incidents == (slow,)
    assert items["postmortems-missing"].incidents == (forgotten,)
    assert items["overdue-actions"].text == "Review the 2 overdue action items with their owners"
    assert f"{a} A1 (due 2026-06-01, SRE)" in items["overdue-actions"].evidence
    assert f"{old} A1 (due 2026-01-31, Network)" in items["overdue-actions"].evidence
    assert items["postmortems-missing"].incidents == (forgotten,)  # the old one is outside the window

    # the report of an incident lists its own post-mortem items, then the findings it is part of
    desk.set_postmortem(b, process_improvements=["Add a canary stage"])
    text = reporting.text_report(desk, b)
    improvements = text.split("PROCESS IMPROVEMENTS:")[1].split("RECOMMENDATIONS:")[0]
    assert "1. Add a canary stage" in improvements
    assert "2. Remove the repeated contributing factor 'Runbook out of date' (2 incidents) (evidence: " \
           f"contributing factor 'Runbook out of date' in 2 incidents: {a}, {b})" in improvements
    assert "capacity" not in text.split("RECOMMENDATIONS:")[1].split("INCIDENT RESPONSE MATURITY")[0]


def test_an_incident_report_shows_every_finding_it_is_part_of(desk):
    """A report reads only the history its findings need (the workspace's overdue items only for an incident
    with one overdue), and still shows exactly the findings of the whole workspace that name it."""
    a = incident(desk, 30, factors=["Runbook out of date"])
    b = incident(desk, 20, factors=["Runbook out of date"])
    old = incident(desk, 400)  # outside every window
    desk.add_action_item(a, title="Update the runbook", owner="SRE", due=date(2026, 6, 1))
    desk.add_action_item(old, title="Replace the old load balancer", owner="Network", due=date(2025, 6, 1))
    desk.add_action_item(b, title="Add a canary", owner="Dev", due=date(2026, 12, 1))  # not due yet
    everything = improvements_service.derive(desk)
    for incident_id in (a, b, old):
        expected = tuple(i for i in everything if incident_id in i.incidents)
        assert improvements_service.report_items(desk, desk.get(incident_id)) == expected
    overdue = next(i for i in everything if i.rule_id == "overdue-actions")
    assert overdue.text == "Review the 2 overdue action items with their owners"
    assert [i.rule_id for i in improvements_service.report_items(desk, desk.get(old))] == ["overdue-actions"]
    assert "overdue-actions" not in [i.rule_id for i in improvements_service.report_items(desk, desk.get(b))]
    assert "Review the 2 overdue action items" in reporting.text_report(desk, a)


def run(*args):
    return run_cli_redirected(*args)


def test_bad_improvement_rules_are_located(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(tmp_path / "ws"))
    assert main(["init"]) == 0
    code, out, _ = run("improvements")
    assert code == 0 and "Nothing to improve" in out
    path = tmp_path / "ws" / "rules" / "improvements.yaml"
    path.write_text(path.read_text().replace("({count} incidents)", "({cuont} incidents)")
                    .replace("finding: overdue_action_items", "finding: overdue_actions"))
    code, _, err = run("improvements")
    assert code == 4 and "improvements.yaml:" in err
    assert "rules[0].text: unknown placeholder '{cuont}'" in err and "{count}" in err
    assert "rules[2].finding: unknown finding 'overdue_actions'" in err and "overdue_action_items" in err
    code, _, err = run("rules", "check")
    assert code == 4 and "{cuont}" in err
