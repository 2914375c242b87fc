"""Settings: workspace folder (open another, create new), display time zone, user name, notifier configuration."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import available_timezones

from ... import DomainError
from ...app import reporting
from ...app.notify_service import NOTIFIERS_FILE, NotifierSettings, NotifyError
from ..qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..session import Session
from ..widgets import FieldError, with_error


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def check_zone(name: str) -> str:
    """'' when `name` is a display zone the window can use, else what is wrong."""
    try:
        reporting.time_zone(name)
    except DomainError:
        return f"'{name}' is not a time zone; use local, UTC or a name such as Europe/Berlin"
    return ""


def check_workspace(path_text: str, create: bool) -> str:
    if not path_text.strip():
        return "choose a folder"
    path = Path(path_text).expanduser()
    if create:
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            return f"{path} is not an empty folder; a new workspace needs one"
        return ""
    if not (path / "workspace.json").is_file():
        return f"{path} is not an Incident Desk workspace (no workspace.json)"
    return ""


class SettingsDialog(QDialog):
    """sig_applied(settings: dict): timezone and user were accepted.
    sig_workspace(path: str, create: bool): the person asked to open or create another workspace."""

    sig_applied = Signal(dict)
    sig_workspace = Signal(str, bool)

    def __init__(self, session: Session, zone: str, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")

        self.workspace = QLineEdit(str(session.workspace_path))
        self.workspace.setObjectName("settingsWorkspace")
        self.workspace_error = FieldError()
        self.workspace_error.setObjectName("settingsWorkspaceError")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        open_other = QPushButton("Open this workspace")
        open_other.setObjectName("openWorkspace")
        open_other.clicked.connect(lambda: self.switch(create=False))
        create = QPushButton("Create new workspace here")
        create.setObjectName("createWorkspace")
        create.clicked.connect(lambda: self.switch(create=True))
        workspace_box = QGroupBox("Workspace folder")
        workspace_layout = QVBoxLayout(workspace_box)
        row = QHBoxLayout()
        row.addWidget(self.workspace, 1)
        row.addWidget(browse)
        workspace_layout.addLayout(row)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(open_other)
        buttons_row.addWidget(create)
        buttons_row.addStretch(1)
        workspace_layout.addLayout(buttons_row)
        workspace_layout.addWidget(self.workspace_error)

        self.zone = QComboBox()
        self.zone.setObjectName("settingsZone")
        self.zone.setEditable(True)
        self.zone.addItems(["local", "UTC", *sorted(available_timezones())])
        self.zone.setCurrentText(zone or "local")
        self.zone_error = FieldError()
        self.zone_error.setObjectName("settingsZoneError")
        self.user = QLineEdit(user)
        self.user.setObjectName("settingsUser")
        self.user.setPlaceholderText("Your name, as the audit trail records it")
        self.user_error = FieldError()
        self.user_error.setObjectName("settingsUserError")
        form = QFormLayout()
        form.addRow("Display time zone", with_error(self.zone, self.zone_error))
        form.addRow("User name (audit trail)", with_error(self.user, self.user_error))

        self.notifiers = QPlainTextEdit()
        self.notifiers.setObjectName("settingsNotifiers")
        self.notifiers.setReadOnly(True)
        self.notifier_problems = QLabel()
        self.notifier_problems.setObjectName("settingsNotifierProblems")
        self.notifier_problems.setWordWrap(True)
        notifier_box = QGroupBox(f"Notifiers ({NOTIFIERS_FILE} in the workspace; secrets are keyring or env "
                                 "references, never values)")
        notifier_layout = QVBoxLayout(notifier_box)
        notifier_layout.addWidget(self.notifier_problems)
        notifier_layout.addWidget(self.notifiers, 1)
        self.load_notifiers()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(workspace_box)
        layout.addLayout(form)
        layout.addWidget(notifier_box, 1)
        layout.addWidget(buttons)
        self.resize(760, 620)

    def load_notifiers(self) -> None:
        path = self.session.workspace_path / NOTIFIERS_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = ""
        self.notifiers.setPlainText(text or f"(no {NOTIFIERS_FILE}: no notifier is configured)")
        try:
            plugins = self.session.desk.plugins
            if plugins is None:
                raise NotifyError("no plugins are loaded, so notifier types cannot be checked")
            settings = NotifierSettings.from_file(path, plugins)
        except NotifyError as error:  # older settings readers raise for a bad file
            problems = [str(error)]
            names = "none"
        else:
            problems = list(getattr(settings, "notices", []))
            names = ", ".join(f"{n.name} ({n.type})" for n in settings.notifiers.values()) or "none"
        if problems:
            items = "".join(f"<li>{_html(problem)}</li>" for problem in problems)
            self.notifier_problems.setText(f"<span style='color:#e53935'><b>Problems:</b><ul>{items}</ul></span>"
                                           f"Usable: {_html(names)}")
        else:
            self.notifier_problems.setText(f"✔ Valid. Configured: {_html(names)}")

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Workspace folder", self.workspace.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.workspace.setText)
        dialog.open()

    def switch(self, create: bool) -> bool:
        problem = check_workspace(self.workspace.text(), create)
        self.workspace_error.show_error(problem)
        if problem:
            return False
        self.sig_workspace.emit(str(Path(self.workspace.text()).expanduser()), create)
        self.accept()
        return True

    def apply(self) -> bool:
        zone = self.zone.currentText().strip() or "local"
        user = self.user.text().strip()
        zone_problem = check_zone(zone)
        self.zone_error.show_error(zone_problem)
        user_problem = "" if len(user) <= 80 and "\n" not in user else "user: at most 80 characters, one line"
        self.user_error.show_error(user_problem)
        if zone_problem or user_problem:
            return False
        self.sig_applied.emit({"timezone": zone, "user": user})
        self.accept()
        return True
