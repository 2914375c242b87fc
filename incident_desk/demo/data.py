"""Demo data: the seed's INC-2025-001 entered in full, the history its metrics imply, and a
deterministic generator of a few hundred varied incidents for a demo workspace.

Everything here is plain domain data; nothing is stored. The store's demo command saves what these
functions return. Identifiers of every part (timeline events, log entries, actions) are derived
from the incident id, so the same arguments always give identical incidents.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from ..domain.incident import (
    ActionItem,
    Channel,
    Clock,
    CommunicationEntry,
    EventKind,
    Facts,
    Impact,
    ImpactKind,
    ImpactWindow,
    Incident,
    Investigation,
    Phase,
    PostMortem,
    Priority,
    RemediationAction,
    Role,
    RoleAssignment,
    Severity,
    TimelineEvent,
    Why,
    WorkStatus,
)
from ..domain.lifecycle import Status
from .generator import generate_incidents

SEED_ID = "INC-2025-001"
SEED_START = datetime(2025, 1, 15, 2, 30, tzinfo=timezone.utc)
DEMO_END = date(2026, 11, 20)  # the generated history ends at noon UTC of this day

__all__ = ["SEED_ID", "SEED_START", "DEMO_END", "seed_incident", "demo_incidents", "demo_workspace"]


def _at(hour: int, minute: int, second: int = 0, day: int = 15) -> datetime:
    return datetime(2025, 1, day, hour, minute, second, tzinfo=timezone.utc)


_SEED_TIMELINE: tuple[tuple[datetime, EventKind, str, str], ...] = (
    (_at(2, 30), EventKind.ALERT, "Monitoring alerts detect 100% API error rate", "monitoring"),
    (_at(2, 32, 15), EventKind.DECISION, "Incident declared SEV-1, incident commander assigned", "manual"),
    (_at(2, 35), EventKind.ACTION, "Technical team begins investigation", "manual"),
    (_at(2, 45), EventKind.NOTE, "Identified database primary node failure", "manual"),
    (_at(2, 50), EventKind.ALERT, "Automated failover script fails due to bug", "monitoring"),
    (_at(3, 0), EventKind.NOTE, "Manual investigation reveals network partition", "manual"),
    (_at(3, 15), EventKind.DECISION, "Decision to perform manual failover to standby cluster", "manual"),
    (_at(3, 30), EventKind.ACTION, "Manual failover initiated", "manual"),
    (_at(3, 45), EventKind.ACTION, "Standby cluster promoted to primary", "manual"),
    (_at(4, 0), EventKind.ACTION, "Application connections redirected", "manual"),
    (_at(4, 15), EventKind.STATUS, "Service begins recovery", "manual"),
    (_at(4, 30), EventKind.STATUS, "50% traffic restored", "manual"),
    (_at(4, 45), EventKind.STATUS, "100% traffic restored, incident resolved", "manual"),
)

_SEED_COMMUNICATIONS: tuple[tuple[datetime, Channel, str, str], ...] = (
    (_at(2, 35), Channel.INTERNAL, "Responders", "#incidents channel created"),
    (_at(2, 40), Channel.STAKEHOLDER, "Executive team", "Executive team notified"),
    (_at(2, 45), Channel.STATUS_PAGE, "Public", "Investigating increased error rates"),
    (_at(3, 0), Channel.CUSTOMER, "Enterprise customers", "Email sent to enterprise customers"),
    (_at(3, 30), Channel.STATUS_PAGE, "Public", "Identified issue, working on fix"),
    (_at(4, 0), Channel.STATUS_PAGE, "Public", "Implementing fix, estimated recovery 60 minutes"),
    (_at(4, 30), Channel.STATUS_PAGE, "Public", "Service recovering"),
    (_at(4, 50), Channel.STATUS_PAGE, "Public", "Service restored, monitoring"),
    (_at(5, 0), Channel.STAKEHOLDER, "Responders and stakeholders", "Post-mortem scheduled notification"),
)

_SEED_REMEDIATION: tuple[tuple[Phase, str, WorkStatus, str], ...] = (
    (Phase.IMMEDIATE, "Manual failover to standby cluster", WorkStatus.DONE, "Database Engineering"),
    (Phase.IMMEDIATE, "Application connection pool reset", WorkStatus.DONE, "Platform Engineering"),
    (Phase.IMMEDIATE, "Traffic redistribution", WorkStatus.DONE, "SRE"),
    (Phase.SHORT_TERM, "Fix failover script bug", WorkStatus.DONE, "Database Engineering"),
    (Phase.SHORT_TERM, "Enhance monitoring for failover events", WorkStatus.IN_PROGRESS, "SRE"),
    (Phase.SHORT_TERM, "Update runbook with manual failover steps", WorkStatus.IN_PROGRESS, "DevOps"),
    (Phase.SHORT_TERM, "Review network configuration", WorkStatus.SCHEDULED, "Network Engineering"),
    (Phase.LONG_TERM, "Implement circuit breaker pattern in all services", WorkStatus.NOT_STARTED, ""),
    (Phase.LONG_TERM, "Add network partition testing to test suite", WorkStatus.NOT_STARTED, ""),
    (Phase.LONG_TERM, "Conduct failover drills quarterly", WorkStatus.NOT_STARTED, ""),
    (Phase.LONG_TERM, "Implement chaos engineering for resilience testing", WorkStatus.NOT_STARTED, ""),
    (Phase.LONG_TERM, "Review and update all automated failover scripts", WorkStatus.NOT_STARTED, ""),
)


def _seed_roles() -> list[RoleAssignment]:
    return [
        RoleAssignment(role=Role.INCIDENT_COMMANDER, person="Maria Chen", assigned_at=_at(2, 32, 15),
                       relieved_at=_at(4, 0), note="On-call incident commander"),
        RoleAssignment(role=Role.INCIDENT_COMMANDER, person="David Okafor", assigned_at=_at(4, 0),
                       note="Handover at the end of Maria's shift"),
        RoleAssignment(role=Role.COMMUNICATIONS_LEAD, person="Priya Raman", assigned_at=_at(2, 35)),
        RoleAssignment(role=Role.OPERATIONS_LEAD, person="Tomás Silva", assigned_at=_at(2, 35)),
        RoleAssignment(role=Role.SCRIBE, person="Lena Fischer", assigned_at=_at(2, 35)),
        RoleAssignment(role=Role.SUBJECT_EXPERT, person="Kenji Watanabe", assigned_at=_at(2, 45),
                       note="Database cluster and failover tooling"),
    ]


def _seed_investigation() -> Investigation:
    whys = [
        ("Why did service outage occur?", "Database primary node failed"),
        ("Why did automatic failover not work?", "Failover script had bug"),
        ("Why did bug exist in script?", "Insufficient testing of edge cases"),
        ("Why insufficient testing?", "Test suite didn't include network partition scenarios"),
        ("Why no network partition tests?", "Not considered in risk assessment"),
    ]
    return Investigation(
        primary_cause="Automated failover script bug (line 245: incorrect condition check)",
        contributing_factors=[
            "Network partition between database nodes",
            "Insufficient failover script testing",
            "Lack of circuit breaker pattern in application connections",
            "Monitoring gaps in failover process",
            "Single point of failure in network configuration",
        ],
        whys=[Why(question=q, answer=a) for q, a in whys],
        root_cause="Automated failover script bug combined with network partition",
    )


def _seed_impact() -> Impact:
    return Impact(
        summary="Complete service outage for all customers",
        customer_notes=[],
        business_notes=["Reputation damage: Significant social media complaints"],
        technical_notes=["Database corruption risk (mitigated by backups)"],
        sla_credits=42_500,
        windows=[
            ImpactWindow(kind=ImpactKind.COMPLETE_OUTAGE, start=_at(2, 30), end=_at(4, 45)),
            # Elevated latency while caches and connection pools warmed up after traffic returned.
            ImpactWindow(kind=ImpactKind.PARTIAL_DEGRADATION, start=_at(4, 45), end=_at(5, 30)),
        ],
    )


def _seed_postmortem() -> PostMortem:
    return PostMortem(
        went_well=[
            "Quick incident declaration and response",
            "Effective communication throughout incident",
            "Backup systems worked as designed",
            "Team coordination across time zones",
            "Documentation available and useful",
        ],
        could_improve=[
            "Automated failover reliability",
            "Testing coverage for edge cases",
            "Monitoring visibility into failover process",
            "Incident playbook completeness",
            "Stakeholder communication templates",
        ],
        lessons=[
            "Automated systems require regular testing of failure scenarios",
            "Network partitions must be considered in high-availability designs",
            "Circuit breaker patterns are essential for resilient microservices",
            "Regular failover drills build muscle memory for real incidents",
            "Blameless culture enables honest post-mortem analysis",
        ],
        process_improvements=[
            "Update incident severity classification guidelines",
            "Implement automated incident timeline generation",
            "Create stakeholder communication templates",
            "Establish incident commander rotation",
            "Implement incident metrics dashboard",
        ],
        recommendations=[
            "Implement automated failover testing in CI/CD pipeline",
            "Conduct chaos engineering exercises quarterly",
            "Establish incident response training for all engineers",
            "Implement service-level objectives (SLOs) and error budgets",
            "Create incident severity playbooks for common scenarios",
        ],
        scheduled_at=_at(14, 0, day=16),
        held_at=_at(14, 0, day=16),
        facilitator="Priya Raman",
    )


def _seed_action_items() -> list[ActionItem]:
    created = _at(15, 0, day=16)
    rows = [
        ("Fix failover script bug and deploy to all environments", Priority.HIGH, "Database Engineering",
         date(2025, 1, 16), None, WorkStatus.IN_PROGRESS),
        ("Implement circuit breaker pattern in API services", Priority.HIGH, "Platform Engineering",
         date(2025, 1, 30), None, WorkStatus.NOT_STARTED),
        ("Add network partition testing to test suite", Priority.MEDIUM, "Quality Engineering",
         date(2025, 2, 15), None, WorkStatus.NOT_STARTED),
        ("Update incident playbook with manual failover steps", Priority.MEDIUM, "DevOps",
         date(2025, 1, 20), None, WorkStatus.IN_PROGRESS),
        ("Conduct quarterly failover drills", Priority.LOW, "SRE",
         date(2025, 4, 1), "quarterly", WorkStatus.SCHEDULED),
    ]
    return [
        ActionItem(id=f"A{n}", title=title, priority=priority, owner=owner, due=due, recurrence=recurrence,
                   status=status, created_at=created)
        for n, (title, priority, owner, due, recurrence, status) in enumerate(rows, start=1)
    ]


def seed_incident() -> Incident:
    """The seed's INC-2025-001, every section of its "Incident Response Analysis" as typed data."""
    return Incident(
        id=SEED_ID,
        title="Database cluster failover failure causing 100% API error rate",
        summary=("The primary database node failed during a network partition and the automated failover "
                 "script did not promote the standby, so every API request failed until the team failed "
                 "over to the standby cluster by hand."),
        type="availability",
        tags=["database", "failover", "network-partition"],
        affected_systems=["Primary database cluster", "API services", "customer applications"],
        services=["database", "api"],
        status=Status.CLOSED,
        facts=Facts(
            customer_impact_pct=100,
            revenue_per_hour=85_000,
            failed_transactions=15_842,
            support_tickets=8_750,
            sla_target_pct=99.95,
            sla_actual_pct=99.12,
            regions=["global"],
        ),
        clock=Clock(
            started_at=SEED_START,
            alerted_at=_at(2, 30),
            declared_at=_at(2, 32, 15),
            acknowledged_at=_at(2, 35),
            mitigated_at=_at(4, 15),
            resolved_at=_at(4, 45),
            closed_at=_at(9, 0, day=17),
        ),
        severity=Severity(computed="SEV-1"),
        roles=_seed_roles(),
        timeline=[
            TimelineEvent(id=f"e{n:02d}", at=at, kind=kind, text=text, source=source, author="Lena Fischer")
            for n, (at, kind, text, source) in enumerate(_SEED_TIMELINE, start=1)
        ],
        communications=[
            CommunicationEntry(id=f"c{n:02d}", at=at, channel=channel, audience=audience, message=message,
                               author="Priya Raman")
            for n, (at, channel, audience, message) in enumerate(_SEED_COMMUNICATIONS, start=1)
        ],
        investigation=_seed_investigation(),
        impact=_seed_impact(),
        resolution="Manual failover to standby cluster, script fix, validation",
        remediation=[
            RemediationAction(id=f"r{n:02d}", phase=phase, text=text, status=status, owner=owner)
            for n, (phase, text, status, owner) in enumerate(_SEED_REMEDIATION, start=1)
        ],
        postmortem=_seed_postmortem(),
        action_items=_seed_action_items(),
        created_by="Maria Chen",
    )


def demo_incidents(count: int = 300, seed: int = 2025, end: date = DEMO_END) -> list[Incident]:
    """The seed's history (the incidents before INC-2025-001 that its metrics count) plus `count`
    varied incidents started in the 18 months before `end`, generated with `random.Random(seed)`.

    Ids are `INC-YYYY-NNN`, sequential per year in start order; INC-2025-001 is left to the seed
    incident (`seed_incident()`), which is not part of this list. Same arguments, identical output.
    """
    return generate_incidents(count=count, seed=seed, end=end, reserved={SEED_ID: SEED_START})


def demo_workspace(count: int = 300, seed: int = 2025, end: date = DEMO_END) -> list[Incident]:
    """Everything a demo workspace holds, in start order: the seed incident and `demo_incidents()`."""
    incidents = demo_incidents(count=count, seed=seed, end=end) + [seed_incident()]
    return sorted(incidents, key=lambda i: i.clock.started_at or SEED_START)
