"""Builds a ready `Desk`: the workspace opened, its rule set and plugins wired in.

Plugins load lazily, on the first event or notification, from the built-ins, the installed
`incident_desk` entry points (unless $INCIDENT_DESK_ENTRY_POINTS is `0`, as the test suite sets it)
and the drop-in folder ($INCIDENT_DESK_PLUGINS_DIR, else the user config folder's `plugins/`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from ..store import Workspace
from .config import bundled_rules_dir, resolve_workspace_path
from .desk import Desk
from .rules_provider import RulesProvider, install_default_rules

if TYPE_CHECKING:  # plugins and notifications load on first use, so reading commands do not pay for them
    from ..plugin import Plugins
    from .notifier_config import NotifierSettings
    from .notify_service import NotifyService

ENTRY_POINTS_ENV = "INCIDENT_DESK_ENTRY_POINTS"


def load_plugins() -> Plugins:
    """Built-ins, installed entry points (unless disabled) and the drop-in folder."""
    from ..plugin import Plugins
    from ..plugin.manager import default_plugins_dir

    return Plugins.load(entry_points=os.environ.get(ENTRY_POINTS_ENV, "1") != "0",
                        plugins_dir=default_plugins_dir())


def install_default_notifiers(workspace_path: Path) -> Path:
    """Copy the bundled notifiers.yaml (desktop on, others as commented examples) unless one exists."""
    from .notifier_config import NOTIFIERS_FILE

    target = Path(workspace_path) / NOTIFIERS_FILE
    if not target.exists():
        shutil.copyfile(bundled_rules_dir() / "notifiers.yaml", target)
    return target


def configured_notifiers(workspace_path: Path, plugins: Plugins) -> NotifierSettings:
    """The workspace's notifiers.yaml, each entry validated on its own (never raises for its content)."""
    from .notifier_config import NOTIFIERS_FILE, NotifierSettings

    return NotifierSettings.from_file(Path(workspace_path) / NOTIFIERS_FILE, plugins)


def notifier_names_for_checks(workspace_path: Path | None, plugins: Plugins) -> tuple[set[str], list[str]]:
    """The notifier names escalation rules may use, and the notices about them: what the workspace's
    notifiers.yaml configures (the bundled one when there is no workspace), built-in or plugin types alike."""
    from .notifier_config import NOTIFIERS_FILE, NotifierSettings

    path = Path(workspace_path) / NOTIFIERS_FILE if workspace_path is not None else None
    if path is None or not Path(workspace_path).is_dir():
        path = bundled_rules_dir() / NOTIFIERS_FILE
    settings = NotifierSettings.from_file(path, plugins)
    return settings.names(), settings.notices


def open_desk(path: str | Path | None = None, *, create: bool = False, actor: str | None = None,
              plugins: Plugins | None = None) -> Desk:
    workspace_path = resolve_workspace_path(path)
    workspace = Workspace.open(workspace_path, create=create)
    if create:
        install_default_rules(workspace_path)
        install_default_notifiers(workspace_path)
    loaded: list[Plugins] = [plugins] if plugins is not None else []
    settings_read: list[str] = []  # problems of plugins.yaml, read once the plugins are loaded

    def plugin_facade() -> Plugins:
        if not loaded:
            loaded.append(load_plugins())
        if not settings_read:
            from .plugin_settings import apply_plugin_settings

            settings_read.extend(apply_plugin_settings(workspace_path, loaded[0]) or [""])
        return loaded[0]

    rules = RulesProvider.for_workspace(workspace_path)
    desk = Desk(workspace, actor=actor, classifier=rules.classify, rules=rules, plugins=plugin_facade)
    settings: list[NotifierSettings] = []

    def notifier_notices() -> list[str]:
        """Misconfigured notifiers, said whenever this command loaded plugins (it may page)."""
        if not loaded:
            return []
        if not settings:
            settings.append(configured_notifiers(workspace_path, loaded[0]))
        return settings[0].notices + [problem for problem in settings_read if problem]

    desk.notice_sources.append(notifier_notices)
    return desk


def notify_service(desk: Desk) -> NotifyService:
    """The notification service over the desk's own workspace and plugins."""
    from .notify_service import NotifyService

    return NotifyService(desk, desk.plugins, clock=desk.clock)
