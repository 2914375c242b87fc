"""Run one outbox drain of a workspace in its own process (the kill -9 test kills it mid-send)."""

from __future__ import annotations

import sys

from incident_desk.app.notify_service import NotifyService
from incident_desk.plugin import Plugins
from incident_desk.store import Workspace

if __name__ == "__main__":
    plugins = Plugins.load(entry_points=False, plugins_dir=None)
    service = NotifyService(Workspace.open(sys.argv[1]), plugins)
    print("draining", flush=True)
    report = service.drain()
    print(f"sent {len(report.sent)}", flush=True)
