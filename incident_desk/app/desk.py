"""The desk: every use case the faces call, composed from the domain, the store and the engine.

A `Desk` wraps one open workspace. Each change is a read-modify-write under the store's lock through
`Workspace.update`, applying one domain operation; the store bumps the revision, writes durably and
appends to the audit trail. After a change that touches facts, the severity is classified again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from ..domain import (Channel, DomainError, EventKind, ImpactKind, IncidentRow, IncidentView, Phase, Role, Status,
                      WorkStatus)
from ..domain.validation import check_incident_id
from ..domain.timeutil import as_utc
from ..domain.vocabulary import format_incident_id
from ..store import EVERYTHING, SummaryQuery, Workspace
from .config import current_actor

if TYPE_CHECKING:  # the models load on first use and plugins on the first event: `list` and `show` need neither
    from ..domain import ActionItem, Incident, IncidentSummary, RemediationAction, Severity, TimelineEvent
    from .roles_config import RoleDefinition
    from ..plugin import Plugins
    from ..plugin.manager import PluginFailure

Classifier = Callable[["Incident", datetime], "Severity"]
SETTABLE_FIELDS = frozenset({"title", "summary", "type", "services", "affected_systems", "tags", "resolution"})


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Desk:
    """Use cases over one workspace. `clock` and `classifier` are injectable for tests and rules."""

    def __init__(self, workspace: Workspace, *, actor: str | None = None,
                 clock: Callable[[], datetime] = utcnow, classifier: Classifier | None = None,
                 rules: Any = None, plugins: Plugins | Callable[[], Plugins] | None = None) -> None:
        self.workspace = workspace
        self.actor = current_actor(actor)
        self.clock = clock
        self.classifier = classifier
        #: the workspace's RulesProvider when wired by app.wiring (level names, SLA, escalations)
        self.rules = rules
        self._plugins = plugins
        #: what plugins did wrong during this desk's event hooks; never stops a save
        self.plugin_failures: list[PluginFailure] = []
        #: more sources of notices (e.g. misconfigured notifiers), each asked when notices are read
        self.notice_sources: list[Callable[[], list[str]]] = []

    @property
    def workspace_path(self) -> Path:
        """The workspace folder (where its notifiers.yaml, outbox and rules live)."""
        return self.workspace.path

    def acting_as(self, actor: str) -> Desk:
        """The same desk (workspace, rules, plugins, clock) acting for someone else, e.g. `outbox`."""
        other = Desk(self.workspace, actor=actor, clock=self.clock, classifier=self.classifier, rules=self.rules,
                     plugins=self._plugins)
        other.notice_sources = self.notice_sources
        return other

    @property
    def plugins(self) -> Plugins | None:
        """The plugin facade, loaded on first use (a callable is called once)."""
        from ..plugin import Plugins

        if callable(self._plugins) and not isinstance(self._plugins, Plugins):
            self._plugins = self._plugins()
        return self._plugins

    @property
    def notices(self) -> list[str]:
        """Things the person should know that did not stop the work (invalid rules, a failing plugin)."""
        drift = getattr(self.rules, "drift_notices", None)
        return (list(getattr(self.workspace, "notices", [])) + list(getattr(self.rules, "notices", []))
                + (drift() if drift else []) + [str(failure) for failure in self.plugin_failures]
                + [notice for source in self.notice_sources for notice in source()])

    def close(self) -> None:
        self.workspace.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reads

    def summaries(self, query: SummaryQuery | None = None) -> list[IncidentSummary]:
        """The incidents' summaries in id order: all of them, or those `query` selects (status, severity, type,
        service, active, text, start window, overdue items, ids). Cheap to call again: the filters run on the
        index rows, only the summaries returned are built, and a Desk remembers what it built (by file stamp).
        Every summary equals `summarize(get(id))` as stored now, whichever process wrote it; a GUI model
        calls this again when the change feed (`workspace.changes_since`) reports a write."""
        return self.workspace.query_summaries(query or EVERYTHING)

    def rows(self, query: SummaryQuery | None = None, *, newest_first: bool = False,
             limit: int = 0) -> list[IncidentRow]:
        """What an incident list prints, for all incidents or those `query` selects, in id order or newest
        first, at most `limit` (0: all): read from the index's rows, no summary built (at 50,000 incidents,
        about two thirds of the time their summaries take, filtered or not)."""
        return self.workspace.list_rows(query or EVERYTHING, newest_first=newest_first, limit=limit)

    def iter_summaries(self, query: SummaryQuery | None = None, *, newest_first: bool = False,
                       limit: int = 0) -> Iterator[IncidentSummary]:
        """Like `summaries`, built one at a time as they are consumed (for output that streams: nothing holds
        them all), in id order or newest first (start time, else declaration time), at most `limit` (0: all)."""
        return self.workspace.iter_summaries(query or EVERYTHING, newest_first=newest_first, limit=limit)

    def get(self, incident_id: str) -> Incident:
        return self.workspace.get(normalize_id(incident_id))

    def view(self, incident_id: str) -> IncidentView:
        """What `show` prints of an incident, read without building the models when its file is sealed."""
        return self.workspace.view(normalize_id(incident_id))

    def list_summaries(self) -> list[IncidentSummary]:
        """The light summaries of every incident (what lists, metrics and backtests read)."""
        return self.workspace.list_summaries()

    def iter_incidents(self) -> Iterable[Incident]:
        """Every incident in full, one at a time."""
        return self.workspace.iter_incidents()

    def overdue_action_items(self, today: date | None = None) -> list[tuple[IncidentSummary, ActionItem]]:
        today = today or self.clock().date()
        return [(s, item) for s in self.summaries(SummaryQuery(overdue_on=today)) for item in s.overdue_items(today)]

    def action_items(self) -> list[tuple[IncidentSummary, ActionItem]]:
        return [(s, item) for s in self.summaries() for item in s.action_items]

    def data_version(self) -> str:
        """A cheap stamp that changes whenever any process (CLI, watch, another window) wrote."""
        return self.workspace.data_version()

    def changes_since(self, version: str) -> tuple[list[Any], str]:
        """What changed since `data_version()` gave `version` (StoreChange items), and the new stamp."""
        return self.workspace.changes_since(version)

    # ------------------------------------------------------------------ declaring

    def declare(self, *, title: str, type: str = "availability", severity: str | None = None,
                summary: str = "", services: Iterable[str] = (), affected_systems: Iterable[str] = (),
                tags: Iterable[str] = (), facts: dict[str, Any] | None = None,
                started_at: datetime | None = None, alerted_at: datetime | None = None,
                declared_at: datetime | None = None, commander: str | None = None,
                drill: bool = False) -> Incident:
        """Declare a new incident, classified by the rules. A `severity` that differs from the computed
        level is kept beside it as an override by the declaring person. A `drill` is an exercise:
        left out of production metrics, counted by the maturity assessment."""
        from ..domain import Clock, Incident, normalize_severity, operations

        now = declared_at or self.clock()
        started = started_at or alerted_at or now
        try:
            incident = Incident(
                id=format_incident_id(now.year, 1),  # placeholder until the store allocates the real id
                title=title, type=type, summary=summary, services=list(services),
                affected_systems=list(affected_systems), tags=list(tags), created_by=self.actor, drill=drill,
                clock=Clock(started_at=started, alerted_at=alerted_at or started, declared_at=now),
            )
            if facts:
                operations.set_facts(incident, coerce_facts(facts))
        except DomainError:
            raise
        except ValueError as error:
            raise DomainError(_pydantic_message(error)) from None
        self._classify(incident)
        try:
            requested = normalize_severity(severity) if severity else None
        except ValueError as error:
            raise DomainError(f"severity: {error}") from None
        if requested and requested != incident.severity.computed:
            operations.override_severity(incident, requested, "set when declared", self.actor, now)
        operations.add_event(incident, now, f"Incident declared {incident.severity.level or ''}".rstrip(),
                             EventKind.STATUS, source="lifecycle", author=self.actor)
        if commander:
            operations.assign_role(incident, Role.INCIDENT_COMMANDER, commander, now, author=self.actor)
        incident.id = self.workspace.allocate_id(now.year)
        saved = self.workspace.create(incident, actor=self.actor, action="declare")
        if self.plugins is not None:
            self.plugin_failures += self.plugins.incident_did_declare(saved)
        return saved

    # ------------------------------------------------------------------ changes

    def change(self, incident_id: str, action: str, apply: Callable[[Incident], object], *,
               expected_revision: int | None = None, reclassify: bool = False) -> Incident:
        """Apply one domain operation under the store's lock; reclassify when facts changed."""

        before: dict[str, Any] = {}
        plugins = self.plugins
        watch_items = plugins is not None and plugins.wants("action_item_did_change")

        def run(incident: Incident) -> None:
            before.setdefault("status", incident.status)
            before.setdefault("level", incident.severity.level)
            before.setdefault("events", len(incident.timeline))
            before.setdefault("communications", {e.id for e in incident.communications})
            before.setdefault("items", {a.id: a.model_copy(deep=True) for a in incident.action_items}
                              if watch_items else {a.id: None for a in incident.action_items})
            apply(incident)
            if reclassify:
                self._classify(incident)

        saved = self.workspace.update(normalize_id(incident_id), run, actor=self.actor, action=action,
                                      expected_revision=expected_revision)
        if before:
            self._announce(saved, before)
        return saved

    def _announce(self, saved: Incident, before: dict[str, Any]) -> None:
        """Tell plugins what changed; their failures are recorded, never raised."""
        plugins = self.plugins
        if plugins is None:
            return
        previous_status, previous_level = before["status"], before["level"]
        if saved.status != previous_status:
            self.plugin_failures += plugins.status_did_change(saved, previous_status, saved.status)
            if saved.status is Status.RESOLVED:
                self.plugin_failures += plugins.incident_did_resolve(saved)
        if saved.severity.level != previous_level:
            self.plugin_failures += plugins.severity_did_change(saved, previous_level, saved.severity.level)
        if plugins.wants("timeline_event_did_add"):
            for event in saved.timeline[before["events"]:]:
                self.plugin_failures += plugins.timeline_event_did_add(saved, event)
        if plugins.wants("communication_did_add"):
            for entry in saved.communications:
                if entry.id not in before["communications"]:
                    self.plugin_failures += plugins.communication_did_add(saved, entry)
        for item in saved.action_items:
            if item.id not in before["items"]:
                if plugins.wants("action_item_did_add"):
                    self.plugin_failures += plugins.action_item_did_add(saved, item)
            elif before["items"][item.id] is not None and before["items"][item.id] != item:
                self.plugin_failures += plugins.action_item_did_change(saved, item, before["items"][item.id])

    def set_facts(self, incident_id: str, changes: dict[str, Any], **kw: Any) -> Incident:
        from ..domain import operations

        return self.change(incident_id, "set facts",
                           lambda i: operations.set_facts(i, coerce_facts(changes)), reclassify=True, **kw)

    def set_fields(self, incident_id: str, changes: dict[str, Any], **kw: Any) -> Incident:
        """Change identity fields: title, summary, type, services, affected_systems, tags, resolution."""
        allowed = SETTABLE_FIELDS
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise DomainError(f"cannot set {', '.join(unknown)}; settable: {', '.join(sorted(allowed))}")

        def apply(incident: Incident) -> None:
            for name, value in changes.items():
                setattr(incident, name, value)

        return self.change(incident_id, "edit", _guard(apply), reclassify=True, **kw)

    def set_all(self, incident_id: str, *, facts: dict[str, Any] | None = None,
                fields: dict[str, Any] | None = None, clock: dict[str, datetime | None] | None = None,
                **kw: Any) -> Incident:
        """Facts, identity fields and clock in ONE change: every part is saved, or (one refused) nothing."""
        from ..domain import operations

        unknown = sorted(set(fields or {}) - SETTABLE_FIELDS)
        if unknown:
            raise DomainError(f"cannot set {', '.join(unknown)}; settable: {', '.join(sorted(SETTABLE_FIELDS))}")
        parts = [name for name, given in (("set facts", facts), ("edit", fields), ("set clock", clock)) if given]

        def apply(incident: Incident) -> None:
            if facts:
                operations.set_facts(incident, coerce_facts(facts))
            for name, value in (fields or {}).items():
                setattr(incident, name, value)
            if clock:
                operations.set_clock(incident, clock)

        return self.change(incident_id, parts[0] if len(parts) == 1 else "edit", _guard(apply),
                           reclassify=True, **kw)

    def set_clock(self, incident_id: str, changes: dict[str, datetime | None], **kw: Any) -> Incident:
        from ..domain import operations

        return self.change(incident_id, "set clock", lambda i: operations.set_clock(i, changes),
                           reclassify=True, **kw)

    def transition(self, incident_id: str, target: Status | str, *, at: datetime | None = None,
                   note: str = "", **kw: Any) -> Incident:
        from ..domain import operations

        target = Status(target)
        when = at or self.clock()
        return self.change(incident_id, f"status {target.value}",
                           lambda i: operations.transition(i, target, when, self.actor, note),
                           reclassify=True, **kw)

    def acknowledge(self, incident_id: str, *, at: datetime | None = None, **kw: Any) -> Incident:
        from ..domain import operations

        when = at or self.clock()
        return self.change(incident_id, "acknowledge", lambda i: operations.acknowledge(i, when, self.actor),
                           reclassify=True, **kw)

    def add_event(self, incident_id: str, text: str, *, kind: EventKind | str = EventKind.NOTE,
                  at: datetime | None = None, source: str = "manual") -> TimelineEvent:
        """Append a timeline event on the store's fast path (no full rewrite)."""
        from ..domain import TimelineEvent

        try:
            event = TimelineEvent(at=at or self.clock(), text=text, kind=EventKind(kind), source=source,
                                  author=self.actor)
        except ValueError as error:
            raise DomainError(f"timeline event: {_pydantic_message(error)}") from None
        self.workspace.append_event(normalize_id(incident_id), event, actor=self.actor)
        plugins = self.plugins
        if plugins is not None and plugins.wants("timeline_event_did_add"):
            self.plugin_failures += plugins.timeline_event_did_add(self.get(incident_id), event)
        return event

    def edit_event(self, incident_id: str, event_id: str, *, text: str | None = None,
                   kind: EventKind | str | None = None, at: datetime | None = None, **kw: Any) -> Incident:
        """Correct a timeline event; the audit trail records the change (who, when, what it said)."""
        from ..domain import operations

        new_kind = parse_enum(EventKind, kind, "event kind") if kind is not None else None
        return self.change(incident_id, "timeline edit",
                           lambda i: operations.edit_event(i, event_id, text=text, kind=new_kind, at=at), **kw)

    def delete_event(self, incident_id: str, event_id: str, **kw: Any) -> Incident:
        """Remove a timeline event entered by mistake; the audit trail keeps it."""
        from ..domain import operations

        return self.change(incident_id, "timeline delete", lambda i: operations.remove_event(i, event_id), **kw)

    def roles(self) -> list[RoleDefinition]:
        """The workspace's roles: the seed's five plus those of `<workspace>/roles.yaml`."""
        from .roles_config import load_roles

        return load_roles(getattr(self.workspace, "path", None))

    def assign_role(self, incident_id: str, role: Role | str, person: str, *, at: datetime | None = None,
                    note: str = "", additional: bool = False, **kw: Any) -> Incident:
        from ..domain import operations
        from .roles_config import find_role

        definition = find_role(self.roles(), role)
        when = at or self.clock()
        return self.change(incident_id, f"role {definition.id}",
                           lambda i: operations.assign_role(i, definition.id, person, when, note, additional,
                                                            self.actor, handover=definition.handover),
                           **kw)

    def relieve_role(self, incident_id: str, role: Role | str, person: str, *, at: datetime | None = None) -> Incident:
        from ..domain import operations
        from .roles_config import find_role

        definition = find_role(self.roles(), role)
        when = at or self.clock()
        return self.change(incident_id, f"role {definition.id}",
                           lambda i: operations.relieve_role(i, definition.id, person, when, self.actor))

    def add_communication(self, incident_id: str, message: str, *, channel: Channel | str = Channel.INTERNAL,
                          audience: str = "", at: datetime | None = None, template: str | None = None) -> Incident:
        from ..domain import CommunicationEntry, operations

        channel = parse_enum(Channel, channel, "channel")
        entry = _build(CommunicationEntry, "communication", at=at or self.clock(), channel=channel,
                       audience=audience, message=message, template=template, author=self.actor)
        return self.change(incident_id, "communication", lambda i: operations.add_communication(i, entry))

    def set_investigation(self, incident_id: str, *, primary_cause: str | None = None,
                          root_cause: str | None = None, add_factors: Iterable[str] = (),
                          add_whys: Iterable[tuple[str, str]] = (), replace_factors: bool = False,
                          replace_whys: bool = False, **kw: Any) -> Incident:
        from ..domain import Why

        whys = [_build(Why, "5 whys", question=q, answer=a) for q, a in add_whys]
        factors = list(add_factors)

        def apply(incident: Incident) -> None:
            inv = incident.investigation
            if primary_cause is not None:
                inv.primary_cause = primary_cause
            if root_cause is not None:
                inv.root_cause = root_cause
            inv.contributing_factors = (factors if replace_factors else inv.contributing_factors + factors)
            kept = [] if replace_whys else inv.whys
            if len(kept) + len(whys) > 10:
                raise DomainError("an investigation keeps at most 10 whys")
            inv.whys = kept + whys

        return self.change(incident_id, "investigation", _guard(apply), **kw)

    def set_impact(self, incident_id: str, *, summary: str | None = None, customer_notes: Iterable[str] = (),
                   business_notes: Iterable[str] = (), technical_notes: Iterable[str] = (),
                   sla_credits: float | None = None,
                   windows: Iterable[tuple[str, datetime, datetime]] = (), **kw: Any) -> Incident:
        from ..domain import ImpactWindow

        new_windows = [_build(ImpactWindow, "impact window", kind=parse_enum(ImpactKind, k, "impact kind"),
                              start=s, end=e) for k, s, e in windows]

        def apply(incident: Incident) -> None:
            impact = incident.impact
            if summary is not None:
                impact.summary = summary
            impact.customer_notes = impact.customer_notes + list(customer_notes)
            impact.business_notes = impact.business_notes + list(business_notes)
            impact.technical_notes = impact.technical_notes + list(technical_notes)
            if sla_credits is not None:
                impact.sla_credits = sla_credits
            impact.windows = impact.windows + new_windows

        return self.change(incident_id, "impact", _guard(apply), **kw)

    def add_remediation(self, incident_id: str, text: str, *, phase: Phase | str,
                        status: WorkStatus | str = WorkStatus.NOT_STARTED, owner: str = "") -> Incident:
        from ..domain import RemediationAction

        action = _build(RemediationAction, "remediation", phase=parse_enum(Phase, phase, "phase"), text=text,
                        status=parse_enum(WorkStatus, status, "status"), owner=owner)
        return self.change(incident_id, "remediation", lambda i: i.remediation.append(action))

    def update_remediation(self, incident_id: str, action_ref: str, *, status: WorkStatus | str) -> Incident:
        new_status = parse_enum(WorkStatus, status, "status")

        def apply(incident: Incident) -> None:
            find_remediation(incident, action_ref).status = new_status

        return self.change(incident_id, "remediation", apply)

    def set_postmortem(self, incident_id: str, *, went_well: Iterable[str] = (), could_improve: Iterable[str] = (),
                       lessons: Iterable[str] = (), process_improvements: Iterable[str] = (),
                       recommendations: Iterable[str] = (), scheduled_at: datetime | None = None,
                       held_at: datetime | None = None, facilitator: str | None = None, **kw: Any) -> Incident:
        def apply(incident: Incident) -> None:
            pm = incident.postmortem
            pm.went_well = pm.went_well + list(went_well)
            pm.could_improve = pm.could_improve + list(could_improve)
            pm.lessons = pm.lessons + list(lessons)
            pm.process_improvements = pm.process_improvements + list(process_improvements)
            pm.recommendations = pm.recommendations + list(recommendations)
            if scheduled_at is not None:
                pm.scheduled_at = scheduled_at
            if held_at is not None:
                if incident.clock.resolved_at and held_at < incident.clock.resolved_at:
                    raise DomainError("the post-mortem cannot be held before the incident was resolved")
                pm.held_at = held_at
            if facilitator is not None:
                pm.facilitator = facilitator

        return self.change(incident_id, "post-mortem", _guard(apply), **kw)

    def add_action_item(self, incident_id: str, **fields: Any) -> ActionItem:
        from ..domain import operations

        created: list[ActionItem] = []
        when = self.clock()
        self.change(incident_id, "action item",
                    lambda i: created.append(operations.add_action_item(i, when, **fields)))
        return created[0]

    def update_action_item(self, incident_id: str, item_id: str, changes: dict[str, Any]) -> ActionItem:
        from ..domain import operations

        updated: list[ActionItem] = []
        when = self.clock()
        self.change(incident_id, "action item",
                    lambda i: updated.append(operations.update_action_item(i, item_id, when, changes)))
        return updated[0]

    def override_severity(self, incident_id: str, level: str, reason: str) -> Incident:
        from ..domain import operations

        when = self.clock()
        return self.change(incident_id, "severity override",
                           lambda i: operations.override_severity(i, level, reason, self.actor, when))

    def clear_severity_override(self, incident_id: str) -> Incident:
        from ..domain import operations

        when = self.clock()
        return self.change(incident_id, "severity override",
                           lambda i: operations.clear_override(i, self.actor, when))

    def record_regulatory_filing(self, incident_id: str, regime: str, obligation: str, *,
                                 at: datetime | None = None, reference: str = "", **kw: Any) -> Incident:
        """Record that the report for one obligation of regulatory.yaml was filed (at `at`, default now).

        The regime (id or name) and obligation (id) are checked against the workspace's rules, with a
        did-you-mean; the filing is stored under the rule file's ids. A filing in the future is refused."""
        from ..domain import operations

        ruleset = self.rules.ruleset if self.rules is not None else None
        if ruleset is None:
            reason = f": {self.rules.notices[-1]}" if self.rules is not None and self.rules.notices else ""
            raise DomainError(f"cannot check the regime and obligation: no valid rule set is loaded{reason}")
        try:
            found_regime, found_obligation = ruleset.regulatory_obligation(regime, obligation)
        except LookupError as error:
            raise DomainError(str(error.args[0])) from None
        now = self.clock()
        when = as_utc(at) if at is not None else now
        if when > now:
            raise DomainError(f"a filing cannot be recorded in the future ({when:%Y-%m-%dT%H:%M:%SZ} is after "
                              f"now, {now:%Y-%m-%dT%H:%M:%SZ})")
        label = f"{found_regime.name}: {found_obligation.name}"
        return self.change(incident_id, "regulatory filing",
                           lambda i: operations.record_filing(i, found_regime.id, found_obligation.id, when,
                                                              reference, self.actor, label), **kw)

    def reclassify(self, incident_id: str) -> Incident:
        return self.change(incident_id, "classify", lambda i: None, reclassify=True)

    # ------------------------------------------------------------------ workspace care (backup, audit)

    def backup(self) -> Path:
        """A full snapshot of the workspace now (older snapshots rotate out)."""
        return self.workspace.backup()

    def restore(self, incident_id: str, source: Path | None = None) -> Path:
        """Restore a damaged incident file from its backup (or `source`); returns where the damaged one went."""
        return self.workspace.restore(normalize_id(incident_id), source)

    def reindex(self) -> int:
        """Rebuild the incident list index from the incident files; returns how many were read."""
        return self.workspace.reindex()

    def audit_trail(self, incident_id: str) -> list[Any]:
        """The hash-chained audit records of one incident, oldest first."""
        return self.workspace.audit_trail(normalize_id(incident_id))

    def verify_audit(self, *, full: bool = False, incident_id: str | None = None) -> Any:
        """Verify the checkpoint log and the audit chains (of one incident, or all)."""
        from . import audit_service

        return audit_service.verify(self.workspace, full=full,
                                    only=normalize_id(incident_id) if incident_id else None)

    def checkpoint_audit(self, key: Any) -> Any:
        """Verify, then append a checkpoint of every incident's head, signed with `key` (None: unsigned)."""
        from . import audit_service

        return audit_service.checkpoint(self.workspace, actor=self.actor, at=self.clock(), key=key)

    # ------------------------------------------------------------------ import / export

    def export_incident(self, incident_id: str) -> dict[str, Any]:
        """The incident as stored with its whole audit trail (see `export_format`); a tampered one is refused."""
        from . import export_format

        return export_format.build(*self.workspace.sealed_export(normalize_id(incident_id)))

    def import_incident(self, document: dict[str, Any], *, replace: bool = False, source: str = "input",
                        allow_unverified: bool = False) -> Incident:
        """Import an export after checking its format version and that it matches its audit head."""
        from . import export_format

        checked = export_format.check(document, source, allow_unverified=allow_unverified)
        return self.workspace.import_incident(checked.incident, actor=self.actor, replace=replace,
                                              detail=checked.detail)

    # ------------------------------------------------------------------ internals

    def _classify(self, incident: Incident) -> None:
        from ..domain import operations

        if self.classifier is None:
            return
        computed = self.classifier(incident, self.clock())
        computed.override = incident.severity.override
        previous = incident.severity.computed
        incident.severity = computed
        if previous and computed.computed != previous:
            operations.add_event(incident, self.clock(),
                                 f"Severity re-classified {previous} -> {computed.computed or 'unclassified'}",
                                 EventKind.DECISION, source="rules")


# ---------------------------------------------------------------------- helpers


def normalize_id(incident_id: str) -> str:
    """Accept `inc-2025-1` as well as `INC-2025-001`; anything else is InvalidIncidentId (the grammar is
    `domain.validation`: ASCII digits only, 1-6 digits of sequence, nothing around it)."""
    parts = incident_id.upper().split("-") if isinstance(incident_id, str) else []
    if (len(parts) == 3 and parts[0] == "INC" and len(parts[1]) == 4 and 1 <= len(parts[2]) <= 6
            and (parts[1] + parts[2]).isascii() and (parts[1] + parts[2]).isdigit() and int(parts[2]) > 0):
        return check_incident_id(format_incident_id(int(parts[1]), int(parts[2])))
    return check_incident_id(incident_id)


E = TypeVar("E", bound=Enum)


def parse_enum(enum: type[E], value: Any, what: str) -> E:
    if isinstance(value, enum):
        return value
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for member in enum:
        if text in (member.value.replace("-", "_"), member.name.lower()):
            return member
    choices = ", ".join(m.value for m in enum)
    raise DomainError(f"unknown {what} '{value}'; choose one of: {choices}")


def find_remediation(incident: Incident, ref: str) -> RemediationAction:
    """A remediation action by id, or by 1-based position in the list (`3`)."""
    for action in incident.remediation:
        if action.id == ref:
            return action
    if ref.isdigit() and 1 <= int(ref) <= len(incident.remediation):
        return incident.remediation[int(ref) - 1]
    if not incident.remediation:
        raise DomainError(f"{incident.id} has no remediation actions yet")
    raise DomainError(f"{incident.id} has no remediation action '{ref}' "
                      f"(use its number 1-{len(incident.remediation)} or id)")


@cache
def _list_facts() -> frozenset[str]:
    from ..domain import Facts

    return frozenset(name for name, f in Facts.model_fields.items() if "list" in str(f.annotation))


_CLEARING = ("", "unknown", "none", "null", "[]")


def coerce_facts(changes: dict[str, Any]) -> dict[str, Any]:
    """Command-line facts arrive as text: split lists on commas, turn `unknown`/`none`/empty into None
    (an empty list for list facts)."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            stripped = value.strip()
            if name in _list_facts():  # `unknown` / `none` / empty clears the list: it is not a category
                value = [] if stripped.lower() in _CLEARING else [v.strip() for v in stripped.split(",") if v.strip()]
            elif stripped.lower() in _CLEARING:
                value = None
            else:
                value = stripped.rstrip("%").replace("_", "").replace("$", "")
                if name not in ("security_breach",):
                    value = value.replace(",", "")
        out[name] = value
    return out


def _pydantic_message(error: Exception) -> str:
    from ..domain.operations import describe_validation_error

    from pydantic import ValidationError

    return describe_validation_error(error) if isinstance(error, ValidationError) else str(error)


def _build(model: type, what: str, **fields: Any) -> Any:
    try:
        return model(**fields)
    except ValueError as error:
        raise DomainError(f"{what}: {_pydantic_message(error)}") from None


def _guard(apply: Callable[[Incident], None]) -> Callable[[Incident], None]:
    """Turn pydantic assignment errors inside an operation into DomainError messages."""

    def run(incident: Incident) -> None:
        try:
            apply(incident)
        except DomainError:
            raise
        except ValueError as error:
            raise DomainError(_pydantic_message(error)) from None

    return run
