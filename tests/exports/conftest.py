"""Fixtures for exports: a workspace holding the seed's INC-2025-001, a test root CA, poppler's tools.

Tests that need poppler (`pdfsig`, `pdftotext`, `pdftoppm`) or NSS's `certutil` skip when the tool is
missing on a developer's machine, but FAIL in CI (`CI=true`), where `.ci/run` installs them: a signature
check must never be skipped silently where it counts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from incident_desk.app.demo import classified
from incident_desk.demo.data import seed_incident
from incident_desk.app.wiring import open_desk
from incident_desk.cli.main import main
from tests.cli_support import run_cli

from .pki import TestCA


def require_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is missing in CI: .ci/run must install it (poppler-utils / libnss3-tools)")
    pytest.skip(f"{name} is not installed (apt-get install poppler-utils libnss3-tools)")


@pytest.fixture
def seed_workspace(tmp_path, monkeypatch) -> Path:
    """A new workspace with the seed incident INC-2025-001, classified by the bundled rules."""
    path = tmp_path / "ws"
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(path))
    monkeypatch.setenv("INCIDENT_DESK_USER", "alice")
    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(tmp_path / "keys"))
    assert main(["init"]) == 0
    with open_desk(path) as desk:
        desk.workspace.import_incident(classified(seed_incident(), desk.rules), actor="alice")
    return path


@pytest.fixture
def run(seed_workspace, capsys):
    """The command line in-process: run("export", ...) -> (code, out, err)."""

    def call(*args):
        return run_cli(capsys, *args)

    return call


@pytest.fixture(scope="session")
def ca() -> TestCA:
    return TestCA.create()


@pytest.fixture(scope="session")
def ca_file(ca, tmp_path_factory) -> Path:
    return ca.write(tmp_path_factory.mktemp("ca") / "root.pem")


@pytest.fixture(scope="session")
def nss_db(ca_file, tmp_path_factory) -> str:
    """An NSS database trusting only the test root CA, for `pdfsig -nssdir`."""
    certutil = require_tool("certutil")
    folder = tmp_path_factory.mktemp("nss")
    subprocess.run([certutil, "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, capture_output=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{folder}", "-n", "incident-desk-test-root", "-t", "CT,C,C",
                    "-a", "-i", str(ca_file)], check=True, capture_output=True)
    return f"sql:{folder}"


def pdfsig(path: Path, nss_db: str) -> str:
    """pdfsig's report. The test certificates name no OCSP responder, so pdfsig makes no network request
    (and its -no-ocsp flag would make NSS answer "unknown issue" instead of checking the chain)."""
    tool = require_tool("pdfsig")
    done = subprocess.run([tool, "-nssdir", nss_db, str(path)], capture_output=True, text=True,
                          timeout=60)
    return done.stdout + done.stderr


def pdftotext(path: Path) -> str:
    tool = require_tool("pdftotext")
    done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")
