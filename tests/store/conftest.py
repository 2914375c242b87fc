"""Fixtures for the store tests: a real workspace in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_desk.store import Workspace


@pytest.fixture
def ws(tmp_path: Path):
    with Workspace.open(tmp_path / "ws", create=True) as workspace:
        yield workspace
