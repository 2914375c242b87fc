"""Builds a ready `Desk`: the workspace opened, its rule set and plugins wired in.

Plugins load lazily, on the first event or notification, from the built-ins, the installed
`incident_desk` entry points (unless $INCIDENT_DESK_ENTRY_POINTS is `0`, as the test suite sets it)
and the drop-in folder ($INCIDENT_DESK_PLUGINS_DIR, else the user config folder's `plugins/`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..store import Workspace
from .config import bundled_rules_dir, current_actor, plugins_folder, resolve_workspace_path
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

    if workspace_path is not None and Path(workspace_path).is_dir():
        path = Path(workspace_path) / NOTIFIERS_FILE
    else:
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

    rules = RulesProvider.for_workspace(workspace_path, actor=current_actor(actor))
    if create:
        rules.record_installed()
    desk = Desk(workspace, actor=actor, classifier=rules.classify, rules=rules, plugins=plugin_facade)
    settings: list[NotifierSettings] = []

    def notifier_notices() -> list[str]:
        """Misconfigured notifiers, said on every command. Without loading plugins when notifiers.yaml and
        the plugins are as they were at the last check (the answer is remembered in the user cache)."""
        key = _notifier_check_key(workspace_path)
        if not loaded:
            remembered = _remembered_notices(workspace_path, key)
            if remembered is not None:
                return remembered
            plugin_facade()
        if not settings:
            settings.append(configured_notifiers(workspace_path, loaded[0]))
            _remember_notices(workspace_path, key, settings[0].notices)
        return settings[0].notices + [problem for problem in settings_read if problem]

    desk.notice_sources.append(notifier_notices)
    return desk


def _notifier_check_key(workspace_path: Path) -> list[Any]:
    """What the notifier check depends on: notifiers.yaml, the drop-in folder and the entry-point switch."""
    import hashlib

    from .notifier_config import NOTIFIERS_FILE

    try:
        content = hashlib.sha256((Path(workspace_path) / NOTIFIERS_FILE).read_bytes()).hexdigest()
    except OSError:
        content = ""
    try:
        drop_ins = sorted([entry.name, entry.stat().st_mtime_ns, entry.stat().st_size]
                          for entry in os.scandir(plugins_folder()))
    except OSError:
        drop_ins = []
    return [content, drop_ins, os.environ.get(ENTRY_POINTS_ENV, "1")]


def _check_cache(workspace_path: Path) -> Path:
    import hashlib

    import platformdirs

    digest = hashlib.sha256(str(Path(workspace_path).resolve()).encode("utf-8")).hexdigest()[:20]
    return Path(platformdirs.user_cache_dir("incident-desk", appauthor=False)) / "notifier-checks" / f"{digest}.json"


def _remembered_notices(workspace_path: Path, key: list[Any]) -> list[str] | None:
    try:
        data = json.loads(_check_cache(workspace_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("notices"), list):
        return None
    return [str(n) for n in data["notices"]]


def _remember_notices(workspace_path: Path, key: list[Any], notices: list[str]) -> None:
    path = _check_cache(workspace_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"key": key, "notices": notices}), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # only a shortcut: the next command checks again


def notify_service(desk: Desk) -> NotifyService:
    """The notification service over the desk's own workspace and plugins."""
    from .notify_service import NotifyService

    return NotifyService(desk, desk.plugins or load_plugins(), clock=desk.clock)
