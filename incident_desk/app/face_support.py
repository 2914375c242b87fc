"""What the faces (cli/, gui/) use from the layers below the app, re-exported here.

The faces import only `incident_desk.app` and the package root (`tests/test_layering.py` checks it):
the domain models come from `incident_desk`, and the few helpers, error types and wording functions
below come from this module, so a face never reaches into the store, engine, plugins or renderers.

Each name loads on first use (PEP 562), so a command that needs `isoformat_z` does not import the rules
engine, the plugin manager or the template renderer (`tests/cli/test_lazy_commands.py`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_SOURCES = {
    "DEFAULT_LEVEL_NAMES": ("domain.levels", "DEFAULT_LEVEL_NAMES"),
    "InvalidIncidentId": ("domain.validation", "InvalidIncidentId"),
    "PRIORITY_RANK": ("domain.vocabulary", "PRIORITY_RANK"),
    "Plugins": ("plugin", "Plugins"),
    "RegulatoryClock": ("engine", "RegulatoryClock"),
    "StoreError": ("store.errors", "StoreError"),
    "TemplateError": ("render.templates", "TemplateError"),
    "TemplateNotFound": ("render.templates", "TemplateNotFound"),
    "default_plugins_dir": ("plugin", "default_plugins_dir"),
    "describe_os_error": ("store.errors", "describe_os_error"),
    "figures": ("domain.figures", None),
    "format_duration": ("domain.timeutil", "format_duration"),
    "format_short_duration": ("domain.timeutil", "format_short_duration"),
    "isoformat_z": ("domain.timeutil", "isoformat_z"),
    "level_label": ("domain.levels", "level_label"),
    "level_rank": ("domain.levels", "level_rank"),
    "parse_duration": ("domain.timeutil", "parse_duration"),
    "parse_instant": ("domain.timeutil", "parse_instant"),
    "role_label": ("domain.vocabulary", "role_label"),
    "store_errors": ("store.errors", None),
}

__all__ = sorted(_SOURCES)


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, attribute = _SOURCES[name]
    module = import_module(f"incident_desk.{module_name}")
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value
