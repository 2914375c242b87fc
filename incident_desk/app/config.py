"""Where the workspace and its rule files live and who is acting: command-line option, environment, platform
default."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

WORKSPACE_ENV = "INCIDENT_DESK_WORKSPACE"
USER_ENV = "INCIDENT_DESK_USER"
APP_NAME = "incident-desk"
RULES_ENV = "INCIDENT_DESK_RULES"
PLUGINS_DIR_ENV = "INCIDENT_DESK_PLUGINS_DIR"


def plugins_folder() -> Path:
    """The drop-in plugin folder, as `incident_desk.plugin.default_plugins_dir()` finds it, without
    importing the plugin machinery (for the cheap checks every command makes)."""
    override = os.environ.get(PLUGINS_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "plugins"


def default_workspace_path() -> Path:
    """The platform's per-user data folder, e.g. ~/.local/share/incident-desk/workspace on Linux."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "workspace"


def resolve_workspace_path(explicit: str | Path | None = None) -> Path:
    """`--workspace` wins, then $INCIDENT_DESK_WORKSPACE, then the platform default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(WORKSPACE_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return default_workspace_path()


def current_actor(explicit: str | None = None) -> str:
    """Who is making changes, for the audit trail: `--user`, $INCIDENT_DESK_USER, or the login name."""
    if explicit:
        return explicit
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the audit trail still needs a name
        return "unknown"


def bundled_rules_dir() -> Path:
    """The default rule files shipped at the repository's top level."""
    return Path(__file__).resolve().parents[2] / "rules"


def default_rules_dir(workspace_path: Path | None = None) -> Path:
    """$INCIDENT_DESK_RULES, else `<workspace>/rules` when it exists, else the bundled `rules/`."""
    from_env = os.environ.get(RULES_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if workspace_path is not None and (Path(workspace_path) / "rules").is_dir():
        return Path(workspace_path) / "rules"
    return bundled_rules_dir()
