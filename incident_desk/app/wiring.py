"""Builds a ready `Desk`: the workspace opened, its rule set and plugins wired in.

Plugins load lazily, on the first event or notification, from the built-ins, the installed
`incident_desk` entry points (unless $INCIDENT_DESK_ENTRY_POINTS is `0`, as the test suite sets it)
and the drop-in folder ($INCIDENT_DESK_PLUGINS_DIR, else the user config folder's `plugins/`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..plugin import Plugins
from ..plugin.manager import default_plugins_dir
from ..store import Workspace
from .config import current_actor, resolve_workspace_path
from .desk import Desk
from .notify_service import NOTIFIERS_FILE, NotifierSettings, NotifyError, NotifyService
from .rules_provider import RulesProvider, install_default_rules
from .rules_service import bundled_rules_dir

ENTRY_POINTS_ENV = "INCIDENT_DESK_ENTRY_POINTS"


def load_plugins() -> Plugins:
    """Built-ins, installed entry points (unless disabled) and the drop-in folder."""
    return Plugins.load(entry_points=os.environ.get(ENTRY_POINTS_ENV, "1") != "0",
                        plugins_dir=default_plugins_dir())


def install_default_notifiers(workspace_path: Path) -> Path:
    """Copy the bundled notifiers.yaml (desktop on, others as commented examples) unless one exists."""
    target = Path(workspace_path) / NOTIFIERS_FILE
    if not target.exists():
        shutil.copyfile(bundled_rules_dir() / "notifiers.yaml", target)
    return target


def known_notifier_names(workspace_path: Path, plugins: Plugins) -> set[str]:
    """Names escalation rules may use: every configured notifier and every notifier type."""
    names = set(plugins.notifiers)
    try:
        names |= NotifierSettings.from_file(Path(workspace_path) / NOTIFIERS_FILE, plugins).names()
    except NotifyError:
        pass  # reported by `notify` and `outbox`; the rules are still checked against the types
    return names


def open_desk(path: str | Path | None = None, *, create: bool = False, actor: str | None = None,
              plugins: Plugins | None = None) -> Desk:
    workspace_path = resolve_workspace_path(path)
    workspace = Workspace.open(workspace_path, create=create)
    if create:
        install_default_rules(workspace_path)
        install_default_notifiers(workspace_path)
    loaded: list[Plugins] = [plugins] if plugins is not None else []

    def plugin_facade() -> Plugins:
        if not loaded:
            loaded.append(load_plugins())
        return loaded[0]

    rules = RulesProvider.for_workspace(workspace_path,
                                        known_notifiers=lambda: known_notifier_names(workspace_path, plugin_facade()),
                                        actor=current_actor(actor))
    if create:
        rules.ruleset  # noqa: B018 - archives the installed rules as the first version in use
    return Desk(workspace, actor=actor, classifier=rules.classify, rules=rules, plugins=plugin_facade)


def notify_service(desk: Desk) -> NotifyService:
    """The notification service over the desk's own workspace and plugins."""
    return NotifyService(desk.workspace, desk.plugins, clock=desk.clock)
