"""Escalations from the bundled rules, delivered through the outbox to a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from incident_desk.app.escalations import fire_due_escalations
from incident_desk.app.wiring import notify_service, open_desk
from incident_desk import hookimpl
from incident_desk.plugin import Plugins

from .receivers import HttpReceiver

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_sev1_escalation_reaches_slack_once_and_reports_the_unconfigured_email(tmp_path, monkeypatch):
    receiver = HttpReceiver()
    try:
        monkeypatch.setenv("SLACK_URL", receiver.url())
        clock = Clock()
        seen: list[str] = []

        class Watcher:
            @hookimpl
            def escalation_did_fire(self, incident, escalation):
                seen.append(escalation.key)

            @hookimpl
            def communication_did_send(self, incident, entry):
                seen.append(f"sent {entry.deliveries[0].state.value}")

        plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[Watcher()])
        with open_desk(tmp_path / "ws", create=True, actor="dana", plugins=plugins) as desk:
            (desk.workspace.path / "notifiers.yaml").write_text(
                "slack:\n  type: slack\n  webhook_url: env:SLACK_URL\n  timeout: 2\n")
            rules = desk.workspace.path / "rules" / "escalation.yaml"  # page email and slack, as a team would
            rules.write_text(rules.read_text().replace(
                "- notify: {notifier: desktop, target: executives", "- notify: {notifier: email, target: executives"
            ).replace('- notify: {notifier: desktop, target: "#incidents"', '- notify: {notifier: slack, target: "#incidents"'))
            desk.clock = clock
            incident = desk.declare(title="Checkout down", facts={"customer_impact_pct": 100},
                                    started_at=T0, declared_at=T0)
            service = notify_service(desk)

            clock.now = T0 + timedelta(minutes=6)
            fired = fire_due_escalations(desk, clock.now, service)
            assert [f.key for f in fired] == ["sev1-unacknowledged#0"]
            assert fired[0].actions == [
                "not sent: email to executives: no notifier 'email' is configured in "
                f"{desk.workspace.path / 'notifiers.yaml'}; configured: slack",
                "queued slack to #incidents (escalation)"]
            # a second watcher, or a restart, at the same moment: nothing new is queued or recorded
            assert fire_due_escalations(desk, clock.now, service) == []
            assert len(service.outbox.pending()) == 1

            report = service.drain(clock.now)
            assert len(report.sent) == 1 and len(receiver.requests) == 1
            body = json.loads(receiver.requests[0].body)
            text = json.dumps(body)
            assert "ESCALATION" in text and incident.id in text and "executives" in text
            stored = desk.get(incident.id)
            (entry,) = stored.communications
            assert entry.template == "escalation" and entry.deliveries[0].state.value == "sent"
            assert [r.key for r in stored.escalations] == ["sev1-unacknowledged#0"]
            assert seen == ["sev1-unacknowledged#0", "sent sent"]
    finally:
        receiver.close()
