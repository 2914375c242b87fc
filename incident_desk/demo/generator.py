"""Deterministic generator of varied, realistic incidents for the demo workspace.

One `random.Random(seed)` drives every choice, and every part id is derived from the incident id,
so the same arguments always give identical incidents. Clocks follow per-severity distributions
(more severe incidents are detected, acknowledged and resolved faster); incidents whose resolution
lies after `end` stay active; SEV-1/2 incidents get post-mortems; action items end up done, open
or overdue relative to `end`. Facts stay inside each level's thresholds in the bundled rules
(rules/severity.yaml), so the rules compute the recorded level, except for about 4% of incidents where
the commander deliberately overrode the rules (a `SeverityOverride` with the reason).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

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
    SeverityOverride,
    TimelineEvent,
    Why,
    WorkStatus,
    format_incident_id,
    incident_number,
)
from ..domain.lifecycle import Status

WINDOW_DAYS = 548  # 18 months
ACTIVE_AT_END = 5  # the latest incidents are still running at `end`

LEVEL_WEIGHTS = {"SEV-1": 5, "SEV-2": 17, "SEV-3": 43, "SEV-4": 35}
TYPE_WEIGHTS = {"availability": 24, "performance": 24, "deployment": 15, "capacity": 10,
                "security": 9, "network": 12, "data-loss": 6}
SERVICES = {
    "api": "API services", "web": "Web frontend", "payments": "Payments service", "search": "Search cluster",
    "auth": "Authentication service", "database": "Primary database cluster", "queue": "Message queue",
    "storage": "Object storage", "notifications": "Notification service", "mobile": "Mobile backend",
    "cdn": "CDN edge", "billing": "Billing pipeline",
}
PEOPLE = ["Maria Chen", "David Okafor", "Priya Raman", "Tomás Silva", "Lena Fischer", "Kenji Watanabe",
          "Amara Nwosu", "Jonas Berg", "Sofia Rossi", "Omar Haddad", "Grace Kim", "Lucas Martin",
          "Aisha Bello", "Noah Schmidt", "Elena Petrova", "Ravi Iyer"]
TEAMS = ["Database Engineering", "Platform Engineering", "Quality Engineering", "DevOps", "SRE",
         "Security Engineering", "Network Engineering", "Payments Team", "Search Team", "Release Engineering"]

# Per severity: (median TTD min, median TTA min, median TTR min)
PROFILE = {
    "SEV-1": (3, 4, 150),
    "SEV-2": (8, 8, 300),
    "SEV-3": (20, 20, 720),
    "SEV-4": (60, 60, 2_880),
}


@dataclass(frozen=True)
class TypeText:
    titles: tuple[str, ...]
    alerts: tuple[str, ...]
    findings: tuple[str, ...]
    causes: tuple[str, ...]
    factors: tuple[str, ...]
    whys: tuple[tuple[str, str], ...]
    fixes: tuple[str, ...]
    items: tuple[str, ...]


_COMMON_FACTORS = ("Alert thresholds too loose to catch the early signal", "Runbook out of date",
                   "No canary stage for this change", "Single point of failure in the request path",
                   "On-call engineer new to the service", "Dashboards missing the relevant metric")
_COMMON_ITEMS = ("Add alerting on the leading indicator", "Update the runbook with the recovery steps",
                 "Add a regression test for the failure mode", "Review capacity headroom for the service",
                 "Run a game day for this failure scenario", "Document the dependency in the service catalogue")

TYPE_TEXT: dict[str, TypeText] = {
    "availability": TypeText(
        titles=("{svc} returning 5xx errors for all requests", "{svc} unreachable after node failure",
                "{svc} outage caused by expired TLS certificate", "{svc} down after dependency failure"),
        alerts=("Synthetic checks fail for {svc}", "Error rate on {svc} above 50%"),
        findings=("Primary node of {svc} not responding", "Health checks failing on every {svc} instance",
                  "Upstream dependency of {svc} refusing connections"),
        causes=("Node failure without automatic failover", "Expired TLS certificate on the load balancer",
                "Misconfigured health check removed every instance from rotation"),
        factors=("Certificate expiry not monitored", "Failover never exercised in production"),
        whys=(("Why did the service stop answering?", "Every instance was out of rotation"),
              ("Why were all instances out of rotation?", "Health checks failed"),
              ("Why did health checks fail?", "A dependency they call was down"),
              ("Why did a dependency outage fail health checks?", "Health checks were deep, not shallow"),
              ("Why were health checks deep?", "No guideline on health check design")),
        fixes=("Restarted the failed nodes and restored rotation", "Renewed the certificate and reloaded"),
        items=("Monitor certificate expiry for every endpoint", "Make health checks shallow"),
    ),
    "performance": TypeText(
        titles=("{svc} p99 latency above 5 seconds", "Slow responses from {svc} during peak traffic",
                "{svc} timeouts after query plan regression"),
        alerts=("Latency SLO burn rate alert on {svc}", "p99 latency on {svc} above threshold"),
        findings=("Query plan changed after statistics refresh", "Thread pool exhaustion in {svc}",
                  "Garbage collection pauses above 2 s in {svc}"),
        causes=("Query plan regression after statistics refresh", "Thread pool too small for peak traffic",
                "Memory leak causing long garbage collection pauses"),
        factors=("No load test for peak traffic", "Latency dashboards averaged away the tail"),
        whys=(("Why were responses slow?", "Requests queued for worker threads"),
              ("Why did requests queue?", "The pool was exhausted by slow queries"),
              ("Why were queries slow?", "The planner chose a sequential scan"),
              ("Why did the planner change?", "Statistics were refreshed on a skewed sample"),
              ("Why was the sample skewed?", "Default sampling settings on a large table")),
        fixes=("Pinned the previous query plan", "Raised the thread pool size and restarted"),
        items=("Add load tests at twice peak traffic", "Alert on tail latency, not averages"),
    ),
    "deployment": TypeText(
        titles=("Bad deploy of {svc} breaks checkout flow", "{svc} release causes crash loop",
                "Config change to {svc} disables feature for all users"),
        alerts=("Crash loop detected for {svc} pods", "Error rate spike on {svc} after deploy"),
        findings=("Errors started with release of {svc}", "New configuration key missing in production"),
        causes=("Release contained an incompatible schema change", "Configuration key missing in production"),
        factors=("Staging configuration differs from production", "Rollback took longer than expected"),
        whys=(("Why did the service crash?", "It could not read its configuration"),
              ("Why could it not read it?", "A required key was missing"),
              ("Why was the key missing?", "It was added only in staging"),
              ("Why only in staging?", "Configuration is edited by hand per environment"),
              ("Why by hand?", "Configuration is not managed as code")),
        fixes=("Rolled back to the previous release", "Added the missing configuration key"),
        items=("Manage configuration as code", "Add automatic rollback on error-rate spike"),
    ),
    "capacity": TypeText(
        titles=("{svc} disk full, writes rejected", "{svc} out of memory under load",
                "{svc} connection limit reached"),
        alerts=("Disk usage on {svc} above 95%", "Connection pool saturation on {svc}"),
        findings=("Log volume grew tenfold after debug flag left on", "Connection limit hit during batch job"),
        causes=("Debug logging left enabled filled the disk", "Batch job opened too many connections"),
        factors=("No forecast of storage growth", "Batch jobs share the production pool"),
        whys=(("Why were writes rejected?", "The disk was full"),
              ("Why was the disk full?", "Logs grew tenfold"),
              ("Why did logs grow?", "Debug logging was left on"),
              ("Why was it left on?", "No expiry on debug flags"),
              ("Why no expiry?", "Feature flag tooling does not support it")),
        fixes=("Freed disk space and disabled debug logging", "Throttled the batch job and raised the limit"),
        items=("Forecast storage growth monthly", "Give batch jobs their own connection pool"),
    ),
    "security": TypeText(
        titles=("Credential stuffing attack against {svc}", "Suspicious access to {svc} admin API",
                "Leaked API key used against {svc}"),
        alerts=("Spike in failed logins on {svc}", "Anomalous admin API calls on {svc}"),
        findings=("Requests from a botnet of 4,000 addresses", "API key found in a public repository"),
        causes=("API key committed to a public repository", "No rate limiting on the login endpoint"),
        factors=("Secret scanning not enabled", "Admin API reachable from the internet"),
        whys=(("Why could the attacker call the API?", "They had a valid key"),
              ("Why did they have a key?", "It was in a public repository"),
              ("Why was it committed?", "It was hard-coded in a test script"),
              ("Why hard-coded?", "No secret store for test tooling"),
              ("Why no secret store?", "Test tooling was never onboarded")),
        fixes=("Revoked the key and rotated credentials", "Enabled rate limiting and blocked the botnet"),
        items=("Enable secret scanning on all repositories", "Rate-limit authentication endpoints"),
    ),
    "network": TypeText(
        titles=("Packet loss between regions affects {svc}", "DNS resolution failures for {svc}",
                "{svc} unreachable after routing change"),
        alerts=("Packet loss above 5% between regions", "DNS lookup failures for {svc}"),
        findings=("BGP route withdrawn by provider", "DNS zone serial not updated after change"),
        causes=("Routing change withdrew the route to the region", "DNS change published an empty record"),
        factors=("Network changes not peer reviewed", "No synthetic checks from outside the region"),
        whys=(("Why was the service unreachable?", "There was no route to it"),
              ("Why was there no route?", "A change withdrew it"),
              ("Why was it withdrawn?", "The change was applied to the wrong router"),
              ("Why the wrong router?", "Router names are ambiguous"),
              ("Why ambiguous?", "No naming convention for network devices")),
        fixes=("Restored the route", "Republished the DNS zone"),
        items=("Peer review every network change", "Add synthetic checks from every region"),
    ),
    "data-loss": TypeText(
        titles=("{svc} lost writes during failover", "Backup restore needed after {svc} corruption",
                "Accidental deletion of {svc} records"),
        alerts=("Replication lag alarm on {svc}", "Checksum mismatch detected in {svc}"),
        findings=("Asynchronous replica promoted with missing writes", "Cleanup job deleted live records"),
        causes=("Failover promoted a replica that lagged behind", "Cleanup job ran against production"),
        factors=("Backups not restore-tested", "Cleanup job had no dry-run mode"),
        whys=(("Why were records lost?", "A cleanup job deleted them"),
              ("Why did it delete live records?", "It ran against production"),
              ("Why production?", "The environment variable defaulted to production"),
              ("Why that default?", "The script predates the staging environment"),
              ("Why not updated?", "No owner for the script")),
        fixes=("Restored the records from backup", "Replayed lost writes from the queue"),
        items=("Test backup restores monthly", "Add a dry-run mode to cleanup jobs"),
    ),
}

WENT_WELL = ("Quick incident declaration", "Clear roles from the start", "Status page kept current",
             "Rollback worked as designed", "Good collaboration across teams", "Runbook was accurate",
             "Customers told before they asked")
COULD_IMPROVE = ("Detection took too long", "Escalation path unclear", "Too many people in the channel",
                 "Status page updates were late", "Runbook missing recovery steps", "Dashboards hard to find")
LESSONS = ("Test failure modes, not just the happy path", "Shallow health checks keep failures contained",
           "Declare early; downgrading is cheap", "Rehearsed recovery is faster recovery",
           "Alerts must point at a runbook")
PROCESS = ("Review severity guidelines", "Add a communications checklist", "Rotate incident commanders")
RECOMMEND = ("Adopt SLOs with error budgets", "Run quarterly game days", "Automate rollback")


def _lognormal_minutes(rng: random.Random, median: float, spread: float = 0.6) -> timedelta:
    return timedelta(minutes=max(0.5, rng.lognormvariate(0.0, spread) * median))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class _Plan:
    start: datetime
    level: str
    type: str
    force_active: bool = False
    reserved_id: str | None = None
    # A deliberate manual override: the facts make the rules say `facts_level`, the commander chose `level`.
    facts_level: str | None = None
    facts_driver: str | None = None
    override_reason: str | None = None

    @property
    def rules_level(self) -> str:
        return self.facts_level or self.level


# Overrides a commander makes, per level in force: (level the rules compute, SEV-2 driver, reason).
OVERRIDE_SHARE = 0.04
OVERRIDES: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "SEV-1": (("SEV-2", "impact", "Raised to SEV-1: the affected customers are our largest enterprise accounts, "
                                  "in the middle of their month-end close"),
              ("SEV-2", "impact", "Raised to SEV-1: the failing path carries the launch campaign traffic")),
    "SEV-2": (("SEV-3", None, "Raised to SEV-2: the affected customers are on the premium plan with a contractual "
                              "response time"),
              ("SEV-1", None, "Lowered to SEV-2: traffic failed over to the standby region within minutes; the "
                              "impact figures count automatic retries")),
    "SEV-3": (("SEV-2", "transactions", "Lowered to SEV-3: failed transactions were retried automatically and "
                                        "completed; customers saw only a delay"),
              ("SEV-4", None, "Raised to SEV-3: the same symptom preceded last quarter's outage; treating it as "
                              "customer-affecting until ruled out")),
    "SEV-4": (("SEV-3", None, "Lowered to SEV-4: only internal users and test accounts were affected"),),
}

SENSITIVE_DATA = ("personal", "payment", "health")


def _facts(rng: random.Random, level: str, kind: str, ttr: timedelta, driver: str | None = None) -> Facts:
    """Facts that the bundled severity rules (rules/severity.yaml) classify as `level`.

    SEV-1: half the customers or more, or $50,000/hour or more at risk (an SLA breach may add to it).
    SEV-2: 10-45% of customers, $10,000-45,000/hour, 1,000+ failed transactions or a breach of data that
    is not personal, payment or health data; the SLA held. SEV-3: under 10% of customers, under 1,000
    failed transactions, no breach, SLA held. SEV-4: no customer impact and small figures. `driver`
    picks which criterion makes a SEV-1 or SEV-2 (impact, revenue, transactions, breach).
    """
    hours = ttr.total_seconds() / 3600
    target = rng.choice((99.9, 99.95, 99.99))
    within_sla = round(rng.uniform(target, 100.0), 2)
    categories = (rng.sample(["personal", "payment", "credentials", "health"], k=rng.randint(1, 2))
                  if kind in ("security", "data-loss") else [])
    breach = False
    if level == "SEV-1":
        driver = driver or rng.choice(("impact", "impact", "revenue"))
        pct = rng.uniform(50, 100) if driver == "impact" else rng.uniform(20, 49)
        revenue = rng.uniform(20_000, 150_000) if driver == "impact" else rng.uniform(50_000, 150_000)
        failed = pct * hours * rng.uniform(20, 200)
        tickets = pct * rng.uniform(2, 90)
        actual = round(max(90.0, 100 - pct * hours / 720), 2)  # a 30-day month; may breach the SLA too
        breach = kind == "security" and rng.random() < 0.6
    elif level == "SEV-2":
        drivers = ("impact", "impact", "revenue", "transactions") + (("breach",) * 2 if kind == "security" else ())
        driver = driver or rng.choice(drivers)
        pct = rng.uniform(10, 45) if driver == "impact" else rng.uniform(1, 9.5)
        revenue = rng.uniform(10_000, 45_000) if driver == "revenue" else rng.uniform(1_000, 9_500)
        failed = rng.uniform(1_000, 25_000) if driver == "transactions" else pct * hours * rng.uniform(2, 60)
        tickets = pct * rng.uniform(2, 60)
        actual = within_sla
        if driver == "breach":
            breach = True
            categories = [c for c in categories if c not in SENSITIVE_DATA] or ["credentials"]
    elif level == "SEV-3":
        pct = rng.uniform(0.5, 9.5)
        revenue = rng.uniform(500, 6_000)
        failed = min(950.0, pct * hours * rng.uniform(2, 15))
        tickets = pct * rng.uniform(2, 40)
        actual = within_sla
    else:
        pct = 0.0
        revenue = rng.uniform(0, 800)
        failed = rng.uniform(0, 40)
        tickets = rng.uniform(0, 12)
        actual = within_sla
    known = level in ("SEV-1", "SEV-2") or rng.random() < 0.7  # minor incidents often lack figures
    facts = Facts(
        customer_impact_pct=round(pct, 1),
        revenue_per_hour=round(revenue, -2) if known else None,
        failed_transactions=int(failed) if known else None,
        support_tickets=int(tickets) if known else None,
        sla_target_pct=target,
        sla_actual_pct=actual,  # monitoring measures availability even when business figures are unknown
        regions=rng.sample(["eu-west", "us-east", "us-west", "ap-south"], k=rng.randint(1, 2)),
    )
    if kind in ("security", "data-loss"):
        facts.data_categories = categories
        facts.security_breach = breach
        if kind == "security":
            facts.records_exposed = rng.randint(10, 250_000) if breach else 0
    return facts


class _Builder:
    """Builds one incident from a plan; `now` cuts off whatever has not happened yet."""

    def __init__(self, rng: random.Random, incident_id: str, plan: _Plan, now: datetime):
        self.rng, self.id, self.plan, self.now = rng, incident_id, plan, now
        self.text = TYPE_TEXT[plan.type]
        self.service = rng.choice(list(SERVICES))
        self.svc = SERVICES[self.service]

    def fmt(self, template: str) -> str:
        return template.format(svc=self.svc)

    def build(self) -> Incident:
        rng, plan, level = self.rng, self.plan, self.plan.level
        ttd_m, tta_m, ttr_m = PROFILE[level]
        start = plan.start
        alerted = start + timedelta(seconds=rng.randint(0, 120))
        declared = min(max(alerted, start + _lognormal_minutes(rng, ttd_m)), max(alerted, self.now))
        acknowledged = alerted + _lognormal_minutes(rng, tta_m)
        ttr = _lognormal_minutes(rng, ttr_m, 0.7)
        if plan.force_active:
            ttr = max(ttr, (self.now - start) + timedelta(hours=rng.uniform(1, 12)))
        resolved = max(start + ttr, acknowledged + timedelta(minutes=5), declared + timedelta(minutes=5))
        mitigated = acknowledged + (resolved - acknowledged) * rng.uniform(0.55, 0.9)
        closed = resolved + timedelta(days=rng.uniform(2, 10))
        self.facts = _facts(rng, plan.rules_level, plan.type, resolved - start, plan.facts_driver)

        major = level in ("SEV-1", "SEV-2")
        held = None
        postmortem = PostMortem()
        if major:
            late = rng.random() < 0.1
            scheduled = resolved + timedelta(hours=rng.uniform(50, 90) if late else rng.uniform(4, 44))
            held = scheduled if scheduled <= self.now else None
            postmortem = PostMortem(
                went_well=rng.sample(WENT_WELL, k=rng.randint(2, 4)),
                could_improve=rng.sample(COULD_IMPROVE, k=rng.randint(2, 4)),
                lessons=rng.sample(LESSONS, k=rng.randint(2, 3)),
                process_improvements=rng.sample(PROCESS, k=rng.randint(0, 2)),
                recommendations=rng.sample(RECOMMEND, k=rng.randint(0, 2)),
                scheduled_at=scheduled if resolved <= self.now else None,
                held_at=held,
                facilitator=rng.choice(PEOPLE),
            )
            closed = max(closed, (held or closed) + timedelta(days=1))

        stamps = {"started_at": start, "alerted_at": alerted, "declared_at": declared,
                  "acknowledged_at": acknowledged, "mitigated_at": mitigated, "resolved_at": resolved,
                  "closed_at": closed}
        clock: dict[str, datetime | None] = {name: (value if value <= self.now else None)
                                             for name, value in stamps.items()}
        status = self._status(clock, major, held)
        people = rng.sample(PEOPLE, k=6)

        incident = Incident(
            id=self.id,
            title=self.fmt(rng.choice(self.text.titles)),
            summary=f"{self._affected()} by a {plan.type} incident on the {self.svc.lower()}.",
            type=plan.type,
            tags=[self.service, plan.type],
            affected_systems=[self.svc],
            services=[self.service],
            status=status,
            facts=self.facts,
            clock=Clock(**clock),
            severity=self._severity(people[0], clock["declared_at"] or declared),
            roles=self._roles(people, clock, major),
            timeline=self._timeline(clock, level, people),
            communications=self._communications(clock, major, people),
            created_by=people[0],
        )
        if clock["resolved_at"] is not None:
            incident.investigation = self._investigation(major)
            incident.impact = self._impact(clock, major)
            incident.resolution = rng.choice(self.text.fixes)
            incident.remediation = self._remediation(major)
            incident.postmortem = postmortem
            incident.action_items = self._action_items(clock["resolved_at"], level)
        elif clock["acknowledged_at"] is not None:
            incident.investigation = Investigation(primary_cause="Under investigation",
                                                   contributing_factors=[])
        return incident

    def _affected(self) -> str:
        pct = self.facts.customer_impact_pct
        return f"{pct:g}% of customers affected" if pct else "No customers affected"

    def _severity(self, commander: str, declared: datetime) -> Severity:
        """The level the rules compute from the facts, and the commander's override when the plan has one."""
        plan = self.plan
        if plan.override_reason is None:
            return Severity(computed=plan.level)
        return Severity(computed=plan.rules_level,
                        override=SeverityOverride(level=plan.level, reason=plan.override_reason, author=commander,
                                                  at=declared))

    def _status(self, clock: dict, major: bool, held: datetime | None) -> Status:
        if clock["closed_at"] is not None:
            return Status.CLOSED
        if clock["resolved_at"] is not None:
            return Status.POSTMORTEM if major and held is not None else Status.RESOLVED
        if clock["mitigated_at"] is not None:
            return Status.MONITORING
        if clock["acknowledged_at"] is not None:
            return self.rng.choice((Status.INVESTIGATING, Status.IDENTIFIED, Status.MITIGATING))
        return Status.DECLARED

    def _roles(self, people: list[str], clock: dict, major: bool) -> list[RoleAssignment]:
        declared = clock["declared_at"]
        roles = [RoleAssignment(role=Role.INCIDENT_COMMANDER, person=people[0], assigned_at=declared)]
        end = clock["resolved_at"] or self.now
        if end - declared > timedelta(hours=6):
            handover = declared + timedelta(hours=4)
            roles[0].relieved_at = handover
            roles.append(RoleAssignment(role=Role.INCIDENT_COMMANDER, person=people[1], assigned_at=handover,
                                        note="Shift handover"))
        if major:
            roles += [RoleAssignment(role=Role.COMMUNICATIONS_LEAD, person=people[2], assigned_at=declared),
                      RoleAssignment(role=Role.OPERATIONS_LEAD, person=people[3], assigned_at=declared),
                      RoleAssignment(role=Role.SCRIBE, person=people[4], assigned_at=declared)]
        if clock["acknowledged_at"] is not None and self.rng.random() < 0.5:
            roles.append(RoleAssignment(role=Role.SUBJECT_EXPERT, person=people[5],
                                        assigned_at=clock["acknowledged_at"], note=self.svc))
        return roles

    def _timeline(self, clock: dict, level: str, people: list[str]) -> list[TimelineEvent]:
        rng = self.rng
        rows: list[tuple[datetime, EventKind, str, str]] = [
            (clock["alerted_at"], EventKind.ALERT, self.fmt(rng.choice(self.text.alerts)), "monitoring"),
            (clock["declared_at"], EventKind.DECISION, f"Incident declared {level}, incident commander assigned",
             "manual"),
        ]
        ack = clock["acknowledged_at"]
        if ack is not None:
            rows.append((ack, EventKind.ACTION, "Responders begin investigation", "manual"))
            horizon = clock["mitigated_at"] or self.now
            findings = rng.sample(self.text.findings, k=min(len(self.text.findings), rng.randint(1, 3)))
            for n, finding in enumerate(findings, start=1):
                at = ack + (horizon - ack) * (n / (len(findings) + 1))
                rows.append((at, EventKind.NOTE, self.fmt(finding), "manual"))
        if clock["mitigated_at"] is not None:
            rows.append((clock["mitigated_at"], EventKind.ACTION, rng.choice(self.text.fixes), "manual"))
            rows.append((clock["mitigated_at"], EventKind.STATUS, "Service begins recovery", "manual"))
        if clock["resolved_at"] is not None:
            rows.append((clock["resolved_at"], EventKind.STATUS, "Service restored, incident resolved", "manual"))
        rows.sort(key=lambda row: row[0])
        return [TimelineEvent(id=f"{self.id}-e{n:02d}", at=at, kind=kind, text=text, source=source,
                              author=people[4])
                for n, (at, kind, text, source) in enumerate(rows, start=1)]

    def _communications(self, clock: dict, major: bool, people: list[str]) -> list[CommunicationEntry]:
        rows: list[tuple[datetime, Channel, str, str]] = []
        ack = clock["acknowledged_at"]
        if ack is not None:
            rows.append((ack, Channel.INTERNAL, "Responders", f"#{self.id.lower()} channel created"))
            if major:
                rows.append((ack + timedelta(minutes=5), Channel.STAKEHOLDER, "Executive team",
                             "Executive team notified"))
                rows.append((ack + timedelta(minutes=10), Channel.STATUS_PAGE, "Public",
                             f"Investigating issues with {self.svc.lower()}"))
                if self.facts.customer_impact_pct and self.facts.customer_impact_pct >= 30:
                    rows.append((ack + timedelta(minutes=25), Channel.CUSTOMER, "Enterprise customers",
                                 "Email sent to enterprise customers"))
        if clock["mitigated_at"] is not None and major:
            rows.append((clock["mitigated_at"], Channel.STATUS_PAGE, "Public", "Fix applied, service recovering"))
        if clock["resolved_at"] is not None:
            channel = Channel.STATUS_PAGE if major else Channel.INTERNAL
            rows.append((clock["resolved_at"] + timedelta(minutes=5), channel, "Public" if major else "Responders",
                         "Service restored, monitoring"))
        rows = [row for row in rows if row[0] <= self.now]
        rows.sort(key=lambda row: row[0])
        return [CommunicationEntry(id=f"{self.id}-c{n:02d}", at=at, channel=channel, audience=audience,
                                   message=message, author=people[2])
                for n, (at, channel, audience, message) in enumerate(rows, start=1)]

    def _investigation(self, major: bool) -> Investigation:
        rng = self.rng
        factors = rng.sample(self.text.factors + _COMMON_FACTORS, k=rng.randint(2, 4))
        whys = [Why(question=q, answer=a) for q, a in self.text.whys[: rng.randint(3, 5)]] if major else []
        cause = rng.choice(self.text.causes)
        return Investigation(primary_cause=cause, contributing_factors=factors, whys=whys,
                             root_cause=f"{cause}; {factors[0].lower()}")

    def _impact(self, clock: dict, major: bool) -> Impact:
        start, mitigated, resolved = clock["started_at"], clock["mitigated_at"], clock["resolved_at"]
        outage = self.plan.type in ("availability", "network", "deployment") and major
        windows = []
        if outage:
            windows.append(ImpactWindow(kind=ImpactKind.COMPLETE_OUTAGE, start=start, end=mitigated))
            windows.append(ImpactWindow(kind=ImpactKind.PARTIAL_DEGRADATION, start=mitigated, end=resolved))
        else:
            windows.append(ImpactWindow(kind=ImpactKind.PARTIAL_DEGRADATION, start=start, end=resolved))
        pct = self.facts.customer_impact_pct
        if not pct:
            summary = f"Degraded {self.svc.lower()}; no customer impact"
        elif outage:
            summary = f"Service outage for {pct:g}% of customers"
        else:
            summary = f"Degraded {self.svc.lower()} for {pct:g}% of customers"
        return Impact(
            summary=summary,
            business_notes=["Reputation damage: Complaints on social media"] if major and pct and pct > 50 else [],
            technical_notes=[f"{self.svc} degraded"],
            windows=windows,
        )

    def _remediation(self, major: bool) -> list[RemediationAction]:
        rng = self.rng
        rows = [(Phase.IMMEDIATE, fix, WorkStatus.DONE) for fix in rng.sample(self.text.fixes, k=1)]
        pool = list(self.text.items + _COMMON_ITEMS)
        rng.shuffle(pool)
        for text in pool[: rng.randint(1, 3)]:
            rows.append((Phase.SHORT_TERM, text, rng.choice((WorkStatus.DONE, WorkStatus.IN_PROGRESS,
                                                              WorkStatus.SCHEDULED))))
        if major:
            for text in pool[3 : 3 + rng.randint(1, 3)]:
                rows.append((Phase.LONG_TERM, text, WorkStatus.NOT_STARTED))
        return [RemediationAction(id=f"{self.id}-r{n:02d}", phase=phase, text=text, status=status,
                                  owner=rng.choice(TEAMS))
                for n, (phase, text, status) in enumerate(rows, start=1)]

    def _action_items(self, resolved: datetime, level: str) -> list[ActionItem]:
        rng = self.rng
        count = {"SEV-1": rng.randint(3, 5), "SEV-2": rng.randint(2, 4),
                 "SEV-3": rng.choice((0, 1, 1, 2)), "SEV-4": rng.choice((0, 0, 0, 1))}[level]
        titles = rng.sample(self.text.items + _COMMON_ITEMS, k=count)
        today = self.now.date()
        created = min(resolved + timedelta(days=1), self.now)
        items = []
        for n, title in enumerate(titles, start=1):
            priority = rng.choice((Priority.HIGH, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
                                  if level in ("SEV-1", "SEV-2") else (Priority.MEDIUM, Priority.LOW))
            due = resolved.date() + timedelta(days=rng.randint(3, 60))
            recurrence = rng.choice(("quarterly", "monthly")) if rng.random() < 0.05 else None
            if due < today:
                status = (WorkStatus.DONE if rng.random() < 0.7
                          else rng.choice((WorkStatus.NOT_STARTED, WorkStatus.IN_PROGRESS, WorkStatus.BLOCKED)))
            else:
                status = rng.choice((WorkStatus.DONE, WorkStatus.IN_PROGRESS, WorkStatus.IN_PROGRESS,
                                     WorkStatus.NOT_STARTED, WorkStatus.SCHEDULED))
            if recurrence and status is not WorkStatus.DONE:
                status = WorkStatus.SCHEDULED
            completed = None
            if status is WorkStatus.DONE:
                planned = datetime.combine(due, time(17), timezone.utc)
                completed = min(self.now, max(created, created + (planned - created) * rng.uniform(0.3, 1.1)))
            items.append(ActionItem(id=f"A{n}", title=title, priority=priority, owner=rng.choice(TEAMS), due=due,
                                    recurrence=recurrence, status=status, created_at=created,
                                    completed_at=completed))
        return items


# The incidents before INC-2025-001 that the seed report's metrics count: with INC-2025-001 they give
# MTBF 45 days over the preceding year, and 3 incidents (SEV-1: 1, SEV-2: 2) in its 30-day window.
_HISTORY = (
    (360, "SEV-3", "performance"), (300, "SEV-2", "deployment"), (240, "SEV-4", "capacity"),
    (170, "SEV-2", "network"), (120, "SEV-3", "performance"), (65, "SEV-3", "security"),
    (27, "SEV-2", "performance"), (18, "SEV-2", "deployment"),
)


def _history_plans(seed_start: datetime) -> list[_Plan]:
    rng = random.Random("incident-desk seed history")
    plans = []
    for days, level, kind in _HISTORY:
        # Only the earliest start fixes the mean gap, so the others may fall at any hour of their day.
        offset = timedelta(0) if days == _HISTORY[0][0] else timedelta(hours=rng.randint(-2, 12))
        plans.append(_Plan(start=seed_start - timedelta(days=days) + offset, level=level, type=kind))
    return plans


def _generated_plans(rng: random.Random, count: int, end_instant: datetime,
                     reserved: dict[str, datetime]) -> list[_Plan]:
    window_start = end_instant - timedelta(days=WINDOW_DAYS)
    blocked = [(datetime(year, 1, 1, tzinfo=timezone.utc), start)
               for rid, start in reserved.items() for year in [incident_number(rid)[0]]]
    starts: list[datetime] = []
    while len(starts) < count:
        start = window_start + timedelta(seconds=rng.uniform(0, WINDOW_DAYS * 86400 - 3 * 86400))
        if any(lo <= start <= hi for lo, hi in blocked):  # keep reserved ids first of their year
            continue
        starts.append(start.replace(microsecond=0))
    starts.sort()
    plans = [_Plan(start=s, level=_pick(rng, LEVEL_WEIGHTS), type=_pick(rng, TYPE_WEIGHTS)) for s in starts]
    for index in sorted(rng.sample(range(len(plans)), k=round(len(plans) * OVERRIDE_SHARE))):
        plan = plans[index]
        plan.facts_level, plan.facts_driver, plan.override_reason = rng.choice(OVERRIDES[plan.level])
    for plan in plans:
        # The rules rate any performance incident over 30 minutes SEV-3; minor ones are of other kinds.
        if plan.rules_level == "SEV-4" and plan.type == "performance":
            plan.type = _pick(rng, {kind: w for kind, w in TYPE_WEIGHTS.items() if kind != "performance"})
    for plan in plans[-ACTIVE_AT_END:] if count >= ACTIVE_AT_END else []:
        plan.start = (end_instant - timedelta(hours=rng.uniform(3, 40))).replace(microsecond=0)
        plan.force_active = True
    plans.sort(key=lambda p: p.start)
    return plans


def _build(plans: list[_Plan], rng: random.Random, now: datetime, reserved: dict[str, datetime]) -> list[Incident]:
    """Allocate ids per year in start order (skipping reserved numbers) and build each incident."""
    taken = {incident_number(rid) for rid in reserved}
    counters: dict[int, int] = {}
    incidents = []
    for plan in sorted(plans, key=lambda p: p.start):
        year = plan.start.year
        number = counters.get(year, 0) + 1
        while (year, number) in taken:
            number += 1
        counters[year] = number
        incidents.append(_Builder(rng, format_incident_id(year, number), plan, now).build())
    return incidents


def end_instant(end: date) -> datetime:
    """The instant the generated history ends at: noon UTC of `end`. Active incidents are open then."""
    return datetime.combine(end, time(12, 0), timezone.utc)


def generate_incidents(count: int, seed: int, end: date, reserved: dict[str, datetime]) -> list[Incident]:
    """The seed history plus `count` incidents in the 18 months before `end` (see demo.data.demo_incidents)."""
    if count < 0:
        raise ValueError(f"count must be >= 0 (got {count})")
    rng = random.Random(seed)
    now = end_instant(end)
    seed_start = min(reserved.values()) if reserved else now
    history = _history_plans(seed_start) if reserved else []
    plans = history + _generated_plans(rng, count, now, reserved)
    return _build(plans, rng, now, reserved)
