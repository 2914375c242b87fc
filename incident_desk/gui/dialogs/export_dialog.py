"""Export the selected incident in any format the desk offers; a PDF optionally signed with your key.

The export itself is `app.exports.export_incident` (atomic; a signature that cannot be made writes
nothing), run off the GUI thread by the window's task runner. The passphrase is read from its field,
the field is cleared at once, and it is never stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...app import exports, keys, reporting
from ..qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..tasks import TaskRunner, TaskState, run_with_progress
from ..widgets import FieldError, with_error

NO_KEY_TEXT = ("You have no signing key yet. Create one in a terminal:\n"
               "incident-desk keys create NAME --cn 'Your Name'\n"
               "then open this dialog again.")


def common_name(subject: str) -> str:
    """`Dana Whitfield` from `O=Example Ltd,CN=Dana Whitfield`; the whole subject when it names no CN."""
    names = [part[3:] for part in subject.split(",") if part.startswith("CN=")]
    return names[0] if names else subject


class ExportDialog(QDialog):
    """sig_exported(result: ExportResult, signer: str): the file was written (signer '' when unsigned)."""

    sig_exported = Signal(object, str)

    def __init__(self, desk: Any, incident_id: str, runner: TaskRunner, parent: QWidget | None = None, *,
                 folder: Path | None = None, display_zone: str = "UTC") -> None:
        super().__init__(parent)
        self.desk, self.incident_id, self.runner = desk, incident_id, runner
        self.folder = Path(folder) if folder is not None else Path.home()
        self.state: TaskState | None = None
        self.setObjectName("exportDialog")
        self.setWindowTitle(f"Export {incident_id}")
        self.formats = exports.exporters(desk)

        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for name, provided in self.formats.items():
            description = provided.details.get("description", "")
            self.format.addItem(f"{name} — {description}" if description else name, name)
        self.target = QLineEdit()
        self.target.setObjectName("exportTarget")
        self.target_error = FieldError()
        self.target_error.setObjectName("exportTargetError")
        browse = QPushButton("Browse…")
        browse.setObjectName("exportBrowse")
        browse.clicked.connect(self.browse)
        target_row = QWidget()
        row = QHBoxLayout(target_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.target, 1)
        row.addWidget(browse)
        self.zone = QComboBox()
        self.zone.setObjectName("exportZone")
        self.zone.setEditable(True)
        for name in dict.fromkeys(["UTC", "local", display_zone]):
            self.zone.addItem(name)
        self.zone.setCurrentText("UTC")
        self.zone_error = FieldError()
        self.zone_error.setObjectName("exportZoneError")

        form = QFormLayout()
        form.addRow("&Format", self.format)
        form.addRow("&Output file", with_error(target_row, self.target_error))
        form.addRow("&Time zone", with_error(self.zone, self.zone_error))

        self.sign_group = self._build_sign_group()
        self.failure = FieldError()
        self.failure.setObjectName("exportFailure")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.sign_group)
        layout.addWidget(self.failure)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)

        self._default_target = ""
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def _build_sign_group(self) -> QGroupBox:
        group = QGroupBox("&Sign the PDF with your key")
        group.setObjectName("exportSign")
        group.setCheckable(True)
        group.setChecked(False)
        self.key = QComboBox()
        self.key.setObjectName("exportKey")
        self.key_error = FieldError()
        self.key_error.setObjectName("exportKeyError")
        self.no_key = QLabel(NO_KEY_TEXT)
        self.no_key.setObjectName("exportNoKey")
        self.no_key.setTextInteractionFlags(self.no_key.textInteractionFlags()
                                            | self.no_key.textInteractionFlags().TextSelectableByMouse)
        self.no_key.setMinimumHeight(self.no_key.sizeHint().height())  # never squeezed by a wrapping message
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("exportPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_error = FieldError()
        self.passphrase_error.setObjectName("exportPassphraseError")
        self.reason = QLineEdit()
        self.reason.setObjectName("exportReason")
        self.location = QLineEdit()
        self.location.setObjectName("exportLocation")
        self.stamp = QCheckBox("Show a visible signature stamp on the first page")
        self.stamp.setObjectName("exportStamp")
        try:
            settings = exports.signing_settings(self.desk.workspace_path)
        except exports.ExportError:
            settings = exports.SigningSettings()
        self.reason.setText(settings.reason)
        self.location.setText(settings.location)
        self.stamp.setChecked(settings.visible_stamp)
        self.timestamp_url = settings.timestamp_url

        form = QFormLayout(group)
        form.addRow("&Key", with_error(self.key, self.key_error))
        form.addRow("", self.no_key)
        form.addRow("&Passphrase", with_error(self.passphrase, self.passphrase_error))
        form.addRow("&Reason", self.reason)
        form.addRow("&Location", self.location)
        form.addRow("", self.stamp)
        self.reload_keys()
        return group

    def reload_keys(self) -> None:
        """List the keys in the keys folder; a damaged key folder is said beside the picker."""
        self.key.clear()
        try:
            infos = keys.list_keys()
        except keys.KeyProblem as problem:
            infos = []
            self.key_error.show_error(str(problem))
        for info in infos:
            until = info.not_after.strftime("%Y-%m-%d")
            self.key.addItem(f"{info.name} — {common_name(info.subject)} (valid until {until})", info.name)
        self.key.setEnabled(bool(infos))
        self.no_key.setVisible(not infos)

    # ---------------------------------------------------------------- choices

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def is_pdf(self) -> bool:
        provided = self.formats.get(self.chosen_format())
        return provided is not None and provided.details.get("suffix", "") == ".pdf"

    def _format_changed(self) -> None:
        provided = self.formats.get(self.chosen_format())
        if provided is not None and self.target.text() in ("", self._default_target):
            self._default_target = str(self.folder / exports.default_output(self.incident_id, provided))
            self.target.setText(self._default_target)
        self.sign_group.setVisible(self.is_pdf())
        self.adjustSize()

    def browse(self) -> QFileDialog:
        dialog = QFileDialog(self, "Export to", self.target.text() or str(self.folder))
        dialog.setObjectName("exportFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(self.target.setText)
        dialog.open()
        return dialog

    def signing(self) -> bool:
        return self.is_pdf() and self.sign_group.isChecked()

    def validate(self) -> bool:
        """Say beside each field what is missing; True when the export can start."""
        text = self.target.text().strip()
        target_problem = ""
        if not text:
            target_problem = "choose a file to write"
        elif Path(text).expanduser().is_dir():
            target_problem = f"{text} is a folder; choose a file name"
        self.target_error.show_error(target_problem)
        zone_problem = ""
        try:
            reporting.time_zone(self.zone.currentText().strip())
        except Exception as error:  # noqa: BLE001 - the app's one-line refusal, shown beside the field
            zone_problem = str(error)
        self.zone_error.show_error(zone_problem)
        key_problem = passphrase_problem = ""
        if self.signing():
            if self.key.count() == 0:
                key_problem = "no signing key yet (see below)"
            if not self.passphrase.text():
                passphrase_problem = "enter the key's passphrase"
        self.key_error.show_error(key_problem)
        self.passphrase_error.show_error(passphrase_problem)
        self.adjustSize()  # room for the messages just shown
        return not (target_problem or zone_problem or key_problem or passphrase_problem)

    # ---------------------------------------------------------------- the export

    def export(self) -> TaskState | None:
        """Start the export off the GUI thread; None when a field needs attention first."""
        self.failure.hide()
        if not self.validate():
            return None
        desk, incident_id, fmt = self.desk, self.incident_id, self.chosen_format()
        target = Path(self.target.text().strip()).expanduser()
        zone = reporting.time_zone(self.zone.currentText().strip())
        sign = self.signing()
        key_name = str(self.key.currentData()) if sign else None
        passphrase = self.passphrase.text().encode("utf-8") if sign else b""
        self.passphrase.clear()
        reason, location, stamp = self.reason.text(), self.location.text(), self.stamp.isChecked()

        def work(state: TaskState) -> tuple[Any, str]:
            request = None
            if sign:
                try:
                    request = exports.open_signing_request(desk, key_name, passphrase, reason=reason,
                                                           location=location, visible_stamp=stamp,
                                                           timestamp_url=self.timestamp_url)
                except keys.KeyProblem as problem:
                    raise exports.ExportError(f"cannot sign: {problem}; nothing was written") from None
            result = exports.export_incident(desk, incident_id, fmt, target, signing=request, tz=zone)
            return result, request.signer_name if request is not None else ""

        self.state = run_with_progress(self.runner, self, f"Exporting {incident_id}…", work,
                                       on_success=self._done, on_failure=self._failed)
        return self.state

    def _done(self, outcome: tuple[Any, str]) -> None:
        self.state = None
        result, signer = outcome
        self.sig_exported.emit(result, signer)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.state = None
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.failure.show_error(f"Export failed: {text}")
        self.adjustSize()
