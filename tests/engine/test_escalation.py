"""Escalations: due steps, repeats, restart without double firing or skipping, next firing, notifiers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incident_desk.domain import Clock, Facts, Status
from incident_desk.engine import RulesError, load_ruleset

from .conftest import LEVELS, at, seed_incident, write_rules

POLICY = """\
version: 1
policies:
  - id: sev1-unack
    description: SEV-1 not acknowledged
    when: {field: severity, op: eq, value: SEV-1}
    trigger: {state: unacknowledged, after: 5m}
    repeat: {every: 15m, max: 3}
    actions:
      - notify: {notifier: email, target: executives, template: executive-escalation}
      - assign_role: {role: incident_commander, person: duty-manager}
      - raise_severity: SEV-1
"""


@pytest.fixture()
def ruleset(tmp_path):
    return load_ruleset(write_rules(tmp_path, severity=LEVELS, escalation=POLICY))


def open_sev1(**clock):
    incident = seed_incident(status=Status.DECLARED, clock=Clock(started_at=at(2, 30), alerted_at=at(2, 30),
                                                                  declared_at=at(2, 32), **clock),
                             facts=Facts())
    incident.severity.computed = "SEV-1"
    return incident


def fire(ruleset, incident, now):
    """What a scheduler does: take what is due and record each firing on the incident."""
    due = ruleset.due_escalations(incident, now)
    for item in due:
        incident.escalations.append(item.record(now))
    return [item.key for item in due]


def test_first_step_fires_after_the_delay(ruleset):
    incident = open_sev1()
    assert ruleset.due_escalations(incident, at(2, 34)) == []
    due = ruleset.due_escalations(incident, at(2, 35))
    assert [d.key for d in due] == ["sev1-unack#0"]
    assert due[0].due_at == at(2, 35)  # 5 minutes after the first alert
    kinds = [a.kind for a in due[0].actions]
    assert kinds == ["notify", "assign_role", "raise_severity"]
    assert due[0].actions[0].notifier == "email" and due[0].actions[0].target == "executives"
    assert due[0].actions[1].role == "incident_commander" and due[0].actions[2].level == "SEV-1"


def test_repeats_every_interval_up_to_max_and_never_twice(ruleset):
    incident = open_sev1()
    fired = []
    for minute in range(35, 60 * 3):
        fired += fire(ruleset, incident, at(2) + timedelta(minutes=minute))
    assert fired == ["sev1-unack#0", "sev1-unack#1", "sev1-unack#2", "sev1-unack#3"]
    assert [r.fired_at for r in incident.escalations] == [at(2, 35), at(2, 50), at(3, 5), at(3, 20)]
    assert ruleset.next_escalation(incident, at(4)) is None


def test_restart_after_downtime_fires_each_missed_step_once(ruleset):
    incident = open_sev1()
    assert fire(ruleset, incident, at(2, 36)) == ["sev1-unack#0"]
    # the desk was down from 02:36 to 03:10: steps #1 (02:50) and #2 (03:05) were missed
    assert fire(ruleset, incident, at(3, 10)) == ["sev1-unack#1", "sev1-unack#2"]
    # a second restart at the same moment sends nothing again
    assert fire(ruleset, incident, at(3, 10)) == []
    assert fire(ruleset, incident, at(3, 20)) == ["sev1-unack#3"]


def test_records_survive_a_round_trip_through_json(ruleset):
    incident = open_sev1()
    fire(ruleset, incident, at(2, 51))
    reloaded = type(incident).model_validate_json(incident.model_dump_json())
    assert ruleset.due_escalations(reloaded, at(2, 51)) == []


def test_acknowledgement_stops_the_policy(ruleset):
    incident = open_sev1(acknowledged_at=at(2, 40))
    assert ruleset.due_escalations(incident, at(3, 30)) == []
    assert ruleset.next_escalation(incident, at(3, 30)) is None


def test_when_condition_gates_the_policy(ruleset):
    incident = open_sev1()
    incident.severity.computed = "SEV-3"
    assert ruleset.due_escalations(incident, at(3, 30)) == []


def test_next_escalation_says_when(ruleset):
    incident = open_sev1()
    upcoming = ruleset.next_escalation(incident, at(2, 33))
    assert upcoming.key == "sev1-unack#0" and upcoming.due_at == at(2, 35)
    assert upcoming.due_in == timedelta(minutes=2)
    fire(ruleset, incident, at(2, 35))
    assert ruleset.next_escalation(incident, at(2, 35)).due_at == at(2, 50)


def test_clock_trigger_and_default_policies(default_rules):
    incident = seed_incident()  # resolved at 04:45, SEV-1 once classified
    incident.severity = default_rules.classify(incident)
    incident.status = Status.RESOLVED
    due = default_rules.due_escalations(incident, at(4, 45, day=17))
    assert [d.key for d in due] == ["postmortem-overdue#0"]
    assert due[0].due_at == at(4, 45, day=17)


def test_unknown_notifier_is_refused_with_did_you_mean(tmp_path):
    directory = write_rules(tmp_path, severity=LEVELS, escalation=POLICY.replace("notifier: email",
                                                                                  "notifier: emial"))
    with pytest.raises(RulesError) as error:
        load_ruleset(directory)
    (problem,) = error.value.problems
    assert problem.line == 9 and problem.path == "policies[0].actions[0].notify.notifier"
    assert problem.message == "unknown notifier 'emial' - did you mean 'email'?"


def test_known_notifiers_come_from_the_caller(tmp_path):
    directory = write_rules(tmp_path, severity=LEVELS, escalation=POLICY.replace("notifier: email",
                                                                                  "notifier: pager"))
    assert load_ruleset(directory, known_notifiers={"pager", "email"}).policies[0].actions[0].notifier == "pager"
    with pytest.raises(RulesError):
        load_ruleset(directory)
