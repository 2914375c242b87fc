"""A small harness for testing Incident Desk plugins against a real desk and real local receivers.

In the spirit of pytest's `pytester`: a plugin author's test gets a real workspace in a temporary
folder, the built-in plugins plus the plugins under test (and nothing installed on the machine), a real
HTTP receiver on 127.0.0.1, and a record of every event hook call.

    from incident_desk.testing import PluginHarness

    def test_my_notifier(tmp_path):
        with PluginHarness(tmp_path, plugins=[my_plugin]) as harness:
            receiver = harness.http_receiver()
            harness.configure_notifiers({"phones": {"type": "ntfy", "server": receiver.url("/"), "topic": "ops"}})
            incident = harness.declare("Checkout down", customer_impact_pct=100)
            assert harness.notify(incident.id, "internal_alert", via=["phones"]) == {"phones": "sent"}
            assert receiver.requests[0].json()["topic"] == "ops"
            assert harness.failures == []

Secrets: put `env:NAME` references in the settings and the values in `harness.environ`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable

from . import hookimpl
from .app.desk import Desk
from .app.notifier_config import NOTIFIERS_FILE
from .app.notify_service import NotifyService
from .app.plugin_settings import PLUGINS_FILE
from .app.wiring import open_desk
from .domain import Incident
from .plugin import PluginFailure, Plugins


@dataclass
class Received:
    """One request an `HttpReceiver` got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """An HTTP server on 127.0.0.1 in a thread, recording every POST.

    Set `status` to answer with an error; clear `open_gate` to hold requests (a hung receiver) and set
    it again to let them through; `arrived` is set when a request came in."""

    status: int = 200
    answer: bytes = b"ok"
    bind_port: int = 0
    requests: list[Received] = field(default_factory=list)
    open_gate: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.open_gate.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.arrived.set()
                receiver.open_gate.wait(60)
                receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.bind_port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def keys(self) -> list[str]:
        return [r.headers.get("idempotency-key", "") for r in self.requests]

    def close(self) -> None:
        self.open_gate.set()
        self.server.shutdown()
        self.server.server_close()


class _Recorder:
    """Records every event hook call as (hook name, arguments)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def _record(self, hook: str, **arguments: Any) -> None:
        with self._lock:
            self.calls.append((hook, arguments))

    @hookimpl
    def incident_did_declare(self, incident: Any) -> None:
        self._record("incident_did_declare", incident=incident)

    @hookimpl
    def severity_did_change(self, incident: Any, previous: Any, current: Any) -> None:
        self._record("severity_did_change", incident=incident, previous=previous, current=current)

    @hookimpl
    def status_did_change(self, incident: Any, previous: Any, current: Any) -> None:
        self._record("status_did_change", incident=incident, previous=previous, current=current)

    @hookimpl
    def incident_did_resolve(self, incident: Any) -> None:
        self._record("incident_did_resolve", incident=incident)

    @hookimpl
    def escalation_did_fire(self, incident: Any, escalation: Any) -> None:
        self._record("escalation_did_fire", incident=incident, escalation=escalation)

    @hookimpl
    def communication_did_send(self, incident: Any, entry: Any) -> None:
        self._record("communication_did_send", incident=incident, entry=entry)

    @hookimpl
    def timeline_event_did_add(self, incident: Any, event: Any) -> None:
        self._record("timeline_event_did_add", incident=incident, event=event)

    @hookimpl
    def communication_did_add(self, incident: Any, entry: Any) -> None:
        self._record("communication_did_add", incident=incident, entry=entry)

    @hookimpl
    def action_item_did_add(self, incident: Any, item: Any) -> None:
        self._record("action_item_did_add", incident=incident, item=item)

    @hookimpl
    def action_item_did_change(self, incident: Any, item: Any, previous: Any) -> None:
        self._record("action_item_did_change", incident=incident, item=item, previous=previous)


class PluginHarness:
    """A real desk in `folder` with the built-ins and `plugins` loaded; use as a context manager."""

    def __init__(self, folder: str | Path, plugins: Iterable[object] = (), *, clock: Any = None,
                 environ: dict[str, str] | None = None) -> None:
        self.folder = Path(folder)
        self.environ: dict[str, str] = dict(environ or {})
        self._recorder = _Recorder()
        self.plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[*plugins])
        self.plugins.add(self._recorder, name="plugin-harness-recorder")
        self.desk: Desk = open_desk(self.folder / "workspace", create=True, actor="plugin-test", plugins=self.plugins)
        if clock is not None:
            self.desk.clock = clock
        (self.workspace_path / NOTIFIERS_FILE).write_text("", encoding="utf-8")
        self._receivers: list[HttpReceiver] = []

    @property
    def workspace_path(self) -> Path:
        return self.desk.workspace.path

    def __enter__(self) -> PluginHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for receiver in self._receivers:
            receiver.close()
        self.desk.close()

    # ------------------------------------------------------------------ receivers and configuration

    def http_receiver(self, **options: Any) -> HttpReceiver:
        """A new HTTP receiver on 127.0.0.1, closed with the harness."""
        receiver = HttpReceiver(**options)
        self._receivers.append(receiver)
        return receiver

    def configure_notifiers(self, notifiers: dict[str, dict[str, Any]]) -> None:
        """Write notifiers.yaml: configured name -> {"type": ..., settings...}."""
        (self.workspace_path / NOTIFIERS_FILE).write_text(json.dumps(notifiers, indent=2), encoding="utf-8")

    def configure_plugins(self, sections: dict[str, dict[str, Any]]) -> list[str]:
        """Write plugins.yaml (plugin name -> settings) and apply it; returns the problems found."""
        from .app.plugin_settings import apply_plugin_settings

        (self.workspace_path / PLUGINS_FILE).write_text(json.dumps(sections, indent=2), encoding="utf-8")
        return apply_plugin_settings(self.workspace_path, self.plugins)

    # ------------------------------------------------------------------ doing things

    def declare(self, title: str, **facts: Any) -> Incident:
        """Declare an incident with these facts (e.g. customer_impact_pct=100)."""
        return self.desk.declare(title=title, facts=facts)

    def service(self) -> NotifyService:
        return NotifyService(self.desk, self.plugins, clock=self.desk.clock, environ=self.environ)

    def notify(self, incident_id: str, template: str, *, via: Iterable[str] | None = None,
               now: datetime | None = None) -> dict[str, str]:
        """Queue and deliver; returns notifier name -> final state (`sent`, `failed: ...`, `not sent: ...`)."""
        service = self.service()
        result = service.notify(incident_id, template, via=list(via) if via else None, actor="plugin-test")
        service.drain(now)
        states = {m.id: m for m in service.outbox.messages()}
        outcome = {}
        for message in result.messages:
            stored = states.get(message.id, message)
            outcome[message.notifier] = stored.state if stored.state == "sent" else f"{stored.state}: {stored.last_error}"
        outcome.update({name: f"not sent: {reason}" for name, reason in result.unsent})
        return outcome

    # ------------------------------------------------------------------ what happened

    @property
    def events(self) -> list[tuple[str, dict[str, Any]]]:
        """Every event hook call so far: (hook name, its arguments as the plugins saw them)."""
        return list(self._recorder.calls)

    def hooks_called(self) -> list[str]:
        return [name for name, _ in self._recorder.calls]

    @property
    def failures(self) -> list[PluginFailure]:
        """Everything a plugin did wrong (exceptions, time-outs, bad returns, load problems)."""
        return self.plugins.failures
