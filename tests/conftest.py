"""Suite-wide settings: installed plugins are never loaded by accident, and the drop-in plugin folder
is an empty folder of the test run, so what a test sees is what it set up."""

from __future__ import annotations

import os
import tempfile

os.environ["INCIDENT_DESK_ENTRY_POINTS"] = "0"
os.environ["INCIDENT_DESK_PLUGINS_DIR"] = tempfile.mkdtemp(prefix="incident-desk-test-plugins-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the incremental `audit verify` cache lives outside workspaces: keep the test run's out of the user's folder
os.environ["INCIDENT_DESK_CACHE_DIR"] = tempfile.mkdtemp(prefix="incident-desk-test-cache-")
