"""Issue 8, failure 3: a hung receiver holds only its own lane. A healthy notifier's messages are delivered
and recorded while the hung one is still hanging; nothing is skipped; permanent failures fail at once."""

from __future__ import annotations

import threading
import time

from incident_desk.app.notify_service import NotifyService
from incident_desk.app.outbox import Outbox
from incident_desk.domain import DeliveryState
from incident_desk.plugin import BaseNotifier, NotifierConfig, Plugins, hookimpl

from .outbox_helpers import FakeClock, make_workspace, write_notifiers
from .receivers import HttpReceiver

INCIDENT = "INC-2025-001"


def two_hooks(slow_limit: float) -> str:
    return (f"slow:\n  type: webhook\n  url: env:SLOW_URL\n  time_limit: {slow_limit}\n"
            "fast:\n  type: webhook\n  url: env:FAST_URL\n")


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Poll until `condition()` holds (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def states(workspace, notifier: str) -> list[str]:
    return [m.state for m in Outbox(workspace.path).messages() if m.notifier == notifier]


def test_the_healthy_notifier_delivers_while_the_hung_one_is_still_hanging(tmp_path):
    workspace = make_workspace(tmp_path / "ws")
    hung, healthy = HttpReceiver(), HttpReceiver()
    hung.open_gate.clear()
    try:
        write_notifiers(workspace.path, two_hooks(slow_limit=120))
        service = NotifyService(workspace, Plugins.load(entry_points=False, plugins_dir=None), clock=FakeClock(),
                                environ={"SLOW_URL": hung.url(), "FAST_URL": healthy.url()})
        for _ in range(3):
            service.notify(INCIDENT, "internal_alert")
        reports = []
        drainer = threading.Thread(target=lambda: reports.append(service.drain()), daemon=True)
        drainer.start()
        def logged(notifier: str) -> list[DeliveryState]:
            return [d.state for e in workspace.get(INCIDENT).communications for d in e.deliveries
                    if d.notifier == notifier]

        assert wait_for(lambda: states(workspace, "fast") == ["sent"] * 3
                        and logged("fast") == [DeliveryState.SENT] * 3)
        # the healthy lane is done, durably, and logged on the incident, while the hung receiver still holds
        # the first slow message: nothing waited for it
        assert hung.arrived.is_set() and hung.requests == [] and drainer.is_alive()
        assert len(healthy.requests) == 3
        assert logged("slow") == [DeliveryState.PENDING] * 3
        hung.open_gate.set()
        drainer.join(60)
        assert not drainer.is_alive()
        assert len(hung.requests) == 3 and states(workspace, "slow") == ["sent"] * 3  # none skipped
        assert len(reports[0].sent) == 6
    finally:
        hung.close()
        healthy.close()


def test_a_send_past_its_time_limit_holds_its_lane_and_nothing_is_skipped(tmp_path):
    workspace = make_workspace(tmp_path / "ws")
    hung, healthy = HttpReceiver(), HttpReceiver()
    hung.open_gate.clear()
    try:
        write_notifiers(workspace.path, two_hooks(slow_limit=0.5))
        clock = FakeClock()
        plugins = Plugins.load(entry_points=False, plugins_dir=None)
        service = NotifyService(workspace, plugins, clock=clock,
                                environ={"SLOW_URL": hung.url(), "FAST_URL": healthy.url()})
        service.notify(INCIDENT, "internal_alert")
        service.notify(INCIDENT, "internal_alert")
        report = service.drain()
        assert len(report.sent) == 2 and len(healthy.requests) == 2
        assert len(report.retry_later) == 1 and len(report.held) == 1
        slow = {m.id: m for m in Outbox(workspace.path).messages() if m.notifier == "slow"}
        timed_out = slow[report.retry_later[0]]
        waiting = slow[report.held[0]]
        assert timed_out.last_error == "notifier slow: no answer within 0.5 s" and timed_out.attempts == 1
        assert waiting.attempts == 0 and waiting.state == "pending"
        assert waiting.last_error == "waiting: an earlier send is still running past its time limit of 0.5 s"
        assert any("slow: an earlier send is still running" in note for note in report.notes)

        again = service.drain()  # the abandoned send still hangs: the lane waits, the message is not dropped
        assert again.held == [waiting.id] and again.attempted == 0

        hung.open_gate.set()
        assert wait_for(lambda: plugins.lane_hung("slow") == 0)
        clock.advance(minutes=1)
        final = service.drain()
        assert sorted(final.sent) == sorted(slow)
        # at least once: the abandoned request arrived too, with the same key as its retry
        assert set(hung.keys()) == {m.idempotency_key for m in slow.values()}
    finally:
        hung.close()
        healthy.close()


class Buggy(BaseNotifier):
    name = "buggy"
    config_model = NotifierConfig

    def send(self, message, config):
        return {"ok": True}["missing"]


class Plugin:
    @hookimpl
    def register_notifiers(self, register):
        register(Buggy())


def test_permanent_failures_fail_at_once_and_retryable_ones_back_off(tmp_path, receiver):
    workspace = make_workspace(tmp_path / "ws")
    write_notifiers(workspace.path, "buggy:\n  type: buggy\nforbidden:\n  type: webhook\n  url: env:URL\n"
                                    "busy:\n  type: webhook\n  url: env:BUSY_URL\n")
    busy = HttpReceiver(status=503)
    try:
        receiver.status = 401
        plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[Plugin()])
        service = NotifyService(workspace, plugins, clock=FakeClock(),
                                environ={"URL": receiver.url(), "BUSY_URL": busy.url()})
        service.notify(INCIDENT, "internal_alert")
        service.drain()
        by_notifier = {m.notifier: m for m in Outbox(workspace.path).messages()}
        assert by_notifier["buggy"].state == "failed" and by_notifier["buggy"].attempts == 1
        assert by_notifier["buggy"].last_error == ("notifier buggy failed: KeyError: 'missing' (not retried: an "
                                                   "error in the plugin or its configuration)")
        assert by_notifier["forbidden"].state == "failed" and "HTTP 401" in by_notifier["forbidden"].last_error
        assert by_notifier["busy"].state == "pending" and "HTTP 503" in by_notifier["busy"].last_error
    finally:
        busy.close()
