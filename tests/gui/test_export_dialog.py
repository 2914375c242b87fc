"""File > Export in the window: every format, a PDF signed with a real key and checked by the real verifier,
and what the person is told when a file, a key or the passphrase is missing or wrong."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from incident_desk.app import exports, keys
from incident_desk.app.verify import verify_pdf
from incident_desk.gui.dialogs.export_dialog import ExportDialog
from incident_desk.gui.qt import QDialogButtonBox, Qt

from .conftest import declare

PASSPHRASE = "correct horse battery"


@pytest.fixture
def keys_dir(tmp_path, monkeypatch):
    folder = tmp_path / "keys"
    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(folder))
    monkeypatch.delenv("INCIDENT_DESK_KEY", raising=False)
    return folder


@pytest.fixture
def signer_key(keys_dir, clock):
    clock.now = datetime.now(timezone.utc)  # the certificate is valid from now on
    return keys.create_key("dana", common_name="Dana Scully", organisation="Example Ltd", email=None,
                           passphrase=PASSPHRASE.encode(), valid_days=30, algorithm="ec")


@pytest.fixture
def opened(qtbot, window, desk, tmp_path):
    """The Export dialog (opened with Ctrl+E) for a declared incident, writing into tmp_path."""

    def open_dialog():
        incident = declare(desk)
        window.list.set_summaries(desk.summaries())
        window.open_incident(incident.id)
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        dialog = window.findChild(ExportDialog, "exportDialog")
        assert dialog is not None and dialog.isVisible()
        dialog.folder = tmp_path
        return incident, dialog

    return open_dialog


def choose(dialog, fmt: str) -> None:
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))


def press_export(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)


def test_ctrl_e_is_the_export_shortcut_and_offers_every_format(opened, desk):
    incident, dialog = opened()
    offered = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert offered == list(exports.exporters(desk))
    assert {"pdf", "json", "markdown", "text", "csv", "timeline-csv", "actions-csv"} <= set(offered)
    choose(dialog, "markdown")
    assert dialog.target.text().endswith(f"{incident.id}.md")
    assert dialog.sign_group.isHidden()
    choose(dialog, "pdf")
    assert dialog.target.text().endswith(f"{incident.id}.pdf") and not dialog.sign_group.isHidden()


def test_signed_pdf_from_the_window_passes_the_verifier(qtbot, opened, desk, window, signer_key, tmp_path):
    incident, dialog = opened()
    choose(dialog, "pdf")
    dialog.reload_keys()
    dialog.sign_group.setChecked(True)
    assert dialog.no_key.isHidden() and dialog.key.currentData() == "dana"
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password
    target = tmp_path / "signed" / "report.pdf"
    dialog.target.setText(str(target))
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    dialog.location.setText("Berlin")
    dialog.stamp.setChecked(True)
    with qtbot.waitSignal(dialog.sig_exported, timeout=60000):
        press_export(qtbot, dialog)
    assert dialog.passphrase.text() == ""  # cleared as soon as it was used
    assert f"to {target}" in window.statusBar().currentMessage()
    assert "signed by Dana Scully" in window.statusBar().currentMessage()
    report = verify_pdf(target, [signer_key.cert_path], desk.audit_trail)
    assert report.ok, report.checks
    assert report.incident_id == incident.id and "Dana Scully" in report.signer


def test_wrong_passphrase_says_so_and_writes_nothing(qtbot, opened, signer_key, tmp_path):
    incident, dialog = opened()
    choose(dialog, "pdf")
    dialog.reload_keys()
    dialog.sign_group.setChecked(True)
    target = tmp_path / "report.pdf"
    dialog.target.setText(str(target))
    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    press_export(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.failure.isVisible(), timeout=30000)
    assert "wrong passphrase for key 'dana'" in dialog.failure.text()
    assert "nothing was written" in dialog.failure.text() and "Traceback" not in dialog.failure.text()
    assert dialog.isVisible() and not target.exists()
    assert list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".report.pdf*")) == []


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "csv", "timeline-csv", "actions-csv", "pdf"])
def test_every_format_writes_its_file(qtbot, opened, keys_dir, fmt, tmp_path):
    incident, dialog = opened()
    choose(dialog, fmt)
    target = tmp_path / f"out-{fmt}"
    dialog.target.setText(str(target))
    with qtbot.waitSignal(dialog.sig_exported, timeout=60000) as exported:
        press_export(qtbot, dialog)
    result, signer = exported.args
    assert result.path == target and result.format == fmt and signer == ""
    data = target.read_bytes()
    assert len(data) == result.size > 0
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "json":
        assert incident.id in data.decode("utf-8")
    else:
        assert data.decode("utf-8").strip()


def test_missing_file_key_and_passphrase_are_said_beside_their_fields(qtbot, opened, keys_dir):
    incident, dialog = opened()
    dialog.target.clear()
    press_export(qtbot, dialog)
    assert dialog.target_error.isVisible() and "choose a file" in dialog.target_error.text()
    assert dialog.state is None and dialog.isVisible()

    choose(dialog, "pdf")
    dialog.reload_keys()
    dialog.sign_group.setChecked(True)
    assert dialog.no_key.isVisible() and "incident-desk keys create" in dialog.no_key.text()
    press_export(qtbot, dialog)
    assert "no signing key" in dialog.key_error.text() and dialog.key_error.isVisible()
    assert "passphrase" in dialog.passphrase_error.text() and dialog.passphrase_error.isVisible()
    assert dialog.state is None and not list(dialog.folder.glob("*.pdf"))


def test_a_folder_as_target_or_an_unknown_zone_is_refused_beside_the_field(qtbot, opened, tmp_path):
    incident, dialog = opened()
    dialog.target.setText(str(tmp_path))
    dialog.zone.setCurrentText("Mars/Olympus")
    press_export(qtbot, dialog)
    assert "is a folder" in dialog.target_error.text()
    assert "unknown time zone 'Mars/Olympus'" in dialog.zone_error.text()
    assert dialog.state is None


def test_cancel_closes_without_writing(qtbot, opened, tmp_path):
    incident, dialog = opened()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and not any(tmp_path.glob(f"{incident.id}.*"))


def test_an_expired_key_is_refused_in_one_line_and_writes_nothing(qtbot, opened, signer_key, clock, tmp_path):
    incident, dialog = opened()
    clock.advance(days=31)  # the certificate was made valid for 30 days
    choose(dialog, "pdf")
    dialog.reload_keys()
    dialog.sign_group.setChecked(True)
    target = tmp_path / "late.pdf"
    dialog.target.setText(str(target))
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    press_export(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.failure.isVisible(), timeout=30000)
    assert "key 'dana' has expired" in dialog.failure.text() and "\n" not in dialog.failure.text()
    assert not target.exists() and dialog.passphrase.text() == ""


def test_a_hand_edited_incident_is_not_exported(qtbot, opened, workspace_path, tmp_path):
    incident, dialog = opened()
    path = next(workspace_path.glob(f"incidents/*/{incident.id}.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["incident"]["1"]["title"] = "Nothing to see here"
    path.write_text(json.dumps(data), encoding="utf-8")
    choose(dialog, "pdf")
    target = tmp_path / "laundered.pdf"
    dialog.target.setText(str(target))
    press_export(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.failure.isVisible(), timeout=30000)
    assert "does not match its audit trail" in dialog.failure.text() and not target.exists()
