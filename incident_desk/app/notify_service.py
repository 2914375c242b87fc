"""Notification use cases: render a template, log the communication, deliver it through the outbox.

- `NotifierSettings` (app/notifier_config.py): `<workspace>/notifiers.yaml`, each configured notifier
  validated on its own; a broken entry disables only that notifier, and says why.
- `NotifyService.preview / notify / drain / retry`: what `incident-desk notify`, `outbox` and the GUI
  call. `notify` writes the messages to the outbox first (durable), then adds the communication entry
  with one pending `Delivery` per notifier to the incident; `drain` delivers what is due, each notifier
  in its own lane with its own time limit, and writes each delivery's state back into that entry.
  Every change to an incident goes through the desk (`Desk.change` with `operations.log_communication`
  or `operations.record_delivery`): the service never writes the store itself.
- `run_watch`: the headless loop of `incident-desk watch` (escalations are fired by app/escalations.py,
  whose notify actions come through `notify` with a stable key, so a restart never sends one twice).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from ..domain import Channel, CommunicationEntry, Delivery, DeliveryState, DomainError, Incident, operations
from ..domain.incident import new_id
from ..plugin import Plugins
from ..plugin.types import DeliveryResult, Message
from ..plugin.wording import seconds
from ..render.templates import DEFAULT_TEMPLATES_DIR, RenderedMessage, TemplateSet, incident_context
from .desk import Desk
from .notifier_config import NOTIFIERS_FILE, ConfiguredNotifier, NotifierSettings, NotifyError, file_signature
from .outbox import DrainReport, Outbox, OutboxMessage, Outcome
from .secrets import SecretError, config_secrets, resolve_config, scrub, scrub_result

log = logging.getLogger("incident_desk.notify")

__all__ = ["NOTIFIERS_FILE", "ConfiguredNotifier", "NotifierSettings", "NotifyError", "NotifyResult", "NotifyService",
           "WatchCycle", "run_watch"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- the service


@dataclass(frozen=True)
class NotifyResult:
    entry: CommunicationEntry
    rendered: RenderedMessage
    messages: list[OutboxMessage]
    #: chosen notifiers nothing was queued for, with the reason ("notifier 'mm' is misconfigured: ...")
    unsent: list[tuple[str, str]] = field(default_factory=list)


def entry_id_for_key(key: str) -> str:
    """A stable communication entry id for a caller's key (an escalation step), so repeats coincide."""
    return "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:11]


class NotifyService:
    """Notification use cases over one workspace. Build with `NotifyService.open(path)` or pass the parts.

    The notifier settings are read again whenever notifiers.yaml changes (`reload_if_changed`)."""

    def __init__(self, desk: Desk | Any, plugins: Plugins, *, settings: NotifierSettings | None = None,
                 templates: TemplateSet | None = None, outbox: Outbox | None = None, clock: Clock = utc_now,
                 environ: Mapping[str, str] | None = None) -> None:
        # every change to an incident goes through a desk (Desk.change + a domain operation); a bare
        # workspace (tests, benchmarks) gets one of its own
        self.desk = desk if isinstance(desk, Desk) else Desk(desk, plugins=plugins, clock=clock)
        self._outbox_desk = self.desk.acting_as("outbox")
        self.plugins = plugins
        self.folder = self.desk.workspace_path
        self.settings_path = self.folder / NOTIFIERS_FILE
        self.settings = settings if settings is not None else NotifierSettings.from_file(self.settings_path, plugins)
        self._fixed_settings = settings is not None
        self.templates = templates or TemplateSet([self.folder / "templates", DEFAULT_TEMPLATES_DIR])
        self.outbox = outbox or Outbox(self.folder)
        self.clock = clock
        self.environ = environ
        self._notes: list[str] = []

    @property
    def notices(self) -> list[str]:
        """What is wrong with notifiers.yaml, one line per misconfigured notifier (empty when all is well)."""
        return self.settings.notices

    def reload_if_changed(self) -> list[str]:
        """Read notifiers.yaml again if it changed since it was read; say what was reloaded."""
        if self._fixed_settings or file_signature(self.settings_path) == self.settings.signature:
            return []
        self.settings = NotifierSettings.from_file(self.settings_path, self.plugins)
        usable = ", ".join(sorted(self.settings.notifiers)) or "none"
        note = f"{NOTIFIERS_FILE} changed: reloaded; usable notifiers: {usable}"
        if self.settings.broken:
            note += f"; misconfigured: {', '.join(sorted(self.settings.broken))}"
        return [note, *self.settings.notices]

    # ------------------------------------------------------------------ rendering

    def _incident(self, incident_id: str) -> Incident:
        try:
            return self.desk.get(incident_id)
        except (LookupError, DomainError) as error:
            raise NotifyError(str(error.args[0]) if error.args else str(error), "not_found") from None

    def preview(self, incident_id: str, template: str, *, next_update: timedelta | None = None,
                extra: Mapping[str, Any] | None = None) -> RenderedMessage:
        """The rendered subject and text; nothing is logged or sent. `extra` adds template names."""
        incident = self._incident(incident_id)
        now = self.clock()
        context = incident_context(incident, now, next_update_at=now + next_update if next_update else None,
                                   extra=extra)
        return self.templates.render(template, context)

    # ------------------------------------------------------------------ notifying

    def _choose(self, via: Iterable[str] | None, channel: str) -> tuple[list[ConfiguredNotifier], list[tuple[str, str]]]:
        """The usable notifiers to queue for, and the chosen ones that cannot send (name, reason)."""
        settings = self.settings
        if via:
            names = list(dict.fromkeys(via))
            for name in names:  # a name nobody configured is a mistake in the request: refuse it
                if name not in settings.notifiers and name not in settings.broken:
                    settings.get(name)
            usable = [settings.notifiers[n] for n in names if n in settings.notifiers]
            unsent = [(n, settings.broken[n].reason) for n in names if n in settings.broken]
        else:
            usable = [n for n in settings.notifiers.values() if n.serves(channel)]
            unsent = [(b.name, b.reason) for b in settings.broken.values() if b.serves(channel)]
        if not usable and not unsent:
            where = settings.file_problem or f"in {settings.path or NOTIFIERS_FILE}"
            raise NotifyError(f"no notifier serves channel {channel} {where}; name one with --via or "
                              "configure one", "not_found")
        if not usable:
            raise NotifyError("; ".join(reason for _, reason in unsent), "config")
        return usable, unsent

    def notify(self, incident_id: str, template: str, *, via: Iterable[str] | None = None,
               channel: str | None = None, actor: str = "", next_update: timedelta | None = None,
               key: str | None = None, audience: str = "", extra: Mapping[str, Any] | None = None) -> NotifyResult:
        """Render, store in the outbox (durably), and log the communication on the incident.

        `via`: configured notifier names; by default every notifier serving the channel. A misconfigured
        notifier among them gets nothing queued: its delivery is logged as not sent, with the reason, and
        the others go out. `key`: a stable key (an escalation step) making the call idempotent: the same
        key never queues a message twice."""
        rendered = self.preview(incident_id, template, next_update=next_update, extra=extra)
        channel_value = Channel(channel or rendered.channel).value
        chosen, unsent = self._choose(via, channel_value)
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
        types = {n.name: n.type for n in chosen}
        deliveries = [Delivery(notifier=m.notifier, target=types.get(m.notifier, ""), message_key=m.idempotency_key)
                      for m in stored]
        deliveries += [Delivery(notifier=name, state=DeliveryState.FAILED, last_error=f"not sent: {reason}", at=now,
                                message_key=f"{incident_id}.{entry_id}.{name}") for name, reason in unsent]
        entry = CommunicationEntry(
            id=entry_id, at=now, channel=Channel(channel_value), audience=audience, message=rendered.text,
            template=rendered.template, author=actor, deliveries=deliveries)

        queued_via = [m.notifier for m in stored]
        self.desk.change(incident_id, "communicate", lambda incident: operations.log_communication(
            incident, entry, queued_via, unsent, rendered.subject, actor))
        return NotifyResult(entry, rendered, stored, unsent)

    # ------------------------------------------------------------------ delivering

    def drain(self, now: datetime | None = None, limit: int | None = None) -> DrainReport:
        """Deliver every message due now, each notifier in its own lane with its own time limit; delivery
        states land in the incidents' communication logs."""
        now = now or self.clock()
        configs: dict[str, Any] = {}
        config_lock = threading.Lock()
        self._notes = []
        report = self.outbox.drain(now, lambda record: self._deliver(record, configs, config_lock),
                                   lambda outcomes: self._record(outcomes, now), limit=limit, blocked=self._blocked)
        report.notes.extend(self._notes)
        return report

    def retry(self, message_id: str | None = None, *, all_failed: bool = False) -> list[OutboxMessage]:
        return self.outbox.retry(message_id, now=self.clock(), all_failed=all_failed)

    def _blocked(self, notifier: str) -> str | None:
        hung = self.plugins.lane_hung(notifier)
        if not hung:
            return None
        configured = self.settings.notifiers.get(notifier)
        limit = f" of {seconds(configured.time_limit)}" if configured else ""
        return f"an earlier send is still running past its time limit{limit}"

    def _deliver(self, record: OutboxMessage, configs: dict[str, Any], lock: threading.Lock) -> DeliveryResult:
        reason = self.settings.unusable_reason(record.notifier)
        if reason is not None:  # bad configuration: permanent until fixed (then `outbox retry`)
            return DeliveryResult.failed(reason, retryable=False)
        configured = self.settings.notifiers[record.notifier]
        with lock:
            if record.notifier not in configs:
                try:
                    configs[record.notifier] = resolve_config(self.plugins.notifiers[configured.type].config_model,
                                                              configured.raw, self.environ)
                except (SecretError, ValidationError) as error:
                    configs[record.notifier] = DeliveryResult.failed(
                        scrub(f"notifier '{record.notifier}' is misconfigured: {error}".splitlines()[0]), retryable=False)
            config = configs[record.notifier]
        if isinstance(config, DeliveryResult):
            return config
        # what the receiver or the plugin says may echo a secret (a URL path, a password): never kept
        return scrub_result(self.plugins.send(configured.type, record.message, config, timeout=configured.time_limit,
                                              lane=record.notifier), config_secrets(config))

    def _record(self, outcomes: list[Outcome], now: datetime) -> None:
        """Write each delivery's state into its incident's communication entry: one save per incident,
        through the desk and `operations.record_delivery`; different incidents are saved side by side."""
        by_incident: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            by_incident.setdefault(outcome.message.incident_id, []).append(outcome)
        if len(by_incident) == 1:
            for incident_id, group in by_incident.items():
                self._record_incident(incident_id, group, now)
            return
        with ThreadPoolExecutor(max_workers=min(4, len(by_incident)), thread_name_prefix="delivery-log") as pool:
            list(pool.map(lambda item: self._record_incident(item[0], item[1], now), by_incident.items()))

    def _record_incident(self, incident_id: str, group: list[Outcome], now: datetime) -> None:
        finished: list[str] = []

        def apply(incident: Incident) -> None:
            finished.clear()
            for outcome in group:
                record = outcome.message
                fallback = CommunicationEntry(id=record.entry_id, at=record.created_at,
                                              channel=Channel(record.message.channel),
                                              message=record.message.text or record.message.subject,
                                              template=record.template, author=record.author)
                state = {"sent": DeliveryState.SENT, "failed": DeliveryState.FAILED}.get(record.state,
                                                                                          DeliveryState.PENDING)
                if operations.record_delivery(incident, fallback, record.idempotency_key, record.notifier, state,
                                              record.attempts, record.last_error, now):
                    finished.append(record.entry_id)

        try:
            saved = self._outbox_desk.change(incident_id, "delivery", apply)
        except Exception as error:  # noqa: BLE001 - the outbox already holds the state; report, go on
            note = f"{incident_id}: delivery states not written to the communication log: {error}"
            log.warning("%s", note)
            self._notes.append(note)
            return
        self.desk.plugin_failures += self._outbox_desk.plugin_failures
        self._outbox_desk.plugin_failures = []
        for entry in saved.communications:
            if entry.id in finished:
                self.plugins.communication_did_send(saved, entry)

    # ------------------------------------------------------------------ escalations


# --------------------------------------------------------------------------- the headless watcher


@dataclass
class WatchCycle:
    """What one cycle of `watch` did. `unsent`: escalation messages that could not even be queued (a
    notifier not configured or misconfigured), each with its reason; `misconfigured`: broken notifiers."""

    at: datetime
    escalations: int
    report: DrainReport
    unsent: list[str] = field(default_factory=list)
    misconfigured: int = 0
    reloaded: list[str] = field(default_factory=list)


#: what the escalation step of a cycle returns: how many steps fired, and the messages not sent
Escalate = Callable[[NotifyService, datetime], "tuple[int, list[str]]"]


def run_watch(service: NotifyService, *, interval: float, once: bool = False, stop: threading.Event | None = None,
              clock: Clock | None = None, escalate: Escalate | None = None,
              on_cycle: Callable[[WatchCycle], None] | None = None, max_cycles: int | None = None,
              reload: Callable[[], list[str]] | None = None) -> int:
    """Fire due escalations and drain the outbox every `interval` seconds until `stop` is set (SIGTERM and
    SIGINT set it in the command) or after one cycle with `once`. Before each cycle, notifiers.yaml (and,
    through `reload`, the rules) are read again if they changed. Returns the number of cycles run."""
    stop = stop or threading.Event()
    clock = clock or service.clock
    cycles = 0
    while not stop.is_set():
        reloaded: list[str] = []
        try:
            reloaded = service.reload_if_changed() + (reload() if reload is not None else [])
        except Exception as error:  # noqa: BLE001 - keep the last good configuration and say so
            reloaded = [f"reloading the configuration failed, the previous one stays: {type(error).__name__}: {error}"]
        now = clock()
        fired = 0
        unsent: list[str] = []
        notes: list[str] = []
        if escalate is not None:
            try:
                fired, unsent = escalate(service, now)
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
            on_cycle(WatchCycle(now, fired, report, unsent, len(service.settings.broken)
                                + (1 if service.settings.file_problem else 0), reloaded))
        if once or (max_cycles is not None and cycles >= max_cycles):
            break
        stop.wait(interval)
    return cycles
