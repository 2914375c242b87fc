"""The maturity assessment moves a dimension up a level exactly when its signal crosses the threshold,
naming the evidence; the rubric file is validated and its own tests run with `rules check`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from incident_desk.app import maturity_service, playbook_service
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


def resolved_incident(desk, day: int, ack_minutes: int = 10) -> str:
    start = NOW - timedelta(days=day)
    incident = desk.declare(title=f"Outage {day}", type="availability", severity="sev3", started_at=start,
                            alerted_at=start, declared_at=start + timedelta(minutes=2))
    desk.acknowledge(incident.id, at=start + timedelta(minutes=ack_minutes))
    desk.transition(incident.id, "resolved", at=start + timedelta(hours=1))
    return incident.id


def dimension(assessment, name):
    return next(d for d in assessment.dimensions if d.id == name)


def test_process_level_rises_when_the_postmortem_rate_crosses_60_percent(desk):
    ids = [resolved_incident(desk, day) for day in (40, 30, 20, 10)]
    for incident_id in ids[:2]:
        desk.set_postmortem(incident_id, held_at=desk.get(incident_id).clock.resolved_at + timedelta(hours=20))
    process = dimension(maturity_service.assess(desk), "process")
    assert process.level == 2  # 2 of 4 = 50% < 60%
    evidence = " ".join(c.evidence for c in process.criteria)
    assert "postmortem_rate = 50%: 2 of 4 resolved incidents had a post-mortem" in evidence
    assert f"none yet for {ids[2]}, {ids[3]}" in evidence
    assert process.next_level_needs == ("postmortem_rate >= 60% (now 50%)",)

    desk.set_postmortem(ids[2], held_at=desk.get(ids[2]).clock.resolved_at + timedelta(hours=20))
    process = dimension(maturity_service.assess(desk), "process")
    assert process.level == 3 and process.description == "Defined incident response process"
    assert "3 of 4 resolved incidents had a post-mortem; none yet for " + ids[3] in process.criteria[0].evidence
    assert process.next_level_needs == ("postmortem_rate >= 85% (now 75%)",)


def test_a_recorded_drill_lifts_people_and_slow_acknowledgement_holds_it_back(desk):
    for day in (30, 20):
        resolved_incident(desk, day, ack_minutes=10)  # SEV-3 target: 1 hour
    people = dimension(maturity_service.assess(desk), "people")
    assert people.level == 2 and "drills >= 1 (now 0)" in people.next_level_needs
    drill = playbook_service.record_drill(desk, "security")
    people = dimension(maturity_service.assess(desk), "people")
    assert people.level == 3 and f"1 drills recorded: {drill.id}" in people.criteria[1].evidence
    slow = resolved_incident(desk, 5, ack_minutes=90)  # 1 of 3 slower than its level's target: 66.67% < 70%
    people = dimension(maturity_service.assess(desk), "people")
    assert people.level == 2 and f"slower: {slow}" in people.criteria[0].evidence


def test_the_report_section_is_filled_from_the_assessment(desk):
    incident_id = resolved_incident(desk, 3)
    from incident_desk.app import reporting

    text = reporting.text_report(desk, incident_id)
    section = text.split("INCIDENT RESPONSE MATURITY ASSESSMENT:")[1]
    assessment = maturity_service.assess(desk)
    assert f"Current Level: {assessment.level}/5 ({assessment.level_name})" in section
    assert "Target Level: 4/5 (Managed)" in section and "• Metrics: Comprehensive metrics with trend analysis" in section
    assert "Not assessed yet" not in text


def run(*args):
    return run_cli_redirected(*args)


def test_rubric_errors_are_located_and_its_tests_run(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(tmp_path / "ws"))
    assert main(["init"]) == 0
    code, out, _ = run("maturity")
    assert code == 0 and out.startswith("Incident response maturity: 1/5 (Initial)")
    rubric = tmp_path / "ws" / "rules" / "maturity.yaml"
    original = rubric.read_text()
    rubric.write_text(original.replace("signal: postmortem_rate", "signal: postmortem_rat", 1))
    code, _, err = run("rules", "check")
    assert code == 4 and "maturity.yaml:" in err and "dimensions[0].criteria[0].signal: unknown signal " \
        "'postmortem_rat'" in err and "postmortem_rate" in err
    code, _, err = run("maturity")
    assert code == 4 and "postmortem_rat" in err
    rubric.write_text(original.replace("expect: {overall: 1, process: 1, culture: 1}",
                                       "expect: {overall: 2, process: 1, culture: 1}"))
    code, out, _ = run("rules", "check")
    assert code == 1 and "FAIL maturity: a young team is Initial" in out and "overall: expected 2, got 1" in out


def test_rules_validate_checks_learning_files_on_their_own(tmp_path):
    from incident_desk.app.rules_service import bundled_rules_dir

    rubric = tmp_path / "maturity.yaml"
    rubric.write_text((bundled_rules_dir() / "maturity.yaml").read_text().replace("signal: drills", "signal: drils"))
    playbook = bundled_rules_dir() / "playbooks" / "security.yaml"
    code, out, err = run("rules", "validate", rubric, playbook, bundled_rules_dir() / "improvements.yaml")
    assert code == 4
    assert "maturity.yaml:" in err and "signal: unknown signal 'drils' - did you mean 'drills'?" in err
    assert "security.yaml: valid" in out and "improvements.yaml: valid" in out
