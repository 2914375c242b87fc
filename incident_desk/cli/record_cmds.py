"""Commands for what the team records about an incident: investigation, impact, remediation,
post-mortem, action items and manual severity overrides."""

from __future__ import annotations

from datetime import date, datetime

import click

from .. import ImpactKind, Phase, Priority, WorkStatus
from .common import AppContext, CliError, emit, json_option, pass_app
from .context import open_desk, parse_time
from .formatting import action_rows, table, wide_option

WORK_STATUSES = [s.value for s in WorkStatus]


def _window_time(value: str, option: str) -> datetime:
    parsed = parse_time(value, option)
    if parsed is None:
        raise CliError(f"{option}: a time is required")
    return parsed


@click.group()
def investigation() -> None:
    """Technical investigation: causes, contributing factors, 5 whys."""


@investigation.command(name="set")
@click.argument("incident_id")
@click.option("--primary-cause")
@click.option("--root-cause")
@click.option("--factor", "factors", multiple=True, help="Add a contributing factor (repeatable).")
@click.option("--replace-factors", is_flag=True, help="Replace the factors instead of adding.")
@click.option("--why", "whys", nargs=2, multiple=True, metavar="QUESTION ANSWER", help="Add one of the 5 whys.")
@json_option
@pass_app
def investigation_set(app: AppContext, incident_id, primary_cause, root_cause, factors, replace_factors, whys,
                      as_json):
    """Record causes, factors and whys."""
    with open_desk(app) as desk:
        incident = desk.set_investigation(incident_id, primary_cause=primary_cause, root_cause=root_cause,
                                          add_factors=factors, add_whys=whys, replace_factors=replace_factors)
    inv = incident.investigation
    emit(inv, as_json, lambda i: f"{incident.id}: {len(i.contributing_factors)} contributing factors, "
                                 f"{len(i.whys)} whys; root cause: {i.root_cause or '(not yet)'}")


@click.group()
def impact() -> None:
    """Customer, business and technical impact."""


@impact.command(name="set")
@click.argument("incident_id")
@click.option("--summary")
@click.option("--customer", "customer_notes", multiple=True, help="Add a customer-impact line.")
@click.option("--business", "business_notes", multiple=True, help="Add a business-impact line.")
@click.option("--technical", "technical_notes", multiple=True, help="Add a technical-impact line.")
@click.option("--sla-credits", type=float, help="SLA credits owed (estimate).")
@click.option("--window", "windows", nargs=3, multiple=True, metavar="KIND START END",
              help=f"An impact window; KIND is {' or '.join(k.value for k in ImpactKind)}.")
@json_option
@pass_app
def impact_set(app: AppContext, incident_id, summary, customer_notes, business_notes, technical_notes,
               sla_credits, windows, as_json):
    """Record impact lines and outage windows."""
    parsed = [(kind, _window_time(start, "--window START"), _window_time(end, "--window END"))
              for kind, start, end in windows]
    with open_desk(app) as desk:
        incident = desk.set_impact(incident_id, summary=summary, customer_notes=customer_notes,
                                   business_notes=business_notes, technical_notes=technical_notes,
                                   sla_credits=sla_credits, windows=parsed)
    emit(incident.impact, as_json, lambda i: f"{incident.id}: impact recorded ({len(i.windows)} windows)")


@click.group()
def remediation() -> None:
    """Remediation actions by phase."""


@remediation.command(name="add")
@click.argument("incident_id")
@click.argument("text")
@click.option("--phase", type=click.Choice([p.value for p in Phase]), required=True)
@click.option("--status", "status_", type=click.Choice(WORK_STATUSES), default="not_started", show_default=True)
@click.option("--owner", default="")
@json_option
@pass_app
def remediation_add(app: AppContext, incident_id, text, phase, status_, owner, as_json):
    """Add a remediation action."""
    with open_desk(app) as desk:
        incident = desk.add_remediation(incident_id, text, phase=phase, status=status_, owner=owner)
    emit(incident.remediation[-1], as_json,
         lambda a: f"Added remediation {len(incident.remediation)} ({a.phase.value}): {a.text}")


@remediation.command(name="update")
@click.argument("incident_id")
@click.argument("action_ref", metavar="NUMBER_OR_ID")
@click.option("--status", "status_", type=click.Choice(WORK_STATUSES), required=True)
@pass_app
def remediation_update(app: AppContext, incident_id, action_ref, status_):
    """Change a remediation action's status."""
    with open_desk(app) as desk:
        desk.update_remediation(incident_id, action_ref, status=status_)
    click.echo(f"Remediation {action_ref} is now {status_}")


@remediation.command(name="list")
@click.argument("incident_id")
@wide_option
@json_option
@pass_app
def remediation_list(app: AppContext, incident_id, as_json):
    """Remediation actions in order, with their numbers."""
    with open_desk(app) as desk:
        actions = desk.get(incident_id).remediation
    emit(actions, as_json, lambda acts: table(["#", "PHASE", "STATUS", "OWNER", "ACTION"],
                                              [[n, a.phase.value, a.status.label, a.owner, a.text]
                                               for n, a in enumerate(acts, 1)], 70)
         if acts else "No remediation actions.")


@click.group()
def postmortem() -> None:
    """The blameless post-mortem."""


@postmortem.command(name="set")
@click.argument("incident_id")
@click.option("--went-well", multiple=True)
@click.option("--improve", "could_improve", multiple=True, help="What could be improved (repeatable).")
@click.option("--lesson", "lessons", multiple=True)
@click.option("--process-improvement", "process_improvements", multiple=True)
@click.option("--recommendation", "recommendations", multiple=True)
@click.option("--scheduled-at")
@click.option("--held-at")
@click.option("--facilitator")
@json_option
@pass_app
def postmortem_set(app: AppContext, incident_id, went_well, could_improve, lessons, process_improvements,
                   recommendations, scheduled_at, held_at, facilitator, as_json):
    """Record post-mortem findings and its dates (due within 48 h of resolution)."""
    with open_desk(app) as desk:
        incident = desk.set_postmortem(
            incident_id, went_well=went_well, could_improve=could_improve, lessons=lessons,
            process_improvements=process_improvements, recommendations=recommendations,
            scheduled_at=parse_time(scheduled_at, "--scheduled-at"), held_at=parse_time(held_at, "--held-at"),
            facilitator=facilitator)
    emit(incident.postmortem, as_json, lambda p: f"{incident.id}: post-mortem updated")


@click.group()
def action() -> None:
    """Action items, tracked to completion across incidents."""


def _parse_due(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--due: '{value}' is not a date such as 2025-01-16", 2) from None


@action.command(name="add")
@click.argument("incident_id")
@click.argument("title")
@click.option("--owner", required=True)
@click.option("--priority", type=click.Choice([p.value for p in Priority]), default="medium", show_default=True)
@click.option("--due", help="Due date (YYYY-MM-DD).")
@click.option("--recurring", type=click.Choice(["weekly", "monthly", "quarterly", "yearly"]))
@click.option("--status", "status_", type=click.Choice(WORK_STATUSES), default="not_started", show_default=True)
@json_option
@pass_app
def action_add(app: AppContext, incident_id, title, owner, priority, due, recurring, status_, as_json):
    """Add an action item to an incident."""
    with open_desk(app) as desk:
        item = desk.add_action_item(incident_id, title=title, owner=owner, priority=priority,
                                    due=_parse_due(due), recurrence=recurring, status=status_)
    emit(item, as_json, lambda a: f"Added {a.id} to {incident_id.upper()}: {a.title}")


@action.command(name="update")
@click.argument("incident_id")
@click.argument("item_id")
@click.option("--status", "status_", type=click.Choice(WORK_STATUSES))
@click.option("--owner")
@click.option("--priority", type=click.Choice([p.value for p in Priority]))
@click.option("--due")
@click.option("--title")
@json_option
@pass_app
def action_update(app: AppContext, incident_id, item_id, status_, owner, priority, due, title, as_json):
    """Change an action item's status, owner, priority, due date or title."""
    changes = {k: v for k, v in {"status": status_, "owner": owner, "priority": priority,
                                 "due": _parse_due(due), "title": title}.items() if v is not None}
    if not changes:
        raise click.UsageError("nothing to change: give --status, --owner, --priority, --due or --title")
    with open_desk(app) as desk:
        item = desk.update_action_item(incident_id, item_id, changes)
    emit(item, as_json, lambda a: f"{a.id}: {a.status.label}, owner {a.owner}, due {a.due or '-'}")


@action.command(name="list")
@click.option("--overdue", is_flag=True, help="Only open items past their due date, across all incidents.")
@click.option("--open", "only_open", is_flag=True, help="Only items not done or cancelled.")
@click.option("--owner")
@click.option("--incident", "incident_id")
@click.option("--today", help="Judge overdue as of this date (YYYY-MM-DD); default today.")
@wide_option
@json_option
@pass_app
def action_list(app: AppContext, overdue, only_open, owner, incident_id, today, as_json):
    """Action items across all incidents, most urgent first."""
    from ..app.desk import SummaryQuery
    from ..app.face_support import PRIORITY_RANK

    with open_desk(app) as desk:
        day = _parse_due(today) or desk.clock().date()
        query = SummaryQuery(overdue_on=day if overdue else None,
                             ids=frozenset({incident_id.upper()}) if incident_id else None)
        items = [(s, item) for s in desk.summaries(query) for item in s.action_items]
    if overdue:
        items = [(s, a) for s, a in items if a.is_overdue(day)]
    if only_open:
        items = [(s, a) for s, a in items if a.status.is_open]
    if owner:
        items = [(s, a) for s, a in items if a.owner.lower() == owner.lower()]
    if incident_id:
        items = [(s, a) for s, a in items if s.id == incident_id.upper()]
    items.sort(key=lambda p: (not p[1].is_overdue(day), PRIORITY_RANK[p[1].priority], p[1].due or date.max))
    data = [{"incident_id": s.id, "overdue": a.is_overdue(day), **a.model_dump(mode="json")} for s, a in items]
    emit(data, as_json, lambda _: action_rows(items, day))


@click.group()
def severity() -> None:
    """Manual severity overrides (kept beside the computed level)."""


@severity.command(name="override")
@click.argument("incident_id")
@click.argument("level")
@click.option("--reason", required=True)
@json_option
@pass_app
def severity_override(app: AppContext, incident_id, level, reason, as_json):
    """Override the computed severity, with a reason; the author is recorded."""
    with open_desk(app) as desk:
        incident = desk.override_severity(incident_id, level, reason)
    emit(incident.severity, as_json, lambda s: f"{incident.id}: {s.level} (computed {s.computed or 'none'})")


@severity.command(name="clear")
@click.argument("incident_id")
@pass_app
def severity_clear(app: AppContext, incident_id):
    """Remove the override; the computed level applies again."""
    with open_desk(app) as desk:
        incident = desk.clear_severity_override(incident_id)
    click.echo(f"{incident.id}: override cleared; severity {incident.severity.level or 'unclassified'}")


COMMANDS = [investigation, impact, remediation, postmortem, action, severity]
