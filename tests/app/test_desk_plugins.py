"""Event hooks fire after the desk saves; a plugin that raises or hangs blocks neither others nor the save."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from incident_desk import hookimpl
from incident_desk.app.wiring import open_desk
from incident_desk.domain import Status
from incident_desk.plugin import Plugins

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=timezone.utc)


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    @hookimpl
    def incident_did_declare(self, incident):
        self.events.append(f"declare {incident.id} r{incident.revision}")

    @hookimpl
    def status_did_change(self, incident, previous, current):
        self.events.append(f"status {previous.value}->{current.value}")

    @hookimpl
    def incident_did_resolve(self, incident):
        self.events.append(f"resolved {incident.id}")

    @hookimpl
    def severity_did_change(self, incident, previous, current):
        self.events.append(f"severity {previous}->{current}")


class Raiser:
    @hookimpl
    def incident_did_declare(self, incident):
        raise RuntimeError("webhook of a third party is down")


class Hanger:
    release = threading.Event()

    @hookimpl
    def status_did_change(self, incident, previous, current):
        self.release.wait(30)


def test_hooks_report_changes_and_bad_plugins_never_block_a_save(tmp_path):
    recorder = Recorder()
    plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[Raiser(), Hanger(), recorder],
                           event_timeout=0.3)
    try:
        with open_desk(tmp_path / "ws", create=True, actor="dana", plugins=plugins) as desk:
            incident = desk.declare(title="Search down", facts={"customer_impact_pct": 5}, started_at=T0,
                                    declared_at=T0)
            started = time.monotonic()
            desk.transition(incident.id, Status.RESOLVED, at=T0.replace(hour=9))
            assert time.monotonic() - started < 5  # the hanging plugin was cut off at its time limit
            desk.set_facts(incident.id, {"customer_impact_pct": 100})
            stored = desk.get(incident.id)
            assert stored.status is Status.RESOLVED  # saved whatever the plugins did
            assert recorder.events[0] == f"declare {incident.id} r1"
            assert "status declared->resolved" in recorder.events and f"resolved {incident.id}" in recorder.events
            assert any(e.startswith("severity SEV-") and e.endswith("->SEV-1") for e in recorder.events), recorder.events
            notices = "\n".join(desk.notices)
            assert "webhook of a third party is down" in notices and "Raiser" in notices
            assert "status_did_change" in notices and "Hanger" in notices
    finally:
        Hanger.release.set()
