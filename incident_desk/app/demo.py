"""Builds the demo workspace: the seed's INC-2025-001 in full plus a few hundred generated incidents.

Every incident is classified with the rules the workspace will use before it is stored, so each one
carries the rules' explanation (computed level, deciding rules, missing facts, rule-set digest); the
few deliberate manual overrides are kept beside the computed level.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..domain import Incident
from ..demo.data import DEMO_END, demo_workspace
from ..demo.generator import end_instant
from .rules_provider import RulesProvider
from .wiring import open_desk


def classified(incident: Incident, rules: RulesProvider, end: date = DEMO_END) -> Incident:
    """A copy of `incident` with the rules' classification: at resolution, else at the history's end."""
    now = incident.clock.resolved_at or end_instant(end)
    return incident.model_copy(update={"severity": rules.classify(incident, now)})


def create_demo_workspace(path: Path, *, count: int = 300, seed: int = 2025, actor: str = "demo",
                          notices: list[str] | None = None) -> int:
    """Create (or fill) a workspace at `path` with deterministic demo data. Returns incidents written.

    The workspace is created as `incident-desk init` creates one (bundled rules and notifiers.yaml
    installed unless it has its own); the incidents are classified with the workspace's rules. If those
    rules cannot be loaded, the incidents keep the levels the generator recorded and `notices` says why.
    """
    written = 0
    with open_desk(Path(path), create=True, actor=actor) as desk:
        for incident in demo_workspace(count=count, seed=seed):
            if not desk.workspace.exists(incident.id):
                desk.workspace.import_incident(classified(incident, desk.rules), actor=actor)
                written += 1
        if notices is not None:
            notices.extend(desk.notices)
    return written
