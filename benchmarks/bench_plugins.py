"""Benchmarks of plugins and notifications, each against a baseline measured in the same run.

1. Outbox delivery: 1,000 messages (100 `notify` calls x 10 webhook notifiers, over 10 incidents) queued
   and delivered through the outbox to a webhook receiver on 127.0.0.1. Targets: total <= 10 s; delivery
   (the drain: mark sending, POST, store results, log states on the incidents, all durable) <= 1.5x the
   baseline. Baseline: the same 1,000 messages POSTed straight through the webhook notifier, no outbox.
2. A hung notifier: 100 messages to a healthy webhook notifier, each also queued for a notifier whose
   receiver holds every request; time until the healthy receiver has all 100, against the same drain with
   no hung notifier. Target: <= 2x.
3. Event hooks: saving an incident (a timeline note through `Workspace.update`) and then firing the
   event hooks with 10 plugins loaded, against the same save with no plugins. Target: <= 1 ms added.

Run: python benchmarks/bench_plugins.py   (prints a table and the ratios; exit 1 when a target is missed)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from incident_desk import hookimpl  # noqa: E402
from incident_desk.app.notify_service import NotifyService  # noqa: E402
from incident_desk.app.secrets import resolve_config  # noqa: E402
from incident_desk.domain import Clock, EventKind, Incident, Status  # noqa: E402
from incident_desk.domain.operations import add_event  # noqa: E402
from incident_desk.plugin import Message, Plugins  # noqa: E402
from incident_desk.store import Workspace  # noqa: E402

MESSAGES = 1_000
OUTBOX_ROUNDS = 3  # medians: this machine is shared, single runs move by 2x
NOTIFIERS = 10
INCIDENTS = 10
SAVES = 150
PLUGINS = 10
T0 = datetime(2025, 1, 15, 2, 40, tzinfo=timezone.utc)


class Receiver:
    def __init__(self, expect: int = 0) -> None:
        self.count = 0
        self.keys: set[str] = set()
        self.expect = expect
        self.all_arrived = threading.Event()
        self.gate = threading.Event()
        self.gate.set()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.gate.wait(120)
                with receiver._lock:
                    receiver.count += 1
                    receiver.keys.add(self.headers.get("Idempotency-Key", ""))
                    if receiver.count == receiver.expect:
                        receiver.all_arrived.set()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def new_workspace(folder: Path) -> Workspace:
    workspace = Workspace.open(folder, create=True, auto_backup=False)
    for n in range(1, INCIDENTS + 1):
        workspace.create(Incident(id=f"INC-2025-{n:03d}", title=f"Checkout errors {n}", services=["Checkout"],
                                  clock=Clock(started_at=T0, declared_at=T0)), actor="bench")
    return workspace


def bench_outbox(folder: Path) -> dict[str, float]:
    receiver = Receiver()
    env = {"HOOK_URL": receiver.url, "HOOK_SECRET": "bench-secret"}
    plugins = Plugins.load(entry_points=False, plugins_dir=None)
    try:
        # baseline: the webhook notifier alone, no outbox, no incident log
        config = resolve_config(plugins.notifier("webhook").config_model,
                                {"url": "env:HOOK_URL", "hmac_secret": "env:HOOK_SECRET"}, env)
        started = time.perf_counter()
        for n in range(MESSAGES):
            message = Message(idempotency_key=f"direct-{n}", incident_id="INC-2025-001", subject="s", text="t")
            assert plugins.send("webhook", message, config).ok
        direct = time.perf_counter() - started

        workspace = new_workspace(folder)
        (folder / "notifiers.yaml").write_text("".join(
            f"hook-{i}:\n  type: webhook\n  url: env:HOOK_URL\n  hmac_secret: env:HOOK_SECRET\n"
            for i in range(NOTIFIERS)), encoding="utf-8")
        service = NotifyService(workspace, plugins, environ=env, clock=lambda: T0)
        receiver.count, receiver.keys = 0, set()
        started = time.perf_counter()
        for n in range(MESSAGES // NOTIFIERS):
            service.notify(f"INC-2025-{n % INCIDENTS + 1:03d}", "internal_alert", actor="bench")
        queued = time.perf_counter() - started
        started = time.perf_counter()
        report = service.drain()
        drained = time.perf_counter() - started
        assert len(report.sent) == MESSAGES and receiver.count == MESSAGES and len(receiver.keys) == MESSAGES, report
        logged = sum(len(e.deliveries) for i in workspace.iter_incidents() for e in i.communications
                     if all(d.state.value == "sent" for d in e.deliveries))
        assert logged == MESSAGES, logged
        return {"direct": direct, "queue": queued, "drain": drained}
    finally:
        receiver.close()


HUNG_MESSAGES = 100


def bench_hung_lane(folder: Path, rounds: int = 5) -> dict[str, float]:
    """Time until a healthy receiver has 100 messages, with and without a hung notifier beside it
    (rounds interleaved, medians)."""
    plugins = Plugins.load(entry_points=False, plugins_dir=None)
    times: dict[str, list[float]] = {"alone": [], "beside_hung": []}
    for round_number in range(rounds):
        for case in ("alone", "beside_hung"):
            times[case].append(_hung_lane_round(folder / f"{case}-{round_number}", plugins, case))
    return {case: statistics.median(values) for case, values in times.items()}


def _hung_lane_round(folder: Path, plugins: Plugins, case: str) -> float:
    healthy, hung = Receiver(expect=HUNG_MESSAGES), Receiver()
    hung.gate.clear()
    try:
        workspace = new_workspace(folder)
        (folder / "notifiers.yaml").write_text(
            "healthy:\n  type: webhook\n  url: env:HEALTHY_URL\n"
            "hung:\n  type: webhook\n  url: env:HUNG_URL\n  time_limit: 120\n", encoding="utf-8")
        service = NotifyService(workspace, plugins, environ={"HEALTHY_URL": healthy.url, "HUNG_URL": hung.url},
                                clock=lambda: T0)
        via = ["healthy"] if case == "alone" else ["healthy", "hung"]
        for n in range(HUNG_MESSAGES):
            service.notify(f"INC-2025-{n % INCIDENTS + 1:03d}", "internal_alert", actor="bench", via=via)
        drainer = threading.Thread(target=service.drain, daemon=True)
        started = time.perf_counter()
        drainer.start()
        assert healthy.all_arrived.wait(120), healthy.count
        elapsed = time.perf_counter() - started
        if case == "beside_hung":
            assert hung.count == 0  # still hanging when the healthy lane was done
        hung.gate.set()
        drainer.join(120)
        assert hung.count == (HUNG_MESSAGES if case == "beside_hung" else 0), hung.count  # none skipped
        return elapsed
    finally:
        healthy.close()
        hung.close()


def observer(index: int) -> object:
    class Observer:
        """Implements every event hook, doing a little work (what a logging plugin would)."""

        def __init__(self) -> None:
            self.calls = 0

        @hookimpl
        def incident_did_declare(self, incident):
            self.calls += 1

        @hookimpl
        def severity_did_change(self, incident, previous, current):
            self.calls += 1

        @hookimpl
        def status_did_change(self, incident, previous, current):
            self.calls += 1

        @hookimpl
        def incident_did_resolve(self, incident):
            self.calls += 1

        @hookimpl
        def escalation_did_fire(self, incident, escalation):
            self.calls += 1

        @hookimpl
        def communication_did_send(self, incident, entry):
            self.calls += 1

    Observer.__name__ = f"Observer{index}"
    return Observer()


def bench_hooks(folder: Path) -> dict[str, float]:
    workspace = new_workspace(folder)
    loaded = Plugins(event_timeout=2.0)
    observers = [observer(i) for i in range(PLUGINS)]
    for plugin in observers:
        loaded.add(plugin)
    none = Plugins()

    def save(plugins: Plugins, n: int) -> float:
        started = time.perf_counter()
        saved = workspace.update("INC-2025-001", lambda i: add_event(i, T0, f"note {n}", EventKind.NOTE),
                                 actor="bench", action="note")
        failures = plugins.status_did_change(saved, Status.INVESTIGATING, Status.IDENTIFIED)
        assert not failures, failures
        return time.perf_counter() - started

    for n in range(10):  # warm up both paths
        save(none, n), save(loaded, n)
    base, hooked = [], []
    for n in range(SAVES):  # interleaved, so drift in disk speed hits both equally
        base.append(save(none, n))
        hooked.append(save(loaded, n))
    assert all(o.calls == SAVES + 10 for o in observers)
    hook_only = []
    saved = workspace.get("INC-2025-001")
    for _ in range(SAVES):
        started = time.perf_counter()
        loaded.status_did_change(saved, Status.INVESTIGATING, Status.IDENTIFIED)
        hook_only.append(time.perf_counter() - started)
    return {"base_median": statistics.median(base), "hooked_median": statistics.median(hooked),
            "hooks_alone_median": statistics.median(hook_only)}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        rounds = [bench_outbox(Path(tmp) / f"outbox-ws-{n}") for n in range(OUTBOX_ROUNDS)]
        outbox = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        lanes = bench_hung_lane(Path(tmp) / "lanes")
        hooks = bench_hooks(Path(tmp) / "hooks-ws")
    total = outbox["queue"] + outbox["drain"]
    drain_ratio = outbox["drain"] / outbox["direct"]
    hung_ratio = lanes["beside_hung"] / lanes["alone"]
    added_ms = (hooks["hooked_median"] - hooks["base_median"]) * 1000
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"1. {MESSAGES} messages through the outbox ({NOTIFIERS} webhook notifiers x {MESSAGES // NOTIFIERS} notify calls), "
          f"median of {OUTBOX_ROUNDS}:")
    print(f"   queue + log   {outbox['queue']:7.2f} s")
    print(f"   deliver       {outbox['drain']:7.2f} s   ({MESSAGES / outbox['drain']:.0f} messages/s)")
    print(f"   total         {total:7.2f} s   target <= 10 s")
    print(f"   baseline: direct POSTs, no outbox {outbox['direct']:.2f} s; deliver / baseline = "
          f"{drain_ratio:.2f}x (target <= 1.5x); total / baseline = {total / outbox['direct']:.1f}x")
    print(f"2. {HUNG_MESSAGES} messages to a healthy notifier, each also queued for a hung one (median of 5):")
    print(f"   all delivered, no hung notifier     {lanes['alone']:7.2f} s")
    print(f"   all delivered, beside a hung one    {lanes['beside_hung']:7.2f} s   ratio {hung_ratio:.2f} "
          "(target <= 2x)")
    print(f"3. save an incident, then fire event hooks ({PLUGINS} plugins), median of {SAVES}:")
    print(f"   save, no plugins   {hooks['base_median'] * 1000:7.3f} ms")
    print(f"   save + hooks       {hooks['hooked_median'] * 1000:7.3f} ms   ratio {hooks['hooked_median'] / hooks['base_median']:.2f}")
    print(f"   added by hooks     {added_ms:7.3f} ms   target <= 1 ms  (hook call alone: "
          f"{hooks['hooks_alone_median'] * 1000:.3f} ms)")
    ok = total <= 10 and drain_ratio <= 1.5 and hung_ratio <= 2 and added_ms <= 1.0
    print("PASS" if ok else "MISSED A TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
