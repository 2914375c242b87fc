"""Commands that declare incidents and run them: declare, list, show, set, lifecycle, timeline, roles, comms."""

from __future__ import annotations

import click

from .. import Channel, EventKind, Status
from ..app.face_support import isoformat_z
from .common import AppContext, CliError, emit, emit_json_stream, json_option, pass_app
from .context import open_desk, parse_pairs, parse_time
from .formatting import incident_block, incident_table, table, when, wide_option

CLOCK_OPTIONS = ("started_at", "alerted_at", "declared_at", "acknowledged_at", "mitigated_at", "resolved_at",
                 "closed_at", "materiality_determined_at")


@click.command()
@click.argument("title", required=False)
@click.option("--severity", help="Severity to set now (sev1..sev4); kept as an override beside the computed level.")
@click.option("--type", "type_", default="availability", show_default=True, help="Incident type.")
@click.option("--start", is_flag=True, help="Start the response now (the seed's `--start`); the default.")
@click.option("--summary", default="", help="One-paragraph summary.")
@click.option("--service", "services", multiple=True, help="Affected service (repeatable).")
@click.option("--system", "systems", multiple=True, help="Affected system (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE", help="A fact the rules read (repeatable).")
@click.option("--started-at", help="When impact started (ISO-8601, UTC if no offset). Default: now.")
@click.option("--alerted-at", help="When the first alert fired. Default: started-at.")
@click.option("--declared-at", help="When it was declared. Default: now.")
@click.option("--commander", help="Incident commander.")
@json_option
@pass_app
def declare(app: AppContext, title, severity, type_, start, summary, services, systems, tags, facts, started_at,
            alerted_at, declared_at, commander, as_json):
    """Declare a new incident and classify its severity."""
    with open_desk(app) as desk:
        when_declared = parse_time(declared_at, "--declared-at")
        incident = desk.declare(
            title=title or f"{type_.replace('-', ' ').capitalize()} incident",
            type=type_, severity=severity, summary=summary, services=services, affected_systems=systems,
            tags=tags, facts=parse_pairs(facts, "--fact"), started_at=parse_time(started_at, "--started-at"),
            alerted_at=parse_time(alerted_at, "--alerted-at"), declared_at=when_declared, commander=commander,
        )
    emit(incident, as_json, lambda i: f"Declared {i.id} ({i.severity.level or 'unclassified'}, {i.type}): "
                                      f"{i.title}\n{incident_block(i)}")


@click.command(name="list")
@click.option("--status", "statuses", multiple=True, help="Only these statuses (repeatable).")
@click.option("--severity", "severities", multiple=True, help="Only these severities (repeatable).")
@click.option("--type", "types", multiple=True, help="Only these types (repeatable).")
@click.option("--service", help="Only incidents affecting this service.")
@click.option("--active", is_flag=True, help="Only incidents not yet resolved.")
@click.option("--since", help="Started at or after this time.")
@click.option("--until", help="Started before this time.")
@click.option("--search", help="Text in the id or title (case-insensitive).")
@click.option("--limit", type=click.IntRange(0, 10**9), default=0, help="Show at most N (newest first).")
@wide_option
@json_option
@pass_app
def list_(app: AppContext, statuses, severities, types, service, active, since, until, search, limit, as_json):
    """List incidents, newest first, with filters."""
    from .. import normalize_severity
    from ..app.desk import SummaryQuery

    since_t, until_t = parse_time(since, "--since"), parse_time(until, "--until")
    try:
        wanted_sev = frozenset(normalize_severity(s) for s in severities)
    except ValueError as error:
        raise CliError(f"--severity: {error}", 2) from None
    query = SummaryQuery(statuses=frozenset(statuses), severities=wanted_sev, types=frozenset(types),
                         service=service, active=active, search=search, started_from=since_t,
                         started_before=until_t)
    with open_desk(app) as desk:
        if as_json:
            emit_json_stream(desk.iter_summaries(query, newest_first=True, limit=max(limit, 0)))
        else:
            click.echo(incident_table(desk.rows(query, newest_first=True, limit=max(limit, 0))))


@click.command()
@click.argument("incident_id")
@json_option
@pass_app
def show(app: AppContext, incident_id, as_json):
    """Show one incident (the full report is `incident-desk report`)."""
    with open_desk(app) as desk:  # the text needs only the view, read without the models when the file is sealed
        incident = desk.get(incident_id) if as_json else desk.view(incident_id)
    emit(incident, as_json, incident_block)


@click.command(name="set")
@click.argument("incident_id")
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE",
              help="Set a fact (repeatable); `NAME=unknown` (or `none`, empty) clears it, a list fact too. "
                   "Lists are comma-separated; durations such as 6h. Derived facts (sla_breached, ...) are refused.")
@click.option("--title")
@click.option("--summary")
@click.option("--type", "type_")
@click.option("--service", "services", multiple=True, help="Replace the affected services.")
@click.option("--system", "systems", multiple=True, help="Replace the affected systems.")
@click.option("--tag", "tags", multiple=True, help="Replace the tags.")
@click.option("--resolution", help="How it was resolved (one paragraph).")
@click.option("--clock", "clocks", multiple=True, metavar="NAME=TIME",
              help=f"Correct a clock field ({', '.join(CLOCK_OPTIONS)}); TIME is ISO-8601 or `unknown`.")
@click.option("--revision", type=click.IntRange(0, 10**15),
              help="Refuse the change if the incident is no longer at this revision.")
@json_option
@pass_app
def set_(app: AppContext, incident_id, facts, title, summary, type_, services, systems, tags, resolution, clocks,
         revision, as_json):
    """Change facts, identity fields or clock of an incident; the severity is classified again."""
    fields = {k: v for k, v in {"title": title, "summary": summary, "type": type_, "resolution": resolution,
                                "services": list(services) or None, "affected_systems": list(systems) or None,
                                "tags": list(tags) or None}.items() if v is not None}
    fact_changes = parse_pairs(facts, "--fact")
    clock_changes = {}
    for name, value in parse_pairs(clocks, "--clock").items():
        key = name if name.endswith("_at") else f"{name}_at"
        clock_changes[key] = None if value.strip().lower() in ("", "unknown", "none") else parse_time(value, "--clock")
    if not (fields or fact_changes or clock_changes):
        raise click.UsageError("nothing to change: give --fact, --clock or a field option")
    with open_desk(app) as desk:  # one change: all of it is saved, or nothing
        incident = desk.set_all(incident_id, facts=fact_changes, fields=fields, clock=clock_changes,
                                expected_revision=revision)
    emit(incident, as_json, lambda i: f"Updated {i.id} (revision {i.revision}, severity {i.severity.level or '-'})")


def _lifecycle_command(name: str, target: Status | None, help_text: str) -> click.Command:
    @click.command(name=name, help=help_text)
    @click.argument("incident_id")
    @click.option("--at", "at_", help="When it happened (ISO-8601); default now.")
    @click.option("--note", default="", help="A note recorded with the status change.")
    @json_option
    @pass_app
    def command(app: AppContext, incident_id, at_, note, as_json):
        with open_desk(app) as desk:
            when_ = parse_time(at_, "--at")
            if target is None:
                incident = desk.acknowledge(incident_id, at=when_)
            else:
                incident = desk.transition(incident_id, target, at=when_, note=note)
        emit(incident, as_json, lambda i: f"{i.id} is now {i.status.value} (revision {i.revision})")

    return command


acknowledge = _lifecycle_command(
    "ack", None, "Acknowledge an incident: stamps acknowledged_at and, if it is still declared, moves it to "
                 "investigating (an incident already further along keeps its status).")
mitigate = _lifecycle_command("mitigate", Status.MONITORING, "Mark mitigated: the fix is in, now monitoring.")
resolve = _lifecycle_command("resolve", Status.RESOLVED, "Resolve an incident (stamps resolved_at).")
close = _lifecycle_command("close", Status.CLOSED, "Close an incident after its post-mortem.")


@click.command()
@click.argument("incident_id")
@click.argument("status", type=click.Choice([s.value for s in Status]))
@click.option("--at", "at_", help="When it happened (ISO-8601); default now.")
@click.option("--note", default="")
@json_option
@pass_app
def status(app: AppContext, incident_id, status, at_, note, as_json):
    """Move an incident to any legal status."""
    with open_desk(app) as desk:
        incident = desk.transition(incident_id, Status(status), at=parse_time(at_, "--at"), note=note)
    emit(incident, as_json, lambda i: f"{i.id} is now {i.status.value} (revision {i.revision})")


@click.group()
def timeline() -> None:
    """The incident's timeline."""


@timeline.command(name="add")
@click.argument("incident_id")
@click.argument("text")
@click.option("--kind", type=click.Choice([k.value for k in EventKind]), default="note", show_default=True)
@click.option("--at", "at_", help="Backfill: when it happened (ISO-8601); default now.")
@json_option
@pass_app
def timeline_add(app: AppContext, incident_id, text, kind, at_, as_json):
    """Add a timeline event (use --at to backfill)."""
    with open_desk(app) as desk:
        event = desk.add_event(incident_id, text, kind=kind, at=parse_time(at_, "--at"))
    emit(event, as_json, lambda e: f"Added {e.kind.value} at {isoformat_z(e.at)}: {e.text}")


@timeline.command(name="list")
@click.argument("incident_id")
@wide_option
@json_option
@pass_app
def timeline_list(app: AppContext, incident_id, as_json):
    """Show the timeline in time order."""
    with open_desk(app) as desk:
        events = desk.get(incident_id).sorted_timeline()
    emit(events, as_json, lambda es: table(["AT", "KIND", "AUTHOR", "TEXT"],
                                           [[when(e.at), e.kind.value, e.author, e.text] for e in es], 80)
         if es else "No timeline events.")


@click.group()
def comms() -> None:
    """The communication log."""


@comms.command(name="add")
@click.argument("incident_id")
@click.argument("message")
@click.option("--channel", type=click.Choice([c.value for c in Channel]), default="internal", show_default=True)
@click.option("--audience", default="")
@click.option("--at", "at_", help="When it was sent (ISO-8601); default now.")
@json_option
@pass_app
def comms_add(app: AppContext, incident_id, message, channel, audience, at_, as_json):
    """Record a communication that was sent outside the desk."""
    with open_desk(app) as desk:
        incident = desk.add_communication(incident_id, message, channel=channel, audience=audience,
                                          at=parse_time(at_, "--at"))
    emit(incident.communications[-1], as_json, lambda e: f"Logged {e.channel.label}: {e.message}")


@comms.command(name="list")
@click.argument("incident_id")
@wide_option
@json_option
@pass_app
def comms_list(app: AppContext, incident_id, as_json):
    """The communication log with delivery states."""
    with open_desk(app) as desk:
        entries = sorted(desk.get(incident_id).communications, key=lambda e: e.at)
    emit(entries, as_json, lambda es: table(
        ["AT", "CHANNEL", "AUDIENCE", "DELIVERY", "MESSAGE"],
        [[when(e.at), e.channel.label, e.audience,
          ", ".join(f"{d.notifier}:{d.state.value}" for d in e.deliveries) or "-", e.message] for e in es], 70)
        if es else "No communications logged.")


COMMANDS = [declare, list_, show, set_, acknowledge, mitigate, resolve, close, status, timeline, comms]


@click.command()
@click.argument("incident_id")
@click.option("--at", "at_", help="Evaluate at this instant (ISO-8601); default now.")
@json_option
@pass_app
def clocks(app: AppContext, incident_id, at_, as_json):
    """Response targets, SLA, regulatory deadlines and the next escalation of one incident."""
    from ..app.clocks import incident_clocks
    from ..app.face_support import format_short_duration
    from .regulatory_cmds import clock_data, clock_status

    with open_desk(app) as desk:
        result = incident_clocks(desk, incident_id, parse_time(at_, "--at"))
    sla = result.sla
    data = {
        "incident_id": result.incident_id, "level": result.level, "at": result.now,
        "targets": [{"name": t.name, "within_seconds": t.target.total_seconds(), "due_at": t.due_at,
                     "met_at": t.met_at, "state": t.state} for t in result.targets],
        "sla": None if sla is None else {"target": sla.target, "actual": sla.actual, "violated": sla.violated,
                                         "credit_amount": sla.credit_amount, "explanation": sla.explanation},
        "regulatory": [clock_data(c) for c in result.regulatory],
        "next_escalation": None if result.next_escalation is None else {
            "policy": result.next_escalation.policy_id, "due_at": result.next_escalation.due_at,
            "description": result.next_escalation.description},
    }

    def left(delta) -> str:
        if delta is None:
            return ""
        return f" (OVERDUE by {format_short_duration(-delta)})" if delta.total_seconds() < 0 \
            else f" ({format_short_duration(delta)} left)"

    def human(_: object) -> str:
        lines = [f"{result.incident_id} ({result.level or 'unclassified'}) at {when(result.now)}"]
        for t in result.targets:
            lines.append(f"  {t.name.capitalize()} within {format_short_duration(t.target)}: "
                         f"due {when(t.due_at)}, {t.state}" + (f" at {when(t.met_at)}" if t.met_at else
                                                               left(t.time_left)))
        if sla is not None:
            lines.append(f"  SLA: {sla.explanation}")
        for c in result.regulatory:
            lines.append(f"  {c.regime_name}: {c.obligation_name} {clock_status(c)} — {c.why}")
        if not result.regulatory:
            lines.append("  No regulatory deadline applies.")
        nxt = result.next_escalation
        lines.append(f"  Next escalation: {nxt.policy_id} at {when(nxt.due_at)} ({nxt.description})" if nxt
                     else "  No escalation pending.")
        return "\n".join(lines)

    emit(data, as_json, human)


COMMANDS.append(clocks)
