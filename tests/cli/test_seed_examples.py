"""The seed's command-line examples and its report, driven through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli_support import demo_workspace as generated_workspace, run_cli

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory) -> Path:
    return generated_workspace(tmp_path_factory, "demo", 120)


@pytest.fixture
def run(demo_workspace, capsys, monkeypatch):
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(demo_workspace))

    def call(*args):
        return run_cli(capsys, *args)

    return call


def test_report_prints_the_seed_layout_from_stored_data(run):
    code, out, _ = run("report", "INC-2025-001")
    assert code == 0
    for line in ("Incident Response Analysis", "Incident ID: INC-2025-001", "Severity: SEV-1 (Critical)",
                 "Duration: 2 hours 15 minutes", "02:32:15 - Incident declared SEV-1, incident commander assigned",
                 "• Revenue loss: $191,250 (estimated)", "5. Why no network partition tests? Not considered in risk assessment",
                 "Mean Time To Detection (MTTD): 2 minutes 15 seconds", "Mean Time Between Failures (MTBF): 45 days",
                 "Severity Distribution: SEV-1: 1, SEV-2: 2, SEV-3: 0",
                 "1. HIGH PRIORITY: Fix failover script bug and deploy to all environments"):
        assert line in out.splitlines(), line


def test_post_mortem_example(run, tmp_path):
    target = tmp_path / "post-mortem.md"
    code, _, err = run("analyze", "--post-mortem", "--incident-id", "INC-2025-001", "--output", target)
    assert code == 0 and str(target) in err
    text = target.read_text()
    assert text.startswith("# ") and "### Five whys" in text and "Fix failover script bug" in text


def test_metrics_example_writes_json_for_the_month(run, tmp_path):
    target = tmp_path / "metrics.json"
    code, _, _ = run("analyze", "--metrics", "--period", "monthly", "--at", "2025-01-15", "--output", target)
    assert code == 0
    document = json.loads(target.read_text())  # JSON because of the .json suffix
    assert document["period"] == "monthly" and document["from"] == "2025-01-01T00:00:00Z"
    assert document["current"]["incidents"] == ["INC-2025-001"]
    assert document["current"]["mttr"]["mean"] == 2.25 * 3600
    assert document["previous"]["from"] == "2024-12-01T00:00:00Z" and document["previous"]["count"] == 2


def test_report_format_json_and_pdf(run, tmp_path, monkeypatch):
    code, out, _ = run("analyze", "--report", "--incident-id", "INC-2025-001", "--format", "json")
    assert code == 0 and json.loads(out)["incident"]["id"] == "INC-2025-001"
    monkeypatch.chdir(tmp_path)
    code, _, err = run("analyze", "--report", "--incident-id", "INC-2025-001", "--format", "pdf")
    assert code == 0 and "INC-2025-001.pdf" in err and "Traceback" not in err
    assert (tmp_path / "INC-2025-001.pdf").read_bytes().startswith(b"%PDF-")


def test_start_example_through_the_seed_script(demo_workspace, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "incident-desk"
    shim.write_text(f"#!/bin/sh\nexec '{os.sys.executable}' -m incident_desk \"$@\"\n")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")]),
           "INCIDENT_DESK_WORKSPACE": str(demo_workspace)}
    script = REPO / "scripts" / "analyze-incident-response.sh"
    done = subprocess.run([str(script), "--severity", "sev1", "--type", "availability", "--start"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Declared INC-") and "SEV-1" in done.stdout


def test_open_self_test_opens_the_window_on_the_demo_workspace(run):
    total = len(json.loads(run("list", "--json")[1]))
    code, out, _ = run("open", "--self-test")
    assert code == 0 and f"window ready, {total} incidents" in out


def test_report_in_another_time_zone(run):
    code, out, _ = run("report", "INC-2025-001", "--tz", "Europe/Paris")
    assert code == 0
    assert "03:32:15 CET - Incident declared SEV-1, incident commander assigned" in out.splitlines()  # UTC+1, labelled
    code, _, err = run("report", "INC-2025-001", "--tz", "Mars/Olympus")
    assert code == 4 and "unknown time zone 'Mars/Olympus'" in err
