"""A bug in a slot shows a friendly dialog and writes the crash log; `open --self-test` starts headless."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from incident_desk.gui.crash import install_excepthook
from incident_desk.gui.qt import QPushButton, Qt

from .conftest import declare


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_a_dialog_writes_the_log_and_keeps_the_data(qtbot, window, desk, tmp_path):
    incident = declare(desk)
    before = desk.get(incident.id).model_dump()
    undo = install_excepthook(window.messages.error)
    try:
        button = QPushButton("Buggy", window)

        def buggy() -> None:
            desk.add_event(incident.id, "Saved before the bug")
            raise RuntimeError("slot exploded")

        button.clicked.connect(buggy)
        with qtbot.waitSignal(window.messages.sig_shown, timeout=5000) as shown:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    finally:
        undo()
    title, text = shown.args
    assert title == "Something went wrong" and "slot exploded" in text and "data is safe" in text
    log = tmp_path / "logs" / "crash.log"
    assert "RuntimeError: slot exploded" in log.read_text() and "Traceback" in log.read_text()
    assert "Traceback" not in text  # no traceback shown to the person
    after = desk.get(incident.id)
    assert after.timeline[-1].text == "Saved before the bug"
    assert after.model_dump()["timeline"][:-1] == before["timeline"]
    assert desk.verify_audit(incident_id=incident.id, full=True).ok


def test_open_self_test_exits_0_on_a_workspace(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-m", "incident_desk", "-w", str(tmp_path / "ws"), "open", "--self-test",
                           "--create"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "self-test passed" in done.stdout and "notifier types" in done.stdout


def test_open_on_a_missing_workspace_is_one_clear_line(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-m", "incident_desk", "-w", str(tmp_path / "nowhere"), "open",
                           "--self-test"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 5
    assert "Traceback" not in done.stderr and "nowhere" in done.stderr
