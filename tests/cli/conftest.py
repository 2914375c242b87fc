"""Fixtures for driving the real `incident-desk` command line against a real workspace on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_desk.cli.main import main
from tests.cli_support import Result, run_cli

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "ws"
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(path))
    monkeypatch.setenv("INCIDENT_DESK_USER", "alice")
    assert main(["init"]) == 0
    return path


@pytest.fixture
def cli(workspace, capsys):
    """Run the command line in-process: cli("list", "--json") -> Result."""

    def run(*args: str) -> Result:
        return run_cli(capsys, *args)

    return run


@pytest.fixture
def cli_process(workspace):
    """Run the command line as a real process (python -m incident_desk)."""

    def run(*args: str, env: dict | None = None) -> Result:
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")]),
                       **(env or {})}
        done = subprocess.run([sys.executable, "-m", "incident_desk", *map(str, args)], capture_output=True,
                              text=True, env=environment, timeout=120)
        return Result(done.returncode, done.stdout, done.stderr)

    return run
