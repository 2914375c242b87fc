"""Shared set-up for outbox tests: a workspace with an incident, notifiers.yaml, a settable clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from incident_desk.app.notify_service import NotifyService
from incident_desk.domain import Clock, Incident
from incident_desk.plugin import Plugins
from incident_desk.store import Workspace

T0 = datetime(2025, 1, 15, 2, 40, tzinfo=timezone.utc)
HOOK_SECRET = "hmac-Secret-7Q2x9Lp"
URL_TOKEN = "urltoken-Zk81Vq"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_workspace(path: Path, incident_ids: tuple[str, ...] = ("INC-2025-001",)) -> Workspace:
    workspace = Workspace.open(path, create=True)
    for incident_id in incident_ids:
        workspace.create(Incident(id=incident_id, title="Checkout returns 500", services=["Checkout"],
                                  clock=Clock(started_at=T0 - timedelta(minutes=10), declared_at=T0)),
                         actor="dana")
    return workspace


def write_notifiers(path: Path, body: str) -> None:
    (path / "notifiers.yaml").write_text(body, encoding="utf-8")


def webhook_yaml(name: str = "ops-hook") -> str:
    return f"{name}:\n  type: webhook\n  url: env:OPS_HOOK_URL\n  hmac_secret: env:OPS_HOOK_SECRET\n  timeout: 2\n"


def webhook_env(url: str) -> dict[str, str]:
    return {"OPS_HOOK_URL": f"{url}?token={URL_TOKEN}", "OPS_HOOK_SECRET": HOOK_SECRET}


def service_for(workspace: Workspace, clock: FakeClock, environ: dict[str, str], **kwargs) -> NotifyService:
    return NotifyService(workspace, Plugins.load(entry_points=False, plugins_dir=None), clock=clock,
                         environ=environ, **kwargs)
