"""Suite-wide settings: installed plugins are never loaded by accident, and the drop-in plugin folder
is an empty folder of the test run, so what a test sees is what it set up."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def _scratch_folder(prefix: str) -> str:
    """A folder for this test process, removed when it exits (test runs left thousands behind in /tmp)."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


os.environ["INCIDENT_DESK_ENTRY_POINTS"] = "0"
os.environ["INCIDENT_DESK_PLUGINS_DIR"] = _scratch_folder("incident-desk-test-plugins-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the incremental `audit verify` cache lives outside workspaces: keep the test run's out of the user's folder
os.environ["INCIDENT_DESK_CACHE_DIR"] = _scratch_folder("incident-desk-test-cache-")
