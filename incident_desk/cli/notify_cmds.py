"""Commands for notifications: `notify`, `outbox [list|retry]`, `watch`, `plugins`.

Register them on the top-level group with `register(cli)`.
"""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from typing import Any

import click

from ..app.desk import Desk
from ..app.escalations import fire_due_escalations, unsent_messages
from ..app.notify_service import NotifyError, NotifyService, WatchCycle, run_watch
from ..app.wiring import configured_notifiers, load_plugins, notify_service
from ..app.config import resolve_workspace_path
from ..app.outbox import OutboxError, OutboxMessage
from ..app.face_support import isoformat_z, parse_duration
from ..app.face_support import Plugins, default_plugins_dir
from ..app.face_support import TemplateError, TemplateNotFound
from ..app.face_support import StoreError
from .context import open_desk
from .common import (
    EXIT_DATA,
    EXIT_DELIVERY,
    EXIT_NOT_FOUND,
    EXIT_REFUSED,
    EXIT_USAGE,
    AppContext,
    CliError,
    emit,
    json_option,
    pass_app,
)

_NOTIFY_EXIT = {"not_found": EXIT_NOT_FOUND, "config": EXIT_REFUSED, "refused": EXIT_REFUSED}


def _desk(app: AppContext) -> Desk:
    with open_desk(app) as desk:
        return desk


def _plugins(app: AppContext) -> Plugins:
    """Built-ins, installed (entry points) and drop-in plugins, loaded without opening a workspace."""
    return app.cached("plugins", load_plugins)


def _service(app: AppContext) -> NotifyService:
    def build() -> NotifyService:
        try:
            return notify_service(_desk(app))
        except NotifyError as error:
            raise CliError(str(error), _NOTIFY_EXIT[error.kind]) from None
        except StoreError as error:
            raise CliError(str(error), EXIT_DATA) from None

    return app.cached("notify_service", build)


def _translate(error: Exception) -> CliError:
    if isinstance(error, TemplateNotFound):
        return CliError(f"template {error}", EXIT_NOT_FOUND)
    if isinstance(error, TemplateError):
        return CliError(str(error), EXIT_REFUSED)
    if isinstance(error, NotifyError):
        return CliError(str(error), _NOTIFY_EXIT[error.kind])
    if isinstance(error, OutboxError):
        return CliError(str(error), EXIT_NOT_FOUND if "no message" in str(error) else EXIT_REFUSED)
    if isinstance(error, StoreError):
        return CliError(str(error), EXIT_DATA)
    raise error


def _duration(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as error:
        raise CliError(f"--next-update: {error}", EXIT_USAGE) from None


# --------------------------------------------------------------------------- notify


@click.command()
@click.argument("incident_id")
@click.option("--template", "-t", "template", required=True, help="Template name (see rules/templates/).")
@click.option("--channel", help="Override the template's channel (internal, status_page, customer, ...).")
@click.option("--via", "via", multiple=True, help="Configured notifier name from notifiers.yaml (repeatable).")
@click.option("--preview", is_flag=True, help="Show the rendered message; log and send nothing.")
@click.option("--next-update", help="When the next update is promised, from now (e.g. 30m).")
@click.option("--send-now/--queue-only", default=True, help="Deliver right away (default) or leave it to `watch`.")
@json_option
@pass_app
def notify(app: AppContext, incident_id: str, template: str, channel: str | None, via: tuple[str, ...],
           preview: bool, next_update: str | None, send_now: bool, as_json: bool) -> None:
    """Render TEMPLATE for INCIDENT_ID, log it, and send it through notifiers (via the outbox)."""
    service = _service(app)
    try:
        if preview:
            rendered = service.preview(incident_id, template, next_update=_duration(next_update))
            emit({"template": rendered.template, "channel": channel or rendered.channel, "subject": rendered.subject,
                  "text": rendered.text}, as_json, lambda d: f"Subject: {d['subject']}\nChannel: {d['channel']}\n\n{d['text']}")
            return
        result = service.notify(incident_id, template, via=via or None, channel=channel, actor=app.actor,
                                next_update=_duration(next_update))
        report = service.drain() if send_now else None
    except (TemplateError, NotifyError, OutboxError, StoreError) as error:
        raise _translate(error) from None
    states = {m.id: m for m in service.outbox.messages()}
    rows = [_row(states.get(m.id, m)) for m in result.messages]
    rows += [{"id": None, "incident_id": incident_id, "notifier": name, "state": "not sent", "attempts": 0,
              "subject": result.rendered.subject, "next_attempt_at": None, "last_error": reason,
              "idempotency_key": None} for name, reason in result.unsent]
    emit({"entry_id": result.entry.id, "subject": result.rendered.subject, "messages": rows,
          "drain": report.as_dict() if report else None}, as_json,
         lambda d: "\n".join([f"Logged {d['entry_id']}: {d['subject']}"] +
                             [f"  {r['notifier']:<16} {r['state']:<9} {r['last_error']}".rstrip() for r in rows]))
    if any(r["state"] in ("failed", "not sent") for r in rows):
        raise CliError("some deliveries failed or were not sent; see `incident-desk outbox`", EXIT_DELIVERY)


# --------------------------------------------------------------------------- outbox


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {"id": message.id, "incident_id": message.incident_id, "notifier": message.notifier,
            "state": message.state, "attempts": message.attempts, "subject": message.message.subject,
            "next_attempt_at": isoformat_z(message.next_attempt_at) if message.state == "pending" else None,
            "last_error": message.last_error, "idempotency_key": message.idempotency_key}


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "The outbox is empty: nothing pending or failed."
    lines = [f"{'ID':<15} {'INCIDENT':<13} {'NOTIFIER':<14} {'STATE':<8} {'TRIES':>5}  NEXT / ERROR"]
    for r in rows:
        tail = r["last_error"] if r["state"] == "failed" else (r["next_attempt_at"] or "")
        if r["state"] == "pending" and r["last_error"]:
            tail += f"  ({r['last_error']})"
        lines.append(f"{r['id']:<15} {r['incident_id']:<13} {r['notifier']:<14} {r['state']:<8} {r['attempts']:>5}  {tail}")
    return "\n".join(lines)


@click.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Include delivered messages still kept in the outbox.")
@json_option
@click.pass_context
def outbox(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """Messages waiting to be delivered, and those that failed (`outbox` alone lists them)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(outbox_list, show_all=show_all, as_json=as_json)


@outbox.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include delivered messages still kept in the outbox.")
@json_option
@pass_app
def outbox_list(app: AppContext, show_all: bool = False, as_json: bool = False) -> None:
    """List pending and failed messages."""
    service = _service(app)
    messages = service.outbox.messages() if show_all else service.outbox.pending() + service.outbox.failed()
    notices = service.notices
    emit([_row(m) for m in messages], as_json,
         lambda rows: _table(rows) + "".join(f"\nNOT SENDING: {n}" for n in notices))


@outbox.command("retry")
@click.argument("message_id", required=False)
@click.option("--all", "all_failed", is_flag=True, help="Retry every failed message.")
@click.option("--send-now/--queue-only", default=True, help="Deliver right away (default) or leave it to `watch`.")
@json_option
@pass_app
def outbox_retry(app: AppContext, message_id: str | None, all_failed: bool, send_now: bool, as_json: bool) -> None:
    """Retry MESSAGE_ID (or --all failed messages) now, with a fresh attempt budget."""
    if (message_id is None) == (not all_failed):
        raise CliError("give a message id or --all", EXIT_USAGE)
    service = _service(app)
    try:
        changed = service.retry(message_id, all_failed=all_failed)
        report = service.drain() if send_now and changed else None
    except (OutboxError, StoreError) as error:
        raise _translate(error) from None
    emit({"retried": [m.id for m in changed], "drain": report.as_dict() if report else None}, as_json,
         lambda d: f"Retried {len(d['retried'])} message(s)" + (
             f"; sent {len(report.sent)}, failed {len(report.failed)}, later {len(report.retry_later)}" if report else ""))


# --------------------------------------------------------------------------- watch


@click.command()
@click.option("--interval", default=30.0, show_default=True, type=click.FloatRange(min=0.05, max=86400),
              help="Seconds between cycles.")
@click.option("--once", is_flag=True, help="Run one cycle and exit.")
@json_option
@pass_app
def watch(app: AppContext, interval: float, once: bool, as_json: bool) -> None:
    """Fire due escalations and deliver the outbox until stopped (SIGTERM or Ctrl-C stop it cleanly)."""
    service = _service(app)
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())

    def show(cycle: WatchCycle) -> None:
        data = {"at": cycle.at, "escalations": cycle.escalations, **cycle.report.as_dict(),
                "not_sent": cycle.unsent, "misconfigured_notifiers": cycle.misconfigured, "reloaded": cycle.reloaded}

        def human(d: dict[str, Any]) -> str:
            line = (f"{isoformat_z(cycle.at)}  escalations {d['escalations']}  sent {len(d['sent'])}"
                    f"  failed {len(d['failed'])}  not sent {len(d['not_sent'])}  retry later {len(d['retry_later'])}"
                    + (f"  waiting {len(d['held'])}" if d["held"] else "")
                    + (f"  MISCONFIGURED NOTIFIERS {d['misconfigured_notifiers']}" if d["misconfigured_notifiers"] else "")
                    + ("  (another process is delivering)" if d["busy"] else ""))
            return line + "".join(f"\n  {n}" for n in d["reloaded"]) + "".join(
                f"\n  NOT SENT: {n}" for n in d["not_sent"]) + "".join(f"\n  note: {n}" for n in d["notes"])
        emit(data, as_json, human)

    desk = _desk(app)
    if not as_json:
        for notice in service.notices:
            click.echo(f"NOT SENDING: {notice}")

    def escalate(svc: NotifyService, now: Any) -> tuple[int, list[str]]:
        fired = fire_due_escalations(desk, now, svc)
        return len(fired), unsent_messages(fired)

    def reload() -> list[str]:
        return desk.rules.reload_if_changed() if desk.rules is not None else []

    try:
        cycles = run_watch(service, interval=interval, once=once, stop=stop, on_cycle=show, escalate=escalate,
                           reload=reload)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if not as_json:
        click.echo(f"watch stopped after {cycles} cycle(s)", err=True)


# --------------------------------------------------------------------------- plugins


@click.command("plugins")
@json_option
@pass_app
def plugins_command(app: AppContext, as_json: bool) -> None:
    """List loaded plugins, where each came from, what it provides, and what failed to load."""
    plugins = _plugins(app)
    workspace = resolve_workspace_path(app.workspace_path)
    settings = configured_notifiers(workspace, plugins) if workspace.is_dir() else None
    data = {
        "plugins_dir": str(default_plugins_dir()),
        "configured": None if settings is None else {
            "file": str(settings.path), "usable": sorted(settings.notifiers),
            "misconfigured": {name: broken.reason for name, broken in settings.broken.items()},
            "problem": settings.file_problem},
        "loaded": [{"name": p.name, "source": p.source, "location": p.location, "hooks": list(p.hooks)}
                   for p in plugins.plugins],
        "notifiers": [{"type": n.name, "plugin": n.plugin, "description": n.description}
                      for n in plugins.notifiers.values()],
        "failed": [{"plugin": f.plugin, "hook": f.hook, "kind": f.kind, "error": f.error} for f in plugins.failures],
    }

    def human(d: dict[str, Any]) -> str:
        lines = ["Loaded plugins:"]
        lines += [f"  {p['name']:<24} {p['source']:<12} {p['location']}\n  {'':<24} hooks: {', '.join(p['hooks'])}"
                  for p in d["loaded"]]
        lines += ["Notifier types:"] + [f"  {n['type']:<12} {n['description']} ({n['plugin']})" for n in d["notifiers"]]
        lines += [f"Drop-in folder: {d['plugins_dir']}"]
        configured = d["configured"]
        if configured is not None:
            lines += [f"Configured notifiers ({configured['file']}): {', '.join(configured['usable']) or 'none'}"]
            lines += [f"  MISCONFIGURED: {reason}" for reason in configured["misconfigured"].values()]
            if configured["problem"]:
                lines += [f"  UNREADABLE: {configured['problem']}"]
        if d["failed"]:
            lines += ["Failed:"] + [f"  {f['plugin']}: {f['hook']}: {f['error']}" for f in d["failed"]]
        return "\n".join(lines)

    emit(data, as_json, human)


COMMANDS = (notify, outbox, watch, plugins_command)


def register(group: click.Group) -> None:
    """Add `notify`, `outbox`, `watch` and `plugins` to the top-level command group."""
    for command in COMMANDS:
        group.add_command(command)
