"""Due escalations fire once per step through a real workspace: restart-safe, no doubles, no skips."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from incident_desk.app.escalations import fire_due_escalations
from incident_desk.app.wiring import open_desk

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def declare_sev1(desk):
    return desk.declare(title="Checkout down", facts={"customer_impact_pct": 100, "revenue_per_hour": 50000},
                        started_at=T0, declared_at=T0)


def test_sev1_unacknowledged_fires_once_per_step_across_restarts(tmp_path):
    with open_desk(tmp_path / "ws", create=True, actor="test") as desk:
        incident = declare_sev1(desk)
        assert incident.severity.computed == "SEV-1"
        assert fire_due_escalations(desk, T0 + timedelta(minutes=4)) == []
        first = fire_due_escalations(desk, T0 + timedelta(minutes=6))
        assert [f.key for f in first] == ["sev1-unacknowledged#0"]
        assert first[0].actions[0].startswith("not sent: desktop to executives: no notification service")
        assert fire_due_escalations(desk, T0 + timedelta(minutes=7)) == []  # already recorded

    with open_desk(tmp_path / "ws", actor="test") as desk:  # a restart after 40 minutes of downtime
        later = fire_due_escalations(desk, T0 + timedelta(minutes=40))
        keys = [f.key for f in later]
        assert "sev1-unacknowledged#1" in keys and "sev1-unacknowledged#2" in keys  # missed steps each fire once
        stored = desk.get(incident.id)
        recorded = [r.key for r in stored.escalations]
        assert len(recorded) == len(set(recorded)) == 1 + len(later)
        events = [e.text for e in stored.timeline if e.source == "escalation"]
        assert len(events) == len(recorded) and "sev1-unacknowledged" in events[0]


def test_acknowledging_stops_the_unacknowledged_policy(tmp_path):
    with open_desk(tmp_path / "ws", create=True, actor="test") as desk:
        incident = declare_sev1(desk)
        desk.acknowledge(incident.id, at=T0 + timedelta(minutes=3))
        fired = fire_due_escalations(desk, T0 + timedelta(minutes=20))
        assert not [f for f in fired if f.policy_id == "sev1-unacknowledged"]


def test_sev2_running_long_raises_severity(tmp_path):
    with open_desk(tmp_path / "ws", create=True, actor="test") as desk:
        incident = desk.declare(title="Degraded search", facts={"customer_impact_pct": 30}, started_at=T0,
                                declared_at=T0)
        assert incident.severity.computed == "SEV-2", incident.severity
        desk.acknowledge(incident.id, at=T0 + timedelta(minutes=5))
        fire_due_escalations(desk, T0 + timedelta(hours=9))
        stored = desk.get(incident.id)
        assert stored.severity.level == "SEV-1" and stored.severity.computed == "SEV-2"
        assert stored.severity.override.reason == "escalation sev2-running-long"
