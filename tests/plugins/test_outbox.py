"""The outbox keeps every message until it is delivered, retries with back-off, never sends twice
without the same key, and writes delivery states into the incident's communication log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from incident_desk.app.notify_service import NotifierSettings, NotifyError
from incident_desk.app.outbox import BackOff, Outbox, OutboxError
from incident_desk.domain import DeliveryState
from incident_desk.plugin import DeliveryResult, Plugins

from .outbox_helpers import T0, FakeClock, make_workspace, service_for, webhook_env, webhook_yaml, write_notifiers
from .receivers import HttpReceiver, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    write_notifiers(ws.path, webhook_yaml())
    return ws


def delivery_of(workspace, incident_id="INC-2025-001"):
    (entry,) = workspace.get(incident_id).communications
    (delivery,) = entry.deliveries
    return entry, delivery


def test_a_message_is_on_disk_and_logged_before_anything_is_sent(workspace, receiver):
    clock = FakeClock()
    service = service_for(workspace, clock, webhook_env(receiver.url()))
    result = service.notify("INC-2025-001", "internal_alert", actor="dana")
    (stored,) = Outbox(workspace.path).pending()
    assert stored.id == result.messages[0].id and stored.state == "pending"
    assert stored.idempotency_key == f"INC-2025-001.{result.entry.id}.ops-hook"
    assert receiver.requests == []
    entry, delivery = delivery_of(workspace)
    assert entry.template == "internal_alert" and entry.author == "dana"
    assert delivery.state is DeliveryState.PENDING and delivery.message_key == stored.idempotency_key
    report = service.drain()
    assert report.sent == [stored.id]
    assert receiver.keys() == [stored.idempotency_key]
    entry, delivery = delivery_of(workspace)
    assert delivery.state is DeliveryState.SENT and delivery.attempts == 1 and delivery.at == T0


def test_receiver_down_keeps_it_pending_then_delivers_exactly_once(workspace):
    port = free_port()
    clock = FakeClock()
    service = service_for(workspace, clock, webhook_env(f"http://127.0.0.1:{port}/hook"))
    service.notify("INC-2025-001", "internal_alert")
    first = service.drain()
    assert first.sent == [] and len(first.retry_later) == 1
    (waiting,) = service.outbox.pending()
    assert waiting.attempts == 1 and waiting.next_attempt_at == T0 + timedelta(seconds=30)
    assert "cannot reach the receiver" in waiting.last_error
    assert delivery_of(workspace)[1].state is DeliveryState.PENDING
    assert service.drain().attempted == 0  # not due yet: back-off is respected
    clock.advance(seconds=31)
    assert service.drain().attempted == 1  # still down: next wait doubles
    assert service.outbox.pending()[0].next_attempt_at == clock.now + timedelta(seconds=60)
    receiver = HttpReceiver(bind_port=port)
    try:
        clock.advance(seconds=61)
        assert len(service.drain().sent) == 1
        clock.advance(hours=2)
        assert service.drain().attempted == 0
        assert len(receiver.requests) == 1
    finally:
        receiver.close()
    entry, delivery = delivery_of(workspace)
    assert delivery.state is DeliveryState.SENT and delivery.attempts == 3 and delivery.last_error == ""
    assert service.outbox.pending() == [] and service.outbox.failed() == []


def test_permanent_failure_is_reported_and_retry_sends_it(workspace, receiver):
    clock = FakeClock()
    service = service_for(workspace, clock, webhook_env(receiver.url()))
    service.notify("INC-2025-001", "internal_alert")
    receiver.status = 404
    report = service.drain()
    (failed,) = service.outbox.failed()
    assert report.failed == [failed.id] and "HTTP 404" in failed.last_error
    entry, delivery = delivery_of(workspace)
    assert delivery.state is DeliveryState.FAILED and "HTTP 404" in delivery.last_error
    timeline = [e.text for e in workspace.get("INC-2025-001").timeline]
    assert any(t.startswith("Delivery via ops-hook failed: HTTP 404") for t in timeline)
    with pytest.raises(OutboxError, match="give a message id or ask for all"):
        service.retry()
    receiver.status = 200
    assert [m.id for m in service.retry(all_failed=True)] == [failed.id]
    assert service.drain().sent == [failed.id]
    assert delivery_of(workspace)[1].state is DeliveryState.SENT
    with pytest.raises(OutboxError, match="already sent"):
        service.retry(failed.id)
    with pytest.raises(OutboxError, match="no message m-nope"):
        service.retry("m-nope")


def test_gives_up_after_the_attempt_budget(workspace):
    clock = FakeClock()
    service = service_for(workspace, clock, webhook_env(f"http://127.0.0.1:{free_port()}/"),
                          outbox=Outbox(workspace.path, backoff=BackOff(max_attempts=2)))
    service.notify("INC-2025-001", "internal_alert")
    service.drain()
    clock.advance(minutes=5)
    service.drain()
    (failed,) = service.outbox.failed()
    assert failed.attempts == 2 and failed.last_error.startswith("gave up after 2 attempts")
    assert [a.outcome for a in failed.history] == ["retry", "failed"]


def test_a_missing_secret_fails_at_once_with_a_clear_reason_and_retry_sends_it(workspace, receiver):
    service = service_for(workspace, FakeClock(), {"OPS_HOOK_URL": receiver.url()})
    service.notify("INC-2025-001", "internal_alert")
    service.drain()
    (failed,) = service.outbox.failed()  # bad configuration is permanent: no 20 retries
    assert failed.attempts == 1
    assert failed.last_error == ("notifier 'ops-hook' is misconfigured: "
                                 "env:OPS_HOOK_SECRET: environment variable OPS_HOOK_SECRET is not set")
    assert receiver.requests == []
    fixed = service_for(workspace, FakeClock(), webhook_env(receiver.url()))
    fixed.retry(failed.id)
    assert fixed.drain().sent == [failed.id] and len(receiver.requests) == 1


def test_only_one_process_drains_at_a_time(workspace):
    release, started = threading.Event(), threading.Event()
    outbox = Outbox(workspace.path)
    from incident_desk.plugin import Message

    outbox.enqueue(Message(idempotency_key="k1", incident_id="INC-2025-001", subject="s", text="t"),
                   notifier="ops-hook", entry_id="e1", now=T0)

    def slow(record):
        started.set()
        release.wait(10)
        return DeliveryResult.sent()

    worker = threading.Thread(target=lambda: outbox.drain(T0, slow))
    worker.start()
    assert started.wait(10)
    other = Outbox(workspace.path).drain(T0, lambda r: DeliveryResult.sent())
    release.set()
    worker.join(10)
    assert other.busy and other.attempted == 0
    assert [m.state for m in outbox.messages()] == ["sent"]


def test_kill_9_during_delivery_loses_nothing_and_repeats_carry_the_same_key(workspace, receiver):
    clock = FakeClock()
    env = webhook_env(receiver.url())
    service = service_for(workspace, clock, env)
    for template in ("internal_alert", "status_investigating", "executive_summary"):
        service.notify("INC-2025-001", template)
    keys = sorted(m.idempotency_key for m in service.outbox.pending())
    receiver.open_gate.clear()  # the receiver takes the first request and holds it
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("drain_process.py")), str(workspace.path)],
                             env={**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert receiver.arrived.wait(30), child.stderr.read1().decode() if child.poll() is not None else "no request"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    receiver.open_gate.set()  # the receiver did get that first message
    states = {m.state for m in service.outbox.messages()}
    assert states == {"sending"}  # the whole batch was marked before the first send
    report = service.drain()
    assert len(report.interrupted) == 3 and len(report.sent) == 3
    assert service.outbox.pending() == [] and service.outbox.failed() == []
    received = receiver.keys()
    assert sorted(set(received)) == keys  # nothing lost
    assert len(received) == 4  # the interrupted one arrived twice, both times with its key
    duplicate = next(k for k in received if received.count(k) == 2)
    message = next(m for m in service.outbox.messages() if m.idempotency_key == duplicate)
    assert [a.outcome for a in message.history] == ["interrupted", "sent"]
    for entry in workspace.get("INC-2025-001").communications:
        assert [d.state for d in entry.deliveries] == [DeliveryState.SENT]


def test_notifiers_yaml_errors_name_file_line_and_field_and_leave_the_others_usable(tmp_path):
    plugins = Plugins.load(entry_points=False, plugins_dir=None)
    path = tmp_path / "notifiers.yaml"
    path.write_text("ops-email:\n  type: email\n  host: smtp.example.com\n  sender: d@example.com\n"
                    "  to: [o@example.com]\n  pasword: env:SMTP\n"
                    "chat:\n  type: slak\n"
                    "hook:\n  type: webhook\n  url: https://example.com/hook?token=abc\n"
                    "desk:\n  type: desktop\n", encoding="utf-8")
    settings = NotifierSettings.from_file(path, plugins)
    assert sorted(settings.notifiers) == ["desk"] and sorted(settings.names()) == ["chat", "desk", "hook", "ops-email"]
    reasons = {name: broken.reason for name, broken in settings.broken.items()}
    assert reasons["ops-email"] == (f"notifier 'ops-email' is misconfigured: {path}:6: ops-email.pasword: "
                                    "Extra inputs are not permitted")
    assert (f"{path}:8: chat.type: unknown notifier type 'slak'; known types: desktop, email, slack, teams, webhook"
            in reasons["chat"])
    assert f"{path}:11: hook.url: must be a reference" in reasons["hook"]
    assert "token=abc" not in " ".join(settings.notices)
    with pytest.raises(NotifyError, match="notifier 'chat' is misconfigured"):
        settings.get("chat")


def test_notifiers_yaml_that_is_not_yaml_names_the_line(tmp_path):
    path = tmp_path / "notifiers.yaml"
    path.write_text("hook:\n  type: webhook\n  url: [unclosed\n", encoding="utf-8")
    settings = NotifierSettings.from_file(path, Plugins.load(entry_points=False, plugins_dir=None))
    assert re.match(rf"^{path}:\d+: not valid YAML", settings.file_problem)
    assert settings.notifiers == {} and "nothing can be sent" in settings.notices[0]


def test_watch_loop_uses_the_injected_clock_and_fires_escalations_each_cycle(workspace):
    from incident_desk.app.notify_service import run_watch

    port = free_port()
    clock = FakeClock()
    service = service_for(workspace, clock, webhook_env(f"http://127.0.0.1:{port}/hook"))
    service.notify("INC-2025-001", "internal_alert")
    seen, cycles = [], []

    def escalate(svc, now):
        seen.append(now)
        clock.advance(seconds=45)  # time passes between cycles
        return 1, []

    stop = threading.Event()
    receiver = None

    def on_cycle(cycle):
        nonlocal receiver
        cycles.append(cycle)
        if len(cycles) == 1:
            receiver = HttpReceiver(bind_port=port)  # receiver comes back after the first failed try
        if cycle.report.sent:
            stop.set()

    try:
        count = run_watch(service, interval=0.01, stop=stop, clock=clock, escalate=escalate, on_cycle=on_cycle,
                          max_cycles=5)
    finally:
        if receiver:
            receiver.close()
    assert count == 2 and seen == [T0, T0 + timedelta(seconds=45)]
    assert [len(c.report.retry_later) for c in cycles] == [1, 0] and len(cycles[1].report.sent) == 1
    assert [c.escalations for c in cycles] == [1, 1]
    assert len(receiver.requests) == 1
