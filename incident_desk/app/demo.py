"""Builds the demo workspace: the seed's INC-2025-001 in full plus a few hundred generated incidents.

Every incident is classified with the rules the workspace will use before it is stored, so each one
carries the rules' explanation (computed level, deciding rules, missing facts, rule-set digest); the
few deliberate manual overrides are kept beside the computed level.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..domain import Incident
from ..store import Workspace
from .demo_data import DEMO_END, demo_workspace
from .demo_generator import end_instant
from .rules_provider import RulesProvider, install_default_rules


def classified(incident: Incident, rules: RulesProvider, end: date = DEMO_END) -> Incident:
    """A copy of `incident` with the rules' classification: at resolution, else at the history's end."""
    now = incident.clock.resolved_at or end_instant(end)
    return incident.model_copy(update={"severity": rules.classify(incident, now)})


def create_demo_workspace(path: Path, *, count: int = 300, seed: int = 2025, actor: str = "demo") -> int:
    """Create (or fill) a workspace at `path` with deterministic demo data. Returns incidents written.

    The bundled rules are installed in the workspace first (unless it has its own); the incidents are
    classified with the workspace's rules (`$INCIDENT_DESK_RULES` when set). If those rules cannot be
    loaded, the incidents keep the levels the generator recorded.
    """
    path = Path(path)
    written = 0
    with Workspace.open(path, create=True) as workspace:
        install_default_rules(path)
        rules = RulesProvider.for_workspace(path)
        for incident in demo_workspace(count=count, seed=seed):
            if not workspace.exists(incident.id):
                workspace.import_incident(classified(incident, rules), actor=actor)
                written += 1
    return written
