"""The two pluggy markers of the `incident_desk` project: `hookspec` for the desk, `hookimpl` for plugins."""

from __future__ import annotations

import pluggy

PROJECT_NAME = "incident_desk"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
