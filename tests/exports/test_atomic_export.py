"""Exports never leave a partial file: killed with SIGKILL at any moment, the target is absent, the file it
replaced, or the complete new file."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from incident_desk.app.wiring import open_desk
from incident_desk.domain import TimelineEvent

REPO = Path(__file__).resolve().parents[2]


def complete_pdf(path: Path) -> bool:
    data = path.read_bytes()
    reader = PdfFileReader(io.BytesIO(data))
    return data.rstrip().endswith(b"%%EOF") and len(reader.root["/Pages"]["/Kids"]) > 0


@pytest.mark.slow
def test_kill_9_during_export_leaves_no_partial_file(seed_workspace, tmp_path):
    start = datetime(2025, 1, 15, 2, 30, tzinfo=timezone.utc)
    with open_desk(seed_workspace) as desk:
        desk.change("INC-2025-001", "bulk timeline", lambda incident: incident.timeline.extend(
            TimelineEvent(at=start + timedelta(seconds=i), text=f"Reading {i}") for i in range(1500)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")])}
    outcomes = {"absent": 0, "previous": 0, "new": 0}
    previous = b"%PDF previous complete file\n%%EOF\n"
    for attempt, delay in enumerate([0.2, 0.6, 1.0, 1.4, 1.8, 2.4, 3.2, 30]):
        target = tmp_path / f"report-{attempt}.pdf"
        if attempt % 2:
            target.write_bytes(previous)
        process = subprocess.Popen([sys.executable, "-m", "incident_desk", "export", "INC-2025-001", "-f", "pdf",
                                    "-o", str(target)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        if not target.exists():
            outcomes["absent"] += 1
        elif target.read_bytes() == previous:
            outcomes["previous"] += 1
        else:
            assert complete_pdf(target), f"attempt {attempt}: partial file"
            outcomes["new"] += 1
        assert attempt % 2 == 0 or target.exists(), "the file being replaced vanished"
    assert outcomes["new"] >= 1  # the last attempt had time to finish
    assert outcomes["absent"] + outcomes["previous"] >= 1  # and at least one was really cut short


def test_json_export_over_an_existing_file_is_all_or_nothing(run, tmp_path):
    target = tmp_path / "inc.json"
    target.write_text("old")
    assert run("export", "INC-2025-001", "-o", target)[0] == 0
    assert json.loads(target.read_text())["incident"]["id"] == "INC-2025-001"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".inc.json")] == []


def test_an_unwritable_target_is_one_clear_line(run, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", blocker / "r.pdf")
    assert code == 4 and "cannot write" in err and "not-a-folder" in err and "Traceback" not in err
