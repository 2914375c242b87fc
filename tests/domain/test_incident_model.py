"""The incident model refuses impossible data and reproduces the seed's per-incident figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from incident_desk.domain import (
    Clock,
    DomainError,
    IllegalTransition,
    ImpactKind,
    ImpactWindow,
    Incident,
    Priority,
    Role,
    Status,
    WorkStatus,
)
from incident_desk.domain import figures, operations
from incident_desk.domain.timeutil import format_duration, parse_duration


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2025, 1, 15, hour, minute, second, tzinfo=timezone.utc)


def seed_incident() -> Incident:
    incident = Incident(
        id="INC-2025-001",
        title="Database cluster failover failure causing 100% API error rate",
        clock=Clock(started_at=at(2, 30), alerted_at=at(2, 30), declared_at=at(2, 32, 15)),
    )
    operations.set_facts(incident, {"revenue_per_hour": 85_000, "customer_impact_pct": 100})
    operations.acknowledge(incident, at(2, 35), author="ic")
    operations.transition(incident, Status.RESOLVED, at(4, 45), author="ic")
    return incident


def test_seed_figures_are_reproduced_exactly():
    incident = seed_incident()
    assert figures.time_to_detect(incident) == timedelta(minutes=2, seconds=15)
    assert figures.time_to_acknowledge(incident) == timedelta(minutes=5)
    assert figures.time_to_resolve(incident) == timedelta(hours=2, minutes=15)
    assert figures.revenue_loss(incident) == 191_250
    assert format_duration(figures.time_to_resolve(incident)) == "2 hours 15 minutes"
    assert format_duration(figures.time_to_detect(incident)) == "2 minutes 15 seconds"


def test_outage_windows_drive_revenue_loss_and_degradation():
    incident = seed_incident()
    incident.impact.windows = [
        ImpactWindow(kind=ImpactKind.COMPLETE_OUTAGE, start=at(2, 30), end=at(3, 30)),
        ImpactWindow(kind=ImpactKind.PARTIAL_DEGRADATION, start=at(3, 30), end=at(4, 15)),
    ]
    assert figures.complete_outage(incident) == timedelta(hours=1)
    assert figures.partial_degradation(incident) == timedelta(minutes=45)
    assert figures.revenue_loss(incident) == 85_000


def test_unknown_inputs_give_unknown_figures_not_zero():
    incident = Incident(id="INC-2025-002", title="Slow search")
    assert figures.time_to_detect(incident) is None
    assert figures.revenue_loss(incident) is None


def test_lifecycle_stamps_clocks_and_records_status_events():
    incident = seed_incident()
    assert incident.clock.acknowledged_at == at(2, 35)
    assert incident.clock.resolved_at == at(4, 45)
    assert incident.clock.mitigated_at == at(4, 45)  # skipping monitoring still records mitigation
    kinds = [e.text for e in incident.timeline]
    assert "Status declared -> investigating: acknowledged" in kinds
    assert "Status investigating -> resolved" in kinds


def test_illegal_transition_is_refused_with_the_allowed_moves():
    incident = seed_incident()
    operations.transition(incident, Status.CLOSED, at(6, 0))
    with pytest.raises(IllegalTransition, match="closed is final"):
        operations.transition(incident, Status.INVESTIGATING, at(6, 1))
    fresh = Incident(id="INC-2025-003", title="t")
    with pytest.raises(IllegalTransition, match="cannot go from declared to post-mortem"):
        operations.transition(fresh, Status.POSTMORTEM, at(6, 1))


def test_reopening_a_resolved_incident_clears_resolution():
    incident = seed_incident()
    operations.transition(incident, Status.INVESTIGATING, at(5, 0), note="relapse")
    assert incident.clock.resolved_at is None and incident.status is Status.INVESTIGATING


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"title": "   "}, "title"),
        ({"title": "x", "id": "INC-25-1"}, "not a valid incident id"),
        ({"title": "x", "clock": {"started_at": at(4, 0), "resolved_at": at(3, 0)}}, "resolved .* is before started"),
        ({"title": "x", "facts": {"support_tickets": -1}}, "support_tickets"),
        ({"title": "x", "facts": {"customer_impact_pct": 140}}, "customer_impact_pct"),
        ({"title": "x", "colour": "red"}, "colour"),
    ],
)
def test_impossible_data_is_refused_naming_the_field(kwargs, message):
    data = {"id": "INC-2025-009", **kwargs}
    with pytest.raises(ValidationError, match=message):
        Incident(**data)


def test_resolving_before_start_via_operation_is_refused():
    incident = Incident(id="INC-2025-004", title="t", clock=Clock(started_at=at(4, 0)))
    with pytest.raises(DomainError, match="resolved .* is before started"):
        operations.transition(incident, Status.RESOLVED, at(3, 0))
    assert incident.status is Status.DECLARED and incident.clock.resolved_at is None


def test_set_facts_is_all_or_nothing():
    incident = Incident(id="INC-2025-005", title="t")
    with pytest.raises(DomainError, match="facts.failed_transactions"):
        operations.set_facts(incident, {"support_tickets": 5, "failed_transactions": -2})
    assert incident.facts.support_tickets is None
    with pytest.raises(DomainError, match="unknown fact customer_impct"):
        operations.set_facts(incident, {"customer_impct": 5})


def test_role_handover_relieves_the_previous_holder():
    incident = Incident(id="INC-2025-006", title="t")
    operations.assign_role(incident, Role.INCIDENT_COMMANDER, "Alice", at(2, 33))
    operations.assign_role(incident, Role.INCIDENT_COMMANDER, "Bob", at(4, 0))
    holders = incident.current_holders(Role.INCIDENT_COMMANDER)
    assert [h.person for h in holders] == ["Bob"]
    assert incident.roles[0].relieved_at == at(4, 0)
    assert incident.timeline[-1].text == "Incident commander handed over from Alice to Bob"


def test_action_items_overdue_is_derived_and_done_stamps_completion():
    incident = Incident(id="INC-2025-007", title="t")
    item = operations.add_action_item(incident, at(5, 0), title="Fix script", owner="DB Eng",
                                      priority=Priority.HIGH, due=date(2025, 1, 16))
    assert item.id == "A1"
    assert item.is_overdue(date(2025, 1, 17)) and not item.is_overdue(date(2025, 1, 16))
    operations.update_action_item(incident, "a1", at(6, 0), {"status": "done"})
    assert item.status is WorkStatus.DONE and item.completed_at == at(6, 0)
    assert not item.is_overdue(date(2025, 2, 1))
    with pytest.raises(DomainError, match="has no action item A9; it has A1"):
        operations.update_action_item(incident, "A9", at(6, 0), {"status": "done"})


def test_durations_parse_and_refuse_nonsense():
    assert parse_duration("5m") == timedelta(minutes=5)
    assert parse_duration("2h") == timedelta(hours=2)
    assert parse_duration("3d") == timedelta(days=3)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("5 minutes")


def test_severity_override_keeps_computed_level_beside_it():
    incident = seed_incident()
    incident.severity.computed = "SEV-2"
    operations.override_severity(incident, "sev1", "CEO escalated", "alice", at(3, 0))
    assert incident.severity.level == "SEV-1" and incident.severity.computed == "SEV-2"
    with pytest.raises(DomainError, match="reason"):
        operations.override_severity(incident, "SEV-1", " ", "alice", at(3, 0))


def test_completing_a_recurring_item_schedules_the_next_occurrence():
    incident = Incident(id="INC-2025-008", title="t")
    drill = operations.add_action_item(incident, at(5, 0), title="Conduct failover drill", owner="SRE",
                                       priority=Priority.LOW, due=date(2025, 4, 1), recurrence="quarterly")
    operations.update_action_item(incident, drill.id, at(6, 0), {"status": "done"})
    follow_up = incident.action_items[-1]
    assert follow_up.id == "A2" and follow_up.title == "Conduct failover drill"
    assert follow_up.due == date(2025, 7, 1) and follow_up.status is WorkStatus.SCHEDULED
    assert follow_up.recurrence == "quarterly" and follow_up.owner == "SRE"
    assert "next occurrence A2 due 2025-07-01" in incident.timeline[-1].text
    # done again (already completed): no second follow-up
    operations.update_action_item(incident, drill.id, at(7, 0), {"status": "done"})
    assert len(incident.action_items) == 2


def test_monthly_recurrence_clamps_to_the_end_of_a_short_month():
    assert operations.next_due(date(2025, 1, 31), "monthly") == date(2025, 2, 28)
    assert operations.next_due(date(2024, 1, 31), "monthly") == date(2024, 2, 29)
    assert operations.next_due(date(2025, 11, 15), "quarterly") == date(2026, 2, 15)
    assert operations.next_due(date(2025, 12, 29), "weekly") == date(2026, 1, 5)
    assert operations.next_due(date(2024, 2, 29), "yearly") == date(2025, 2, 28)
