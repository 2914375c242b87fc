"""Per-plugin settings: the workspace's `plugins.yaml`, one section per plugin, each validated by the
pydantic model the plugin registered with `register_settings`.

    ticket-sync:              # the plugin's name, as `incident-desk plugins` lists it
      project: OPS
      url: env:TICKETS_URL

Errors name the file, the line and the field; invalid settings disable only that plugin's event hooks.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ..plugin import Plugins
from .notifier_config import MAX_SETTINGS_BYTES, _line_of, _plain

PLUGINS_FILE = "plugins.yaml"


def apply_plugin_settings(workspace_path: Path, plugins: Plugins) -> list[str]:
    """Read `<workspace>/plugins.yaml` (if any) into the plugins' settings; return the problems found."""
    path = Path(workspace_path) / PLUGINS_FILE
    if not path.exists():
        return []
    if path.stat().st_size > MAX_SETTINGS_BYTES:
        return [f"{path}: larger than {MAX_SETTINGS_BYTES // 1024} KB; plugin settings not read"]
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (YAMLError, OSError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        return [f"{path}{line}: cannot read plugin settings: {getattr(error, 'problem', None) or error}"]
    if data is None:
        data = {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) or v is None for v in data.values()):
        return [f"{path}:1: expected a mapping of plugin name -> its settings"]

    def describe(plugin: str, error: Exception) -> str:
        section = data.get(plugin)
        line = _line_of(data, plugin)
        if isinstance(error, ValidationError):
            return "; ".join(
                f"{path}:{_line_of(section, str(item['loc'][0]), line) if item['loc'] else line}: "
                f"{'.'.join([plugin, *map(str, item['loc'])])}: {item['msg'].removeprefix('Value error, ')}"
                for item in error.errors())
        return f"{path}:{line}: {plugin}: {error.args[0] if error.args else error}"

    sections = {str(k): _plain(v) for k, v in data.items()}
    return [str(failure) for failure in plugins.apply_settings(sections, describe)]
