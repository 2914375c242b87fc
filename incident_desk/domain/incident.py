"""The incident and every part of it, as typed pydantic models.

Each section of the seed's "Incident Response Analysis" report is data here, never free text that
only looks structured. Models refuse impossible data (an empty title, a negative count, resolution
before impact started) with a message naming the field. Instants are stored in UTC.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from .lifecycle import Status
from .timeutil import as_utc, parse_duration
from .field_types import Amount, Count, Percent, SaneDate
from .validation import (
    INCIDENT_ID_PATTERN,  # noqa: F401 - re-exported: the one id grammar lives in validation
    check_instant,
    id_problem,
)
from .vocabulary import (  # re-exported: the plain words of the model live in vocabulary
    NEW_ITEM_STATUS,
    PRIORITY_RANK as PRIORITY_RANK,
    ROLE_PATTERN,
    Channel as Channel,
    DeliveryState,
    EventKind,
    ImpactKind,
    Phase,
    Priority,
    Role,
    TeamRole,
    WorkStatus,
    format_incident_id as format_incident_id,
    incident_number as incident_number,
    normalize_severity,
    role_label as role_label,
)

SEVERITY_PATTERN = re.compile(r"^SEV-(\d)$")


def new_id() -> str:
    """A short random id for parts of an incident (timeline events, log entries)."""
    return uuid.uuid4().hex[:12]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else check_instant(as_utc(value))


def _sane_utc(value: datetime) -> datetime:
    return check_instant(as_utc(value))


def _non_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _clean_list(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _duration_input(value: Any) -> Any:
    """Durations may be written as people write them (`6h`, `2h15m`, `90s`) as well as ISO 8601 or seconds."""
    if isinstance(value, str) and value.strip() and not value.strip().upper().startswith("P"):
        try:
            return parse_duration(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a duration such as 30m, 6h or 2d") from None
    return value


DurationFact = Annotated[timedelta | None, BeforeValidator(_duration_input)]
UTCDateTime = Annotated[datetime, AfterValidator(_sane_utc)]
OptionalUTC = Annotated[datetime | None, AfterValidator(_utc)]
NonBlank = Annotated[str, AfterValidator(_non_blank)]
CleanList = Annotated[list[str], AfterValidator(_clean_list)]


SeverityLevel = Annotated[str, AfterValidator(normalize_severity)]


class Model(BaseModel):
    """Base for every domain model: unknown keys are refused, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


# --------------------------------------------------------------------------- facts and clock


class Facts(Model):
    """The measured facts that severity, SLA and regulatory rules read. `None` means unknown."""

    customer_impact_pct: Percent | None = Field(None, description="Share of customers affected, %")
    customers_affected: Count | None = None
    revenue_per_hour: Amount | None = Field(None, description="Revenue at risk per hour of outage")
    failed_transactions: Count | None = None
    support_tickets: Count | None = None
    sla_target_pct: Percent | None = Field(None, gt=0)
    sla_actual_pct: Percent | None = Field(None, description="Measured availability in the SLA period")
    data_categories: CleanList = Field(default_factory=list, description="personal, payment, health, ...")
    regions: CleanList = Field(default_factory=list)
    records_exposed: Count | None = None
    security_breach: bool | None = None
    customers_total: Count | None = Field(None, description="All customers of the service (turns the "
                                        "impact percentage into a count)")
    data_lost: bool | None = Field(None, description="Customer or production data was lost or destroyed")
    records_lost: Count | None = Field(None, description="Records, rows or objects lost")
    data_loss_window: DurationFact = Field(None, description="Span of time whose writes were lost")
    data_recoverable: bool | None = Field(None, description="The lost data can be restored (backups, replicas)")
    backups_failed: Count | None = Field(None, description="Backup or replication mechanisms that failed")

    @model_validator(mode="after")
    def _consistent(self) -> Facts:
        problem = customers_affected_disagreement(self)
        if problem:
            raise ValueError(problem)
        return self


def derived_customers_affected(facts: Facts) -> int | None:
    """Customers affected from the impact percentage and the customer total, when both are known."""
    if facts.customer_impact_pct is None or facts.customers_total is None:
        return None
    return round(facts.customers_total * facts.customer_impact_pct / 100)


def customers_affected_disagreement(facts: Facts) -> str:
    """Why a typed customers_affected contradicts the count the desk derives, or "" when it does not."""
    derived = derived_customers_affected(facts)
    typed = facts.customers_affected
    if derived is None or typed is None or typed == derived:
        return ""
    return (f"customers_affected {typed:,} disagrees with the count the desk derives "
            f"({facts.customer_impact_pct:g}% of customers_total {facts.customers_total:,} = {derived:,}); "
            f"clear customers_affected (it is derived) or correct customer_impact_pct or customers_total")


class Clock(Model):
    """The instants of an incident. All UTC; each may be unknown while the incident runs."""

    started_at: OptionalUTC = Field(None, description="Impact start")
    alerted_at: OptionalUTC = Field(None, description="First alert")
    declared_at: OptionalUTC = None
    acknowledged_at: OptionalUTC = None
    mitigated_at: OptionalUTC = None
    resolved_at: OptionalUTC = None
    closed_at: OptionalUTC = None
    materiality_determined_at: OptionalUTC = Field(
        None, description="When the incident was determined to be material (starts the SEC 8-K clock)")

    @model_validator(mode="after")
    def _ordered(self) -> Clock:
        problems = clock_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


_CLOCK_ORDER: tuple[tuple[str, str], ...] = (
    ("started_at", "alerted_at"),
    ("started_at", "declared_at"),
    ("started_at", "acknowledged_at"),
    ("started_at", "mitigated_at"),
    ("started_at", "resolved_at"),
    ("alerted_at", "acknowledged_at"),
    ("mitigated_at", "resolved_at"),
    ("resolved_at", "closed_at"),
    ("declared_at", "closed_at"),
    ("started_at", "materiality_determined_at"),
)


def clock_problems(clock: Clock) -> list[str]:
    """Every pair of instants that is in an impossible order, written for a person."""
    problems = []
    for earlier, later in _CLOCK_ORDER:
        a, b = getattr(clock, earlier), getattr(clock, later)
        if a is not None and b is not None and b < a:
            problems.append(
                f"{later.removesuffix('_at')} ({b:%Y-%m-%dT%H:%M:%SZ}) is before "
                f"{earlier.removesuffix('_at')} ({a:%Y-%m-%dT%H:%M:%SZ})"
            )
    return problems


# --------------------------------------------------------------------------- severity


def _frozen(value: Any) -> Any:
    """Lists (as read from JSON) become tuples, so an explanation read from disk is as immutable and
    compares equal to one the engine built."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


FrozenValue = Annotated[Any, AfterValidator(_frozen)]


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionResult:
    """One leaf condition of a rule as it was evaluated: what was expected, what was found.

    Immutable (list values are tuples): results are shared freely and never aliased by mistake. Built
    by the engine with plain constructor calls; pydantic validates it when a Severity is read, so bad data
    on disk is refused with its path (e.g. `severity.explanation.0.criteria.1.matched`).
    """

    field: str
    op: str
    expected: FrozenValue = None
    actual: FrozenValue = None
    matched: bool
    missing: bool = False
    text: str = ""  # the human sentence, e.g. 'Customer impact 100% >= 50%'

    __pydantic_config__ = ConfigDict(extra="forbid")

    def json_data(self) -> dict[str, Any]:
        """The JSON-ready dict stored for it (as in `Severity.model_dump(mode="json")`)."""
        return _CRITERION_JSON.dump_python(self, mode="json")


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMatch:
    """A severity rule that matched, with every leaf that made it match (immutable, like CriterionResult)."""

    rule_id: str
    level: SeverityLevel
    description: str = ""
    criteria: tuple[CriterionResult, ...] = ()

    __pydantic_config__ = ConfigDict(extra="forbid")

    def json_data(self) -> dict[str, Any]:
        """The JSON-ready dict stored for it (as in `Severity.model_dump(mode="json")`)."""
        return _RULE_MATCH_JSON.dump_python(self, mode="json")


_CRITERION_JSON = TypeAdapter(CriterionResult)
_RULE_MATCH_JSON = TypeAdapter(RuleMatch)


class SeverityOverride(Model):
    level: SeverityLevel
    reason: NonBlank
    author: NonBlank
    at: UTCDateTime


class Severity(Model):
    """The computed level with its explanation, and a manual override kept beside it."""

    computed: SeverityLevel | None = None
    explanation: tuple[RuleMatch, ...] = ()
    missing_facts: list[str] = Field(default_factory=list)
    rules_digest: str | None = Field(None, description="Digest of the rule set that computed the level")
    override: SeverityOverride | None = None

    @property
    def level(self) -> str | None:
        """The level in force: the override when there is one, else the computed level."""
        return self.override.level if self.override else self.computed


# --------------------------------------------------------------------------- people and records


def _role_slug(value: str) -> str:
    """The seed's roles as `Role` members (so `a.role is Role.SCRIBE` holds), others as `TeamRole`."""
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if not ROLE_PATTERN.match(text):
        raise ValueError(f"'{value}' is not a role name such as incident_commander or technical_lead")
    try:
        return Role(text)
    except ValueError:
        return TeamRole(text)


RoleName = Annotated[str, BeforeValidator(lambda v: v.value if isinstance(v, Role) else v),
                     AfterValidator(_role_slug)]


class RoleAssignment(Model):
    """A person holding a role from `assigned_at` until `relieved_at` (a handover ends it). The role is
    one of the workspace's roles (the seed's five, plus any its roles.yaml adds)."""

    role: RoleName
    person: NonBlank
    assigned_at: UTCDateTime
    relieved_at: OptionalUTC = None
    note: str = ""


class TimelineEvent(Model):
    id: str = Field(default_factory=new_id)
    at: UTCDateTime
    kind: EventKind = EventKind.NOTE
    text: NonBlank
    source: str = "manual"
    author: str = ""


class Delivery(Model):
    """What one notifier did with one communication."""

    notifier: NonBlank
    target: str = ""
    state: DeliveryState = DeliveryState.PENDING
    attempts: Count = 0
    last_error: str = ""
    at: OptionalUTC = None
    message_key: str = ""


class CommunicationEntry(Model):
    id: str = Field(default_factory=new_id)
    at: UTCDateTime
    channel: Channel = Channel.INTERNAL
    audience: str = ""
    message: NonBlank
    template: str | None = None
    author: str = ""
    deliveries: list[Delivery] = Field(default_factory=list)


class Why(Model):
    question: NonBlank
    answer: NonBlank


class Investigation(Model):
    primary_cause: str = ""
    contributing_factors: CleanList = Field(default_factory=list)
    whys: list[Why] = Field(default_factory=list, max_length=10)
    root_cause: str = ""


class ImpactWindow(Model):
    """A stretch of time with one kind of impact (complete outage or partial degradation)."""

    kind: ImpactKind
    start: UTCDateTime
    end: UTCDateTime

    @model_validator(mode="after")
    def _ordered(self) -> ImpactWindow:
        if self.end < self.start:
            raise ValueError(f"impact window ends ({self.end:%Y-%m-%dT%H:%M:%SZ}) before it starts "
                             f"({self.start:%Y-%m-%dT%H:%M:%SZ})")
        return self


class Impact(Model):
    """Impact beyond the facts: narrative lines per area and measured impact windows."""

    summary: str = ""
    customer_notes: CleanList = Field(default_factory=list)
    business_notes: CleanList = Field(default_factory=list)
    technical_notes: CleanList = Field(default_factory=list)
    sla_credits: Amount | None = Field(None, description="Credits owed; computed from sla.yaml when unset")
    windows: list[ImpactWindow] = Field(default_factory=list)


class RemediationAction(Model):
    id: str = Field(default_factory=new_id)
    phase: Phase
    text: NonBlank
    status: WorkStatus = WorkStatus.NOT_STARTED
    owner: str = ""


class PostMortem(Model):
    went_well: CleanList = Field(default_factory=list)
    could_improve: CleanList = Field(default_factory=list)
    lessons: CleanList = Field(default_factory=list)
    process_improvements: CleanList = Field(default_factory=list)
    recommendations: CleanList = Field(default_factory=list)
    scheduled_at: OptionalUTC = None
    held_at: OptionalUTC = None
    facilitator: str = ""


class ActionItem(Model):
    """A follow-up with an owner and a due date. Whether it is overdue is derived, never stored."""

    id: str
    title: NonBlank
    priority: Priority = Priority.MEDIUM
    owner: NonBlank
    due: SaneDate | None = None
    recurrence: Literal["weekly", "monthly", "quarterly", "yearly"] | None = None
    status: WorkStatus = NEW_ITEM_STATUS
    created_at: OptionalUTC = None
    completed_at: OptionalUTC = None

    def is_overdue(self, today: date) -> bool:
        return self.status.is_open and self.due is not None and self.due < today


class EscalationRecord(Model):
    """One escalation step that fired. `key` is unique per rule, step and repeat, so a restart neither
    sends it twice nor skips it."""

    key: NonBlank
    rule_id: NonBlank
    fired_at: UTCDateTime
    due_at: OptionalUTC = None
    actions: list[str] = Field(default_factory=list, description="Human summary of each action taken")


class RegulatoryFiling(Model):
    """A report made to a regulator for one obligation of a regime in regulatory.yaml (`gdpr` /
    `supervisory-authority`). The names are checked against the rule set when the filing is recorded."""

    regime: NonBlank
    obligation: NonBlank
    filed_at: UTCDateTime
    reference: str = Field("", description="The regulator's case or receipt number, if any")
    author: str = ""

    def is_for(self, regime: str, obligation: str) -> bool:
        return (self.regime.casefold(), self.obligation.casefold()) == (regime.casefold(), obligation.casefold())


class ChecklistStep(Model):
    """One step of a playbook checklist attached to an incident; ticking it records who and when."""

    id: NonBlank
    playbook: NonBlank
    text: NonBlank
    phase: str = ""
    role: str = ""
    done_at: OptionalUTC = None
    done_by: str = ""


# --------------------------------------------------------------------------- the incident


class Incident(Model):
    """One incident, from declaration to closed post-mortem."""

    id: str
    revision: Count = Field(0, description="Bumped by the store on every save; stale edits are refused")
    title: NonBlank
    summary: str = ""
    type: NonBlank = "availability"
    tags: CleanList = Field(default_factory=list)
    affected_systems: CleanList = Field(default_factory=list)
    services: CleanList = Field(default_factory=list)
    status: Status = Status.DECLARED
    facts: Facts = Field(default_factory=Facts)
    clock: Clock = Field(default_factory=Clock)
    severity: Severity = Field(default_factory=Severity)
    roles: list[RoleAssignment] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    communications: list[CommunicationEntry] = Field(default_factory=list)
    investigation: Investigation = Field(default_factory=Investigation)
    impact: Impact = Field(default_factory=Impact)
    resolution: str = ""
    remediation: list[RemediationAction] = Field(default_factory=list)
    postmortem: PostMortem = Field(default_factory=PostMortem)
    action_items: list[ActionItem] = Field(default_factory=list)
    escalations: list[EscalationRecord] = Field(default_factory=list)
    regulatory_filings: list[RegulatoryFiling] = Field(default_factory=list)
    checklist: list[ChecklistStep] = Field(default_factory=list)
    drill: bool = Field(False, description="An exercise incident: left out of production metrics")
    created_by: str = ""

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        problem = id_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("type")
    @classmethod
    def _type_slug(cls, value: str) -> str:
        return value.strip().lower().replace(" ", "-").replace("_", "-")

    @property
    def severity_level(self) -> str | None:
        return self.severity.level

    def current_holders(self, role: Role | str) -> list[RoleAssignment]:
        return [a for a in self.roles if a.role == role and a.relieved_at is None]

    def regulatory_filing(self, regime: str, obligation: str) -> RegulatoryFiling | None:
        """The filing recorded for one obligation of a regime, if any (names compared case-insensitively)."""
        return next((f for f in self.regulatory_filings if f.is_for(regime, obligation)), None)

    def sorted_timeline(self) -> list[TimelineEvent]:
        return sorted(self.timeline, key=lambda e: e.at)
