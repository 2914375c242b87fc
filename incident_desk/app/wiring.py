"""Builds a ready `Desk`: the workspace opened, its rule set wired in for classification."""

from __future__ import annotations

from pathlib import Path

from ..store import Workspace
from .config import resolve_workspace_path
from .desk import Desk
from .rules_provider import RulesProvider, install_default_rules


def open_desk(path: str | Path | None = None, *, create: bool = False, actor: str | None = None) -> Desk:
    workspace_path = resolve_workspace_path(path)
    workspace = Workspace.open(workspace_path, create=create)
    if create:
        install_default_rules(workspace_path)
    rules = RulesProvider.for_workspace(workspace_path)
    return Desk(workspace, actor=actor, classifier=rules.classify, rules=rules)
