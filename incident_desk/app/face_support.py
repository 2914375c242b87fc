"""What the faces (cli/, gui/) use from the layers below the app, re-exported here.

The faces import only `incident_desk.app` and the package root (`tests/test_layering.py` checks it):
the domain models come from `incident_desk`, and the few helpers, error types and wording functions
below come from this module, so a face never reaches into the store, engine, plugins or renderers.
"""

from __future__ import annotations

from ..domain import figures
from ..domain.incident import PRIORITY_RANK
from ..domain.levels import level_label
from ..domain.timeutil import format_duration, format_short_duration, isoformat_z, parse_duration, parse_instant
from ..engine import RegulatoryClock
from ..plugin import Plugins, default_plugins_dir
from ..render.templates import TemplateError, TemplateNotFound
from ..store import errors as store_errors
from ..store.errors import StoreError

__all__ = [
    "PRIORITY_RANK", "Plugins", "RegulatoryClock", "StoreError", "TemplateError", "TemplateNotFound",
    "default_plugins_dir", "figures", "format_duration", "format_short_duration", "isoformat_z", "level_label",
    "parse_duration", "parse_instant", "store_errors",
]
