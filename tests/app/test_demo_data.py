"""The demo data: the seed incident in full, and a deterministic, varied demo workspace."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from incident_desk.demo.data import SEED_ID, demo_incidents, demo_workspace, seed_incident
from incident_desk.domain import Incident, Phase, Status, WorkStatus, figures, incident_number
from incident_desk.domain.incident import ImpactKind


@pytest.fixture(scope="module")
def demo() -> list[Incident]:
    return demo_incidents()


def test_seed_incident_holds_every_section_of_the_seed_report():
    incident = seed_incident()
    assert incident.id == "INC-2025-001" and incident.type == "availability"
    assert incident.severity.level == "SEV-1"
    assert incident.impact.summary == "Complete service outage for all customers"
    assert incident.affected_systems == ["Primary database cluster", "API services", "customer applications"]
    assert len(incident.timeline) == 13 and len(incident.communications) == 9
    assert len(incident.investigation.contributing_factors) == 5 and len(incident.investigation.whys) == 5
    phases = Counter(action.phase for action in incident.remediation)
    assert phases == {Phase.IMMEDIATE: 3, Phase.SHORT_TERM: 4, Phase.LONG_TERM: 5}
    postmortem = incident.postmortem
    for part in ("went_well", "could_improve", "lessons", "process_improvements", "recommendations"):
        assert len(getattr(postmortem, part)) == 5, part
    assert postmortem.held_at <= figures.postmortem_due(incident)
    assert [item.status for item in incident.action_items] == [
        WorkStatus.IN_PROGRESS, WorkStatus.NOT_STARTED, WorkStatus.NOT_STARTED, WorkStatus.IN_PROGRESS,
        WorkStatus.SCHEDULED]
    assert [item.recurrence for item in incident.action_items].count("quarterly") == 1
    handovers = [r for r in incident.roles if r.relieved_at is not None]
    assert len(handovers) == 1


def test_seed_incident_reproduces_the_seed_figures():
    incident = seed_incident()
    assert figures.time_to_detect(incident) == timedelta(minutes=2, seconds=15)
    assert figures.time_to_acknowledge(incident) == timedelta(minutes=5)
    assert figures.time_to_resolve(incident) == timedelta(hours=2, minutes=15)
    assert figures.revenue_loss(incident) == 191_250
    assert figures.partial_degradation(incident) == timedelta(minutes=45)


def test_seed_incident_survives_a_json_round_trip():
    incident = seed_incident()
    assert Incident.model_validate_json(incident.model_dump_json()) == incident


def test_same_seed_gives_identical_output_and_another_seed_differs(demo):
    again = demo_incidents()
    assert [i.model_dump_json() for i in again] == [i.model_dump_json() for i in demo]
    other = demo_incidents(seed=7)
    assert [i.title for i in other] != [i.title for i in demo]


def test_ids_are_sequential_per_year_in_start_order_and_leave_the_seed_id_free(demo):
    workspace = demo_workspace()
    assert SEED_ID not in {i.id for i in demo}
    assert len({i.id for i in workspace}) == len(workspace)
    by_year: dict[int, list[int]] = {}
    for incident in sorted(workspace, key=lambda i: i.clock.started_at):
        year, number = incident_number(incident.id)
        assert year == incident.clock.started_at.year
        by_year.setdefault(year, []).append(number)
    for year, numbers in by_year.items():
        assert numbers == list(range(1, len(numbers) + 1)), year


def test_count_and_window_are_respected():
    end = date(2026, 11, 20)
    incidents = demo_incidents(count=40, end=end)
    generated = [i for i in incidents if i.clock.started_at > datetime(2025, 1, 15, 3, tzinfo=timezone.utc)]
    assert len(generated) == 40
    window_start = datetime.combine(end, time(12), timezone.utc) - timedelta(days=548)
    assert all(window_start <= i.clock.started_at <= datetime.combine(end, time(12), timezone.utc)
               for i in generated)


def test_demo_is_varied_like_a_real_history(demo):
    levels = Counter(i.severity.level for i in demo)
    assert set(levels) == {"SEV-1", "SEV-2", "SEV-3", "SEV-4"}
    assert levels["SEV-1"] < levels["SEV-2"] < levels["SEV-3"]
    assert {"availability", "performance", "security", "data-loss", "capacity", "deployment"} <= {i.type for i in demo}
    assert 1 <= sum(i.status.is_active for i in demo) <= 10
    assert len({s for i in demo for s in i.services}) >= 8
    today = date(2026, 11, 20)
    items = [a for i in demo for a in i.action_items]
    assert any(a.is_overdue(today) for a in items)
    assert any(a.status is WorkStatus.DONE for a in items)
    assert any(a.status.is_open and not a.is_overdue(today) for a in items)
    assert all(i.timeline and i.roles for i in demo)


def test_severity_profiles_are_realistic(demo):
    def median_ttr(level: str) -> timedelta:
        values = sorted(figures.time_to_resolve(i) for i in demo
                        if i.severity.level == level and i.clock.resolved_at is not None)
        return values[len(values) // 2]
    assert median_ttr("SEV-1") < median_ttr("SEV-3") < median_ttr("SEV-4")
    sev1_impact = [i.facts.customer_impact_pct for i in demo if i.severity.level == "SEV-1"]
    sev4_impact = [i.facts.customer_impact_pct for i in demo if i.severity.level == "SEV-4"]
    assert min(sev1_impact) > max(sev4_impact)


def test_resolved_major_incidents_have_post_mortems_and_windows(demo):
    major = [i for i in demo if i.severity.level in ("SEV-1", "SEV-2") and i.clock.resolved_at is not None]
    assert major and all(i.postmortem.went_well and i.postmortem.scheduled_at for i in major)
    assert all(i.action_items for i in major)
    assert any(w.kind is ImpactKind.COMPLETE_OUTAGE for i in major for w in i.impact.windows)
    active = [i for i in demo if i.status.is_active]
    assert all(i.clock.resolved_at is None and not i.action_items for i in active)
    assert all(i.status in (Status.CLOSED, Status.RESOLVED, Status.POSTMORTEM) for i in demo if not i.status.is_active)


def test_output_does_not_depend_on_the_process_hash_seed():
    script = ("import hashlib; from incident_desk.demo.data import demo_workspace; "
              "print(hashlib.sha256(''.join(i.model_dump_json() for i in demo_workspace(count=60)).encode()).hexdigest())")
    root = Path(__file__).resolve().parents[2]
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                              check=True)
        digests.add(done.stdout.strip())
    local = hashlib.sha256("".join(i.model_dump_json() for i in demo_workspace(count=60)).encode()).hexdigest()
    assert digests == {local}
