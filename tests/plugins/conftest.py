"""Fixtures for plugin tests: real HTTP and SMTP receivers on 127.0.0.1, and a plugin manager with built-ins."""

from __future__ import annotations

import pytest

from incident_desk.plugin import Plugins

from .receivers import HttpReceiver


@pytest.fixture
def receiver():
    server = HttpReceiver()
    yield server
    server.close()


@pytest.fixture
def plugins():
    return Plugins.load(entry_points=False, plugins_dir=None)
