"""Builds the demo workspace: the seed's INC-2025-001 in full plus a few hundred generated incidents."""

from __future__ import annotations

from pathlib import Path

from ..store import Workspace
from .demo_data import demo_workspace


def create_demo_workspace(path: Path, *, count: int = 300, seed: int = 2025, actor: str = "demo") -> int:
    """Create (or fill) a workspace at `path` with deterministic demo data. Returns incidents written."""
    written = 0
    with Workspace.open(path, create=True) as workspace:
        for incident in demo_workspace(count=count, seed=seed):
            if not workspace.exists(incident.id):
                workspace.import_incident(incident, actor=actor)
                written += 1
    return written
