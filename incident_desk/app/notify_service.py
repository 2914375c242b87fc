"""Notification use cases: render a template, log the communication, deliver it through the outbox.

- `NotifierSettings`: `<workspace>/notifiers.yaml`, the configured notifiers (name -> type + config),
  validated against each notifier's config model with `file:line: name.field: problem` errors.
- `NotifyService.preview / notify / drain / retry`: what `incident-desk notify`, `outbox` and the GUI
  call. `notify` writes the messages to the outbox first (durable), then adds the communication entry
  with one pending `Delivery` per notifier to the incident; `drain` delivers what is due and writes
  each delivery's state back into that entry.
- `run_watch`: the headless loop of `incident-desk watch` (escalations are fired by app/escalations.py,
  whose notify actions come through `notify` with a stable key, so a restart never sends one twice).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..domain import (
    Channel,
    CommunicationEntry,
    Delivery,
    DeliveryState,
    EscalationRecord,
    EventKind,
    Incident,
)
from ..domain.incident import new_id
from ..domain.operations import add_event
from ..plugin import Plugins, default_plugins_dir
from ..plugin.types import DeliveryResult, Message
from ..render.templates import DEFAULT_TEMPLATES_DIR, RenderedMessage, TemplateSet, incident_context
from ..store import Workspace
from ..store.errors import StoreError
from .outbox import DrainReport, Outbox, OutboxMessage, Outcome
from .secrets import SecretError, check_config, config_secrets, resolve_config, scrub, scrub_result

log = logging.getLogger("incident_desk.notify")

NOTIFIERS_FILE = "notifiers.yaml"
MAX_SETTINGS_BYTES = 256 * 1024
RESERVED_KEYS = {"type", "channels"}
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class NotifyError(Exception):
    """A notification request that cannot be done; one line naming what is wrong."""

    def __init__(self, message: str, kind: str = "refused") -> None:
        super().__init__(message)
        self.kind = kind  # refused | not_found | config


# --------------------------------------------------------------------------- notifiers.yaml


@dataclass(frozen=True)
class ConfiguredNotifier:
    name: str
    type: str
    raw: dict[str, Any]
    channels: frozenset[str] | None
    line: int
    description: str = ""

    def serves(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


@dataclass
class NotifierSettings:
    """The notifiers configured in a workspace's notifiers.yaml (none when the file does not exist)."""

    path: Path | None = None
    notifiers: dict[str, ConfiguredNotifier] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path, plugins: Plugins) -> NotifierSettings:
        """Read and validate `path`; every problem is collected into one `NotifyError`."""
        if not path.exists():
            return cls(path, {})
        if path.stat().st_size > MAX_SETTINGS_BYTES:
            raise NotifyError(f"{path}: larger than {MAX_SETTINGS_BYTES // 1024} KB; refused", "config")
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
        except YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise NotifyError(f"{path}{line}: not valid YAML: {getattr(error, 'problem', None) or error}", "config") from None
        except (OSError, UnicodeDecodeError) as error:
            raise NotifyError(f"{path}: cannot read: {error}", "config") from None
        if data is None:
            return cls(path, {})
        if not isinstance(data, dict):
            raise NotifyError(f"{path}:1: expected a mapping of notifier name -> settings", "config")
        problems: list[str] = []
        notifiers: dict[str, ConfiguredNotifier] = {}
        for name, body in data.items():
            line = _line_of(data, name)
            where = f"{path}:{line}: {name}"
            if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
                problems.append(f"{where}: a notifier name uses letters, digits, '-' and '_'")
                continue
            if not isinstance(body, dict):
                problems.append(f"{where}: expected settings with at least 'type'")
                continue
            kind = body.get("type")
            if kind not in plugins.notifiers:
                known = ", ".join(sorted(plugins.notifiers)) or "none"
                problems.append(f"{path}:{_line_of(body, 'type', line)}: {name}.type: "
                                f"{'missing' if kind is None else f'unknown notifier type {kind!r}'}; known types: {known}")
                continue
            channels = body.get("channels")
            if channels is not None:
                valid = {c.value for c in Channel}
                if not isinstance(channels, list) or not all(c in valid for c in channels):
                    problems.append(f"{path}:{_line_of(body, 'channels', line)}: {name}.channels: a list of "
                                    f"{', '.join(sorted(valid))}")
                    continue
            raw = {str(k): _plain(v) for k, v in body.items() if k not in RESERVED_KEYS}
            try:
                check_config(plugins.notifiers[kind].config_model, raw)
            except SecretError as error:
                field_name = str(error).split(":", 1)[0]
                problems.append(f"{path}:{_line_of(body, field_name, line)}: {name}.{error}")
                continue
            except ValidationError as error:
                for item in error.errors():
                    loc = [str(p) for p in item["loc"]]
                    key = loc[0] if loc else ""
                    message = item["msg"].removeprefix("Value error, ")
                    problems.append(f"{path}:{_line_of(body, key, line)}: {'.'.join([name, *loc])}: {message}")
                continue
            notifiers[name] = ConfiguredNotifier(name, kind, raw, frozenset(channels) if channels else None, line)
        if problems:
            raise NotifyError("; ".join(problems), "config")
        return cls(path, notifiers)

    def names(self) -> set[str]:
        return set(self.notifiers)

    def get(self, name: str) -> ConfiguredNotifier:
        try:
            return self.notifiers[name]
        except KeyError:
            known = ", ".join(sorted(self.notifiers)) or "none"
            raise NotifyError(f"no notifier {name!r} is configured in {self.path or NOTIFIERS_FILE}; "
                              f"configured: {known}", "not_found") from None


def _line_of(mapping: Any, key: Any, default: int = 1) -> int:
    try:
        return mapping.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return default


def _plain(value: Any) -> Any:
    """ruamel's commented containers and scalars as plain Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


# --------------------------------------------------------------------------- the service


@dataclass(frozen=True)
class NotifyResult:
    entry: CommunicationEntry
    rendered: RenderedMessage
    messages: list[OutboxMessage]


def entry_id_for_key(key: str) -> str:
    """A stable communication entry id for a caller's key (an escalation step), so repeats coincide."""
    return "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:11]


class NotifyService:
    """Notification use cases over one workspace. Build with `NotifyService.open(path)` or pass the parts."""

    def __init__(self, workspace: Workspace, plugins: Plugins, *, settings: NotifierSettings | None = None,
                 templates: TemplateSet | None = None, outbox: Outbox | None = None, clock: Clock = utc_now,
                 environ: Mapping[str, str] | None = None) -> None:
        self.workspace = workspace
        self.plugins = plugins
        self.settings = settings if settings is not None else NotifierSettings.from_file(
            workspace.path / NOTIFIERS_FILE, plugins)
        self.templates = templates or TemplateSet([workspace.path / "templates", DEFAULT_TEMPLATES_DIR])
        self.outbox = outbox or Outbox(workspace.path)
        self.clock = clock
        self.environ = environ
        self._notes: list[str] = []

    @classmethod
    def open(cls, workspace_path: str | Path, *, plugins: Plugins | None = None, clock: Clock = utc_now,
             load_installed_plugins: bool = True) -> NotifyService:
        """The service as the command line and GUI use it: installed and drop-in plugins included."""
        if plugins is None:
            plugins = Plugins.load(entry_points=load_installed_plugins,
                                   plugins_dir=default_plugins_dir() if load_installed_plugins else None)
        return cls(Workspace.open(workspace_path), plugins, clock=clock)

    # ------------------------------------------------------------------ rendering

    def _incident(self, incident_id: str) -> Incident:
        try:
            return self.workspace.get(incident_id)
        except StoreError as error:
            raise NotifyError(str(error), "not_found") from None

    def preview(self, incident_id: str, template: str, *, next_update: timedelta | None = None,
                extra: Mapping[str, Any] | None = None) -> RenderedMessage:
        """The rendered subject and text; nothing is logged or sent. `extra` adds template names."""
        incident = self._incident(incident_id)
        now = self.clock()
        context = incident_context(incident, now, next_update_at=now + next_update if next_update else None,
                                   extra=extra)
        return self.templates.render(template, context)

    # ------------------------------------------------------------------ notifying

    def notify(self, incident_id: str, template: str, *, via: Iterable[str] | None = None,
               channel: str | None = None, actor: str = "", next_update: timedelta | None = None,
               key: str | None = None, audience: str = "", extra: Mapping[str, Any] | None = None) -> NotifyResult:
        """Render, store in the outbox (durably), and log the communication on the incident.

        `via`: configured notifier names; by default every notifier serving the channel. `key`: a stable
        key (an escalation step) making the call idempotent: the same key never queues a message twice."""
        rendered = self.preview(incident_id, template, next_update=next_update, extra=extra)
        channel_value = Channel(channel or rendered.channel).value
        chosen = [self.settings.get(name) for name in via] if via else [
            n for n in self.settings.notifiers.values() if n.serves(channel_value)]
        if not chosen:
            raise NotifyError(f"no notifier serves channel {channel_value} in {self.settings.path or NOTIFIERS_FILE}; "
                              "name one with --via or configure one", "not_found")
        now = self.clock()
        entry_id = entry_id_for_key(key) if key else new_id()
        incident = self._incident(incident_id)
        fields = {"Severity": incident.severity_level or "unclassified", "Status": incident.status.label,
                  "Template": rendered.template}
        if incident.services:
            fields["Services"] = ", ".join(incident.services)
        items = [(Message(idempotency_key=f"{incident_id}.{entry_id}.{n.name}", incident_id=incident_id,
                          subject=rendered.subject, text=rendered.text, channel=channel_value, target=n.name,
                          fields=fields, created_at=now), n.name) for n in chosen]
        stored = self.outbox.enqueue_many(items, entry_id=entry_id, now=now, template=rendered.template, author=actor)
        entry = CommunicationEntry(
            id=entry_id, at=now, channel=Channel(channel_value), audience=audience, message=rendered.text,
            template=rendered.template, author=actor,
            deliveries=[Delivery(notifier=m.notifier, target=self.settings.get(m.notifier).type,
                                 message_key=m.idempotency_key) for m in stored])

        def log_entry(incident: Incident) -> None:
            if any(e.id == entry_id for e in incident.communications):
                return
            incident.communications.append(entry)
            add_event(incident, now, f"{Channel(channel_value).label} queued via "
                      f"{', '.join(m.notifier for m in stored)}: {rendered.subject}", EventKind.COMMUNICATION,
                      source="notify", author=actor)

        self.workspace.update(incident_id, log_entry, actor=actor or "notify", action="communicate")
        return NotifyResult(entry, rendered, stored)

    # ------------------------------------------------------------------ delivering

    def drain(self, now: datetime | None = None, limit: int | None = None) -> DrainReport:
        """Deliver every message due now; delivery states land in the incidents' communication logs."""
        now = now or self.clock()
        configs: dict[str, Any] = {}
        self._notes = []
        report = self.outbox.drain(now, lambda record: self._deliver(record, configs),
                                   lambda outcomes: self._record(outcomes, now), limit=limit)
        report.notes.extend(self._notes)
        return report

    def retry(self, message_id: str | None = None, *, all_failed: bool = False) -> list[OutboxMessage]:
        return self.outbox.retry(message_id, now=self.clock(), all_failed=all_failed)

    def _deliver(self, record: OutboxMessage, configs: dict[str, Any]) -> DeliveryResult:
        try:
            configured = self.settings.get(record.notifier)
        except NotifyError as error:
            return DeliveryResult.failed(str(error), retryable=True)
        if configured.type not in self.plugins.notifiers:
            return DeliveryResult.failed(f"notifier type {configured.type} is not loaded (see `incident-desk plugins`)",
                                         retryable=True)
        if record.notifier not in configs:
            try:
                configs[record.notifier] = resolve_config(self.plugins.notifiers[configured.type].config_model,
                                                          configured.raw, self.environ)
            except (SecretError, ValidationError) as error:
                configs[record.notifier] = DeliveryResult.failed(
                    scrub(f"notifier {record.notifier}: {error}".splitlines()[0]), retryable=True)
        config = configs[record.notifier]
        if isinstance(config, DeliveryResult):
            return config
        # what the receiver or the plugin says may echo a secret (a URL path, a password): never kept
        return scrub_result(self.plugins.send(configured.type, record.message, config), config_secrets(config))

    def _record(self, outcomes: list[Outcome], now: datetime) -> None:
        """Write each delivery's state into its incident's communication entry (one save per incident)."""
        by_incident: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            by_incident.setdefault(outcome.message.incident_id, []).append(outcome)
        for incident_id, group in by_incident.items():
            finished: list[str] = []

            def apply(incident: Incident, group: list[Outcome] = group, finished: list[str] = finished) -> None:
                entries = {e.id: e for e in incident.communications}
                for outcome in group:
                    record = outcome.message
                    entry = entries.get(record.entry_id)
                    if entry is None:  # the process stopped between queueing and logging: log it now
                        entry = CommunicationEntry(id=record.entry_id, at=record.created_at,
                                                   channel=Channel(record.message.channel),
                                                   message=record.message.text or record.message.subject,
                                                   template=record.template, author=record.author)
                        incident.communications.append(entry)
                        entries[entry.id] = entry
                    was_final = bool(entry.deliveries) and all(d.state is not DeliveryState.PENDING
                                                                for d in entry.deliveries)
                    delivery = next((d for d in entry.deliveries if d.message_key == record.idempotency_key), None)
                    if delivery is None:
                        delivery = Delivery(notifier=record.notifier, message_key=record.idempotency_key)
                        entry.deliveries.append(delivery)
                    delivery.state = {"sent": DeliveryState.SENT, "failed": DeliveryState.FAILED}.get(
                        record.state, DeliveryState.PENDING)
                    delivery.attempts = record.attempts
                    delivery.last_error = record.last_error
                    delivery.at = now
                    if record.state == "failed":
                        add_event(incident, now, f"Delivery via {record.notifier} failed: {record.last_error}",
                                  EventKind.COMMUNICATION, source="outbox")
                    if not was_final and all(d.state is not DeliveryState.PENDING for d in entry.deliveries):
                        finished.append(entry.id)

            try:
                saved = self.workspace.update(incident_id, apply, actor="outbox", action="delivery")
            except Exception as error:  # noqa: BLE001 - the outbox already holds the state; report, go on
                note = f"{incident_id}: delivery states not written to the communication log: {error}"
                log.warning("%s", note)
                self._notes.append(note)
                continue
            for entry in saved.communications:
                if entry.id in finished:
                    self.plugins.communication_did_send(saved, entry)

    # ------------------------------------------------------------------ escalations


# --------------------------------------------------------------------------- the headless watcher


@dataclass
class WatchCycle:
    at: datetime
    escalations: int
    report: DrainReport


def run_watch(service: NotifyService, *, interval: float, once: bool = False, stop: threading.Event | None = None,
              clock: Clock | None = None, escalate: Callable[[NotifyService, datetime], int] | None = None,
              on_cycle: Callable[[WatchCycle], None] | None = None, max_cycles: int | None = None) -> int:
    """Fire due escalations and drain the outbox every `interval` seconds until `stop` is set (SIGTERM and
    SIGINT set it in the command) or after one cycle with `once`. Returns the number of cycles run."""
    stop = stop or threading.Event()
    clock = clock or service.clock
    cycles = 0
    while not stop.is_set():
        now = clock()
        fired = 0
        notes: list[str] = []
        if escalate is not None:
            try:
                fired = escalate(service, now)
            except Exception as error:  # noqa: BLE001 - one bad cycle must not end the watcher
                log.error("escalations failed: %s: %s", type(error).__name__, error)
                notes.append(f"escalations failed: {type(error).__name__}: {error}")
        try:
            # read the clock again: messages the escalations just queued are due now, not after `now`
            report = service.drain(clock() if fired else now)
        except Exception as error:  # noqa: BLE001 - a locked or damaged outbox is reported; the loop goes on
            log.error("outbox drain failed: %s", error)
            report = DrainReport(notes=[f"drain failed: {error}"])
        report.notes[:0] = notes
        cycles += 1
        if on_cycle is not None:
            on_cycle(WatchCycle(now, fired, report))
        if once or (max_cycles is not None and cycles >= max_cycles):
            break
        stop.wait(interval)
    return cycles
