"""Helpers for the store tests: sample incidents and real writer subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from incident_desk.domain import Clock, Incident

WORKTREE = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("writer_process.py")


def make_incident(incident_id: str = "INC-2025-001", **fields) -> Incident:
    start = datetime(2025, 1, 15, 2, 30, tzinfo=timezone.utc)
    fields.setdefault("title", "Database cluster failover failure")
    fields.setdefault("clock", Clock(started_at=start, alerted_at=start, declared_at=start))
    return Incident(id=incident_id, **fields)


def writer_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(WORKTREE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def start_writer(*args: str, stdin: int | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WRITER), *args], stdout=subprocess.PIPE, stdin=stdin,
                            stderr=subprocess.PIPE, text=True, env=writer_env())
