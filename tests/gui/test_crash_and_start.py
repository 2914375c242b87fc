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


def test_open_self_test_exits_0_on_a_workspace_and_leaves_nothing_behind(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "TMPDIR": str(scratch)}
    done = subprocess.run([sys.executable, "-m", "incident_desk", "-w", str(tmp_path / "ws"), "open", "--self-test",
                           "--create"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "self-test passed" in done.stdout and "notifier types" in done.stdout
    assert list(scratch.iterdir()) == [], "the self-test's scratch settings are removed"


def test_open_on_a_missing_workspace_is_one_clear_line(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "TMPDIR": str(scratch)}
    done = subprocess.run([sys.executable, "-m", "incident_desk", "-w", str(tmp_path / "nowhere"), "open",
                           "--self-test"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 5
    assert "Traceback" not in done.stderr and "nowhere" in done.stderr
    assert list(scratch.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland environment variables are Linux's")
def test_open_without_a_display_says_so_in_one_line_instead_of_a_qt_abort(tmp_path):
    """`python3 run.py demo` on a machine with no screen (a server, CI) must not end in Qt's platform-plugin
    abort: the desk says there is no display and what works instead."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    done = subprocess.run([sys.executable, "-m", "incident_desk", "-w", str(tmp_path / "ws"), "open", "--create"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 5, done.stderr
    assert "no display to open the window on" in done.stderr and "--self-test" in done.stderr
    assert "platform plugin" not in done.stderr and "Traceback" not in done.stderr
