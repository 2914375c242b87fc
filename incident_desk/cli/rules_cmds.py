"""`incident-desk rules ...` and `incident-desk escalations ...`: thin faces over app/rules_service.

Register with `cli.add_command(rules)` and `cli.add_command(escalations)`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ..app import rules_service
from ..app.config import resolve_workspace_path
from ..app.face_support import format_short_duration, isoformat_z, parse_instant
from ..app.rules_service import RulesError
from .. import DomainError
from .common import (EXIT_CHECK_FAILED, EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_USAGE, AppContext, CliError, emit,
                     emit_json, json_option, pass_app, warn)
from .context import open_desk
from .regulatory_cmds import clock_status

rules_dir_option = click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
                                default=None, help="Rule directory (default: $INCIDENT_DESK_RULES, "
                                                   "<workspace>/rules, or the bundled rules).")


def _rules_dir(app: AppContext, given: Path | None) -> Path:
    return given or rules_service.default_rules_dir(resolve_workspace_path(app.workspace_path))


def _notifier_names(app: AppContext) -> set[str]:
    """The notifiers the workspace configures (the bundled notifiers.yaml without a workspace): the only
    names an escalation step may use. Misconfigured ones count, and are warned about."""
    from ..app.wiring import load_plugins, notifier_names_for_checks

    path = resolve_workspace_path(app.workspace_path)
    names, notices = notifier_names_for_checks(path, app.cached("plugins", load_plugins))
    for notice in notices:
        warn(notice)
    return names


def _workspace(app: AppContext) -> Any:
    """The desk, as the incident source the rules use cases read."""
    with open_desk(app) as desk:
        return desk


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise CliError(str(error), EXIT_USAGE) from None


def _refused(error: RulesError) -> CliError:
    return CliError(str(error), EXIT_REFUSED)


def _not_found(error: LookupError) -> CliError:
    return CliError(str(error.args[0]) if error.args else "not found", EXIT_NOT_FOUND)


@click.group()
def rules() -> None:
    """Check, explain and backtest the rule files."""


@rules.command("check")
@rules_dir_option
@click.option("--accept-changes", "accept", is_flag=True,
              help="Put the checked rule files in use although they remove rules, tests or levels from the "
                   "version in use (recorded in the rules history with your name).")
@json_option
@pass_app
def rules_check(app: AppContext, rules_dir: Path | None, accept: bool, as_json: bool) -> None:
    """Validate every rule file, run the test cases inside severity.yaml, and compare with the workspace's
    rules version in use; fails when the files remove something from it, until the change is accepted."""
    from ..app.config import current_actor

    directory = _rules_dir(app, rules_dir)
    workspace_path = resolve_workspace_path(app.workspace_path)
    try:
        report = rules_service.check(directory, _notifier_names(app), workspace_path=workspace_path, accept=accept,
                                     actor=current_actor(app.actor or None))
    except RulesError as error:
        raise _refused(error) from None
    data = {"rules_dir": str(directory), "digest": report.digest, "passed": report.passed,
            "warnings": [str(w) for w in report.warnings] + report.coverage,
            "in_use": report.in_use, "changes": [str(c) for c in report.diff.changes] if report.diff else [],
            "needs_confirmation": report.needs_confirmation, "accepted": report.accepted is not None,
            "tests": [{"name": t.name, "passed": t.passed, "expected": t.expected_level, "actual": t.actual_level,
                       "expected_rules": t.expected_rules, "actual_rules": t.actual_rules,
                       "where": f"{t.file}:{t.line}", "message": t.message} for t in report.tests]}
    if as_json:
        emit_json(data)
    else:
        for warning in report.warnings:
            warn(str(warning))
        for note in report.coverage:
            warn(note)
        lines = [f"{'ok  ' if t.passed else 'FAIL'} {t.name}" + ("" if t.passed else f"  ({t.file}:{t.line}: "
                                                                                   f"{t.message})")
                 for t in report.tests]
        passed = sum(t.passed for t in report.tests)
        lines.append(f"rules in {directory} are valid (digest {report.digest}); "
                     f"{passed}/{len(report.tests)} test cases pass, "
                     f"{len(report.warnings) + len(report.coverage)} warning(s)")
        lines += _in_use_lines(report)
        click.echo("\n".join(lines))
    if not report.passed:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


def _in_use_lines(report: rules_service.CheckReport) -> list[str]:
    if report.in_use is None:
        return []
    if report.diff is None or not report.diff.changes:
        return [f"these are the rules in use (version {report.in_use})" if report.in_use == report.digest else
                f"the same rules as version {report.in_use} in use (only comments or layout differ)"]
    lines = [f"compared with rules version {report.in_use} in use:"]
    lines += [f"  {change}" for change in report.diff.changes]
    if report.accepted is not None:
        lines.append(f"ACCEPTED: version {report.digest} is now in use (rules history line {report.accepted['seq']})")
    elif report.needs_confirmation:
        lines.append(f"FAILED: the files remove {len(report.diff.removals)} thing(s) from the rules in use (a cut-off "
                     "or replaced file looks like this); the desk keeps using version "
                     f"{report.in_use}. If the change is intended: incident-desk rules check --accept-changes")
    return lines


@rules.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@json_option
def rules_validate(files: tuple[Path, ...], as_json: bool) -> None:
    """Validate rule files one by one (errors as file:line: path: message)."""
    results = rules_service.validate(files)
    failed = any(errors for errors, _ in results.values())
    if as_json:
        emit_json({name: {"valid": not errors, "errors": [str(e) for e in errors],
                          "warnings": [str(w) for w in warnings]} for name, (errors, warnings) in results.items()})
    else:
        for name, (errors, warnings) in results.items():
            for problem in errors:
                click.echo(f"error: {problem}", err=True)
            for problem in warnings:
                warn(str(problem))
            if not errors:
                click.echo(f"{name}: valid")
    if failed:
        raise click.exceptions.Exit(EXIT_REFUSED)


@rules.command("fields")
@json_option
def rules_fields(as_json: bool) -> None:
    """The fields rules can test: type, unit, allowed values, operators and meaning. Fields marked
    "derived" are computed by the desk (SLA breached, availability, durations) and cannot be typed."""
    rows = rules_service.fields_table()

    def human(rows: list[dict]) -> str:
        out = [f"{'FIELD':<22} {'TYPE':<12} {'UNIT':<12} DESCRIPTION"]
        for row in rows:
            out.append(f"{row['name']:<22} {row['type']:<12} {row['unit']:<12} {row['description']}")
            extra = f"operators: {', '.join(row['operators'])}"
            if row.get("derived"):
                extra = f"{row['derived']}; " + extra
            if row["allowed"]:
                extra += f"; values: {', '.join(row['allowed'])}"
            out.append(f"{'':<22} {extra}")
        return "\n".join(out)
    emit(rows, as_json, human)


@rules.command("explain")
@click.argument("incident_id")
@rules_dir_option
@click.option("--at", "at", default=None, help="Evaluate at this instant (ISO-8601); default now.")
@json_option
@pass_app
def rules_explain(app: AppContext, incident_id: str, rules_dir: Path | None, at: str | None, as_json: bool) -> None:
    """Why an incident has its severity: deciding rules, every rule's result, SLA and regulatory clocks."""
    try:
        result = rules_service.explain(_workspace(app), _rules_dir(app, rules_dir), incident_id, _instant(at),
                                       _notifier_names(app))
    except RulesError as error:
        raise _refused(error) from None
    except (LookupError, DomainError) as error:
        raise _not_found(error) from None
    sla = result.sla
    data = {"incident_id": result.incident_id, "severity": result.severity.computed, "label": result.level_label,
            "criteria": result.criteria, "missing_facts": result.severity.missing_facts,
            "override": result.override, "rules_digest": result.digest, "rules": result.rules,
            "sla": {"target": sla.target, "actual": sla.actual, "actual_source": sla.actual_source,
                    "violated": sla.violated, "credit_pct": sla.credit_pct, "credit_amount": sla.credit_amount,
                    "explanation": sla.explanation},
            "regulatory": [{"regime": c.regime, "obligation": c.obligation, "name": c.obligation_name,
                            "due_at": c.due_at, "time_left_seconds": c.time_left.total_seconds()
                            if c.time_left is not None else None, "overdue": c.overdue, "why": c.why}
                           for c in result.regulatory],
            "derived": [{"field": d.name, "value": d.value, "how": d.how} for d in result.derived]}
    derivations = {d.name: d.line for d in result.derived}

    def human(_: Any) -> str:
        out = [f"{result.incident_id}: {result.title}", f"Severity: {result.level_label} (computed)"]
        if result.override:
            out.append(f"Override: {result.override['level']} by {result.override['author']}: "
                       f"{result.override['reason']}")
        out.append("Criteria:")
        out += [f"• {line}" for line in result.criteria] or ["• no rule matched; default level"]
        if result.severity.missing_facts:
            out.append(f"Missing facts: {', '.join(result.severity.missing_facts)}")
        if result.derived:
            out.append("Derived facts:")
            out += [f"• {d.line}" for d in result.derived]
        out.append("Rules:")
        for rule in result.rules:
            out.append(f"  [{rule['result']}] {rule['rule_id']} ({rule['level']}): {rule['description']}")
            for c in rule["criteria"]:
                out.append(f"      {'+' if c['matched'] else '?' if c['missing'] else '-'} {c['text']}")
                if c["field"] in derivations:
                    out.append(f"          {derivations[c['field']]}")
        out.append(f"SLA: {sla.explanation}")
        for clock in result.regulatory:
            out.append(f"{clock.regime_name}: {clock.obligation_name} {clock_status(clock)}")
        return "\n".join(out)
    emit(data, as_json, human)


@rules.command("backtest")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The candidate rule directory to try.")
@click.option("--active", "active_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The rules in force (default: the usual rules directory).")
@click.option("--at", "at", default=None, help="Date open incidents at this instant (default now).")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when any incident would change level.")
@json_option
@pass_app
def rules_backtest(app: AppContext, rules_dir: Path, active_dir: Path | None, at: str | None,
                   fail_on_change: bool, as_json: bool) -> None:
    """Run changed rules over the whole history: counts per level before and after, and every move."""
    try:
        report = rules_service.backtest_history(_workspace(app), _rules_dir(app, active_dir), rules_dir,
                                                _instant(at))
    except RulesError as error:
        raise _refused(error) from None
    data = {"total": report.total, "before": report.before, "after": report.after,
            "active_digest": report.active_digest, "candidate_digest": report.candidate_digest,
            "moves": [{"incident_id": m.incident_id, "title": m.title, "before": m.before, "after": m.after,
                       "why_before": [r.json_data() for r in m.why_before],
                       "why_after": [r.json_data() for r in m.why_after]} for m in report.moves]}

    def human(_: Any) -> str:
        out = [f"{report.total} incidents; {len(report.moves)} would change level",
               f"{'LEVEL':<8} {'BEFORE':>7} {'AFTER':>7}"]
        out += [f"{level:<8} {report.before[level]:>7} {report.after[level]:>7}" for level in report.before]
        for move in report.moves:
            out.append(f"{move.incident_id}: {move.before} -> {move.after}  {move.title}")
            before = "; ".join(m.rule_id for m in move.why_before) or "default level"
            after = "; ".join(m.rule_id for m in move.why_after) or "default level"
            out.append(f"    before: {before}")
            out.append(f"    after:  {after}")
            for match in move.why_after:
                out += [f"      • {c.text}" for c in match.criteria if c.matched]
        return "\n".join(out)
    emit(data, as_json, human)
    if fail_on_change and report.changed:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


@click.group()
def escalations() -> None:
    """Escalation policies: what is due now and what fires next."""


@escalations.command("due")
@click.argument("incident_id", required=False)
@click.option("--at", "at", default=None, help="Evaluate at this instant (ISO-8601); default now.")
@rules_dir_option
@json_option
@pass_app
def escalations_due(app: AppContext, incident_id: str | None, at: str | None, rules_dir: Path | None,
                    as_json: bool) -> None:
    """Escalations that would fire now (not yet recorded) and when the next one will."""
    try:
        statuses = rules_service.escalations_due(_workspace(app), _rules_dir(app, rules_dir), incident_id,
                                                 _instant(at), _notifier_names(app))
    except RulesError as error:
        raise _refused(error) from None
    except (LookupError, DomainError) as error:
        raise _not_found(error) from None
    data = [{"incident_id": s.incident_id,
             "due": [{"key": d.key, "policy": d.policy_id, "repeat": d.repeat, "due_at": d.due_at,
                      "overdue_seconds": d.overdue_by.total_seconds(), "description": d.description,
                      "actions": [a.summary for a in d.actions]} for d in s.due],
             "next": None if s.next is None else {"key": s.next.key, "policy": s.next.policy_id,
                                                  "due_at": s.next.due_at,
                                                  "in_seconds": s.next.due_in.total_seconds()}}
            for s in statuses]

    def human(_: Any) -> str:
        out = []
        for status in statuses:
            out.append(f"{status.incident_id}: {status.title}")
            for item in status.due:
                out.append(f"  DUE {item.key} (due {isoformat_z(item.due_at)}): {item.description}")
                out += [f"      - {a.summary}" for a in item.actions]
            if not status.due:
                out.append("  nothing due")
            if status.next:
                out.append(f"  next: {status.next.key} at {isoformat_z(status.next.due_at)} "
                           f"(in {format_short_duration(status.next.due_in)})")
        return "\n".join(out) or "no active incidents"
    emit(data, as_json, human)


__all__ = ["escalations", "rules"]
