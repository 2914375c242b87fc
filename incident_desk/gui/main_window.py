"""The main window: navigation, menus, toolbar, shortcuts, status bar, live updates and remembered layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..app.desk import Desk
from .. import DomainError, Incident, Status
from .. import summarize
from ..app.face_support import StoreError
from . import display
from .feed import ChangeFeed
from .messages import Messages
from .qt import (
    QAction,
    QFileDialog,
    QKeySequence,
    QLabel,
    QListWidget,
    QMainWindow,
    QSettings,
    QSplitter,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    Qt,
    QTimer,
    QToolBar,
    QWidget,
    Signal,
)
from .session import Session
from .tasks import TaskRunner, TaskState, run_with_progress
from .views.action_board import ActionBoard
from .views.incident_list import IncidentListView
from .views.incident_page import IncidentPage
from .views.outbox_view import OutboxView
from .views.placeholder import Placeholder

SCREENS = ("Incidents", "Action items", "Outbox", "Rules", "Metrics", "Playbooks")
SHORTCUTS = {
    "declare": "Ctrl+N", "note": "Ctrl+T", "acknowledge": "Ctrl+K", "mitigate": "Ctrl+M", "resolve": "Ctrl+R",
    "find": "Ctrl+F", "next": "Alt+Down", "previous": "Alt+Up", "settings": "Ctrl+,", "export": "Ctrl+E",
    "incidents": "Ctrl+1", "board": "Ctrl+2", "outbox": "Ctrl+3",
}


class MainWindow(QMainWindow):
    """sig_loaded(count: int): the incident list is filled (the window is ready).
    sig_workspace_requested(path: str, create: bool): Settings asked to open or create another workspace."""

    sig_loaded = Signal(int)
    sig_workspace_requested = Signal(str, bool)

    def __init__(self, desk: Desk, *, settings: QSettings | None = None, scheduler: bool = True,
                 feed_interval_ms: int = 250) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or QSettings("incident-desk", "incident-desk")
        self.messages = Messages(self)
        self.runner = TaskRunner(self)
        self.session = Session(desk, self.runner, self.messages)
        display.set_display_zone(str(self.settings.value("timezone", "local")))
        user = str(self.settings.value("user", "") or "")
        if user:
            desk.actor = user
        self.loaded = False
        self.setWindowTitle(f"Incident Desk — {self.session.workspace_path}")

        self.list = IncidentListView(self.session.level_names)
        self.page = IncidentPage(self.session)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("incidentSplitter")
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.page)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.board = ActionBoard(self.session)
        self.outbox = OutboxView(self.session)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(170)
        self.nav.setMinimumWidth(120)
        self.stack = QStackedWidget()
        self.screens: dict[str, QWidget] = {"Incidents": self.splitter, "Action items": self.board,
                                            "Outbox": self.outbox}
        for name in SCREENS:
            widget = self.screens.get(name) or Placeholder(name)
            self.screens[name] = widget
            self.stack.addWidget(widget)
            self.nav.addItem(name if name in ("Incidents", "Action items", "Outbox") else f"{name} (soon)")
        self.nav.currentRowChanged.connect(self.show_screen)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.setObjectName("bodySplitter")
        body.addWidget(self.nav)
        body.addWidget(self.stack)
        body.setStretchFactor(1, 1)
        body.setSizes([130, 1400])
        body.setCollapsible(1, False)
        self.setCentralWidget(body)

        self.status_workspace = QLabel()
        self.status_clock = QLabel()
        self.statusBar().addPermanentWidget(self.status_workspace)
        self.statusBar().addPermanentWidget(self.status_clock)
        self.status_workspace.setText(str(self.session.workspace_path))

        self.commands: dict[str, QAction] = {}  # not `actions`: QWidget.actions() is a method
        self._build_actions()
        self._build_menus_and_toolbar()

        self.list.sig_selected.connect(self.page.open_incident)
        self.page.sig_saved.connect(self._page_saved)
        self.page.sig_notice.connect(self.notify)
        self.board.sig_open_incident.connect(self.open_incident)
        self.board.sig_notice.connect(self.notify)
        self.outbox.sig_notice.connect(self.notify)
        self.messages.sig_shown.connect(lambda title, text: self.statusBar().showMessage(f"{title}: {text}", 8000))

        self.feed = ChangeFeed(desk, feed_interval_ms, self)
        self.feed.sig_changed.connect(self.on_changes)
        self.scheduler = None
        if scheduler:
            from .scheduler import EscalationScheduler

            self.scheduler = EscalationScheduler(self.session, parent=self)
        if self.scheduler is not None:
            self.scheduler.sig_fired.connect(self.on_escalations)
            self.scheduler.sig_cycle.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning), self)
            self.tray.setToolTip("Incident Desk")
            self.tray.show()
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start()
        self._tick()
        self._restore_layout()
        self.nav.setCurrentRow(0)

    # ---------------------------------------------------------------- actions

    def _action(self, key: str, text: str, slot: Any, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{key}")
        if key in SHORTCUTS:
            action.setShortcut(QKeySequence(SHORTCUTS[key]))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip or text} ({SHORTCUTS[key]})" if key in SHORTCUTS else (tip or text))
        action.triggered.connect(lambda _=False: slot())
        self.commands[key] = action
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        a("declare", "&Declare incident…", self.declare, "Declare a new incident")
        a("note", "Timeline &note", self.focus_scribe, "Add a timeline note to the open incident")
        a("acknowledge", "&Acknowledge", lambda: self.page.acknowledge())
        a("mitigate", "&Mitigated (monitoring)", lambda: self._move(Status.MONITORING))
        a("resolve", "&Resolve", lambda: self._move(Status.RESOLVED))
        a("find", "&Find incident", self.focus_find)
        a("next", "&Next incident", lambda: self._step(1))
        a("previous", "&Previous incident", lambda: self._step(-1))
        a("settings", "&Settings…", self.open_settings)
        a("export", "&Export incident…", self.export_incident)
        a("import", "&Import incident (JSON)…", self.import_incident)
        a("backup", "&Backup workspace now", self.backup)
        a("verify", "&Verify every audit trail", self.verify_all)
        a("deliver", "&Deliver outbox now", lambda: self.outbox.deliver())
        a("escalate", "Run &escalations now", lambda: self.scheduler.run_once() if self.scheduler else None)
        a("incidents", "&Incidents", lambda: self.nav.setCurrentRow(0))
        a("board", "&Action items", lambda: self.nav.setCurrentRow(1))
        a("outbox", "&Outbox", lambda: self.nav.setCurrentRow(2))
        a("quit", "&Quit", self.close)
        self.commands["quit"].setShortcut(QKeySequence.StandardKey.Quit)
        a("about", "&About Incident Desk", lambda: self.messages.info(
            "About Incident Desk", "Incident Desk: run incidents, classify severity with explainable rules, "
            "learn from post-mortems. Local-first: your workspace is a folder of files."))
        a("shortcuts", "&Keyboard shortcuts", self.show_shortcuts)

    def _build_menus_and_toolbar(self) -> None:
        menus: dict[str, list[str | None]] = {
            "&File": ["declare", None, "import", "export", "backup", None, "settings", None, "quit"],
            "&Incident": ["note", "acknowledge", "mitigate", "resolve", None, "next", "previous", "find"],
            "&View": ["incidents", "board", "outbox"],
            "&Tools": ["verify", "deliver", "escalate"],
            "&Help": ["shortcuts", "about"],
        }
        for title, keys in menus.items():
            menu = self.menuBar().addMenu(title)
            for key in keys:
                if key is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.commands[key])
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for key in ("declare", "note", "acknowledge", "mitigate", "resolve", None, "find", "previous", "next"):
            if key is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self.commands[key])
        self.addToolBar(toolbar)

    # ---------------------------------------------------------------- start

    def start(self, background: bool = True) -> TaskState | None:
        """Fill the list (on a worker thread, so a large workspace never freezes the window), start the feed."""
        self.feed.start()
        if self.scheduler is not None:
            self.scheduler.start()
        desk = self.session.desk
        self.statusBar().showMessage("Loading incidents…")
        if not background:
            self._loaded(desk.summaries())
            return None
        return self.runner.run(lambda state: desk.summaries(), on_success=self._loaded,
                               on_failure=lambda error: self.messages.error("Could not load the incidents", str(error)))

    def _loaded(self, summaries: list) -> None:
        self.list.set_summaries(summaries)
        # the rule set loads on a worker after the list shows: the list does not need it
        rules = self.session.desk.rules
        self.runner.run(lambda state: rules.ruleset if rules is not None else None,
                        on_success=lambda _: self._load_rules(), on_failure=lambda _: self._load_rules())
        self.loaded = True
        self.statusBar().showMessage(f"{len(summaries):,} incidents loaded", 4000)
        for notice in self.session.desk.notices:
            self.statusBar().showMessage(notice, 10000)
        self.sig_loaded.emit(len(summaries))
        self._last_day = self.session.today()

    def _load_rules(self) -> None:
        """Level names from the workspace's rules (the defaults until then), for filters and badges."""
        names = dict(self.session.level_names)
        self.session.load_level_names()
        if self.session.level_names != names:
            self.list.set_level_names(self.session.level_names)

    # ---------------------------------------------------------------- screens

    def show_screen(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        name = SCREENS[row]
        if name == "Action items":
            self.board.load()
        elif name == "Outbox":
            self.outbox.load()

    def open_incident(self, incident_id: str) -> None:
        self.nav.setCurrentRow(0)
        if not self.list.select(incident_id):
            self.list.search.clear()
            self.list.status.setCurrentIndex(0)
            if not self.list.select(incident_id):
                self.page.open_incident(incident_id)

    def focus_find(self) -> None:
        self.nav.setCurrentRow(0)
        self.list.search.setFocus()
        self.list.search.selectAll()

    def focus_scribe(self) -> None:
        self.nav.setCurrentRow(0)
        if self.page.incident is None:
            self.notify("Select an incident first")
            return
        from .views.tab_timeline import TimelineTab

        timeline = self.page.tab_pages["Timeline"]
        assert isinstance(timeline, TimelineTab)
        self.page.tabs.setCurrentWidget(timeline)
        timeline.scribe.setFocus()

    def _step(self, delta: int) -> None:
        self.nav.setCurrentRow(0)
        self.list.step(delta)

    def _move(self, status: Status) -> None:
        if self.page.incident is None:
            self.notify("Select an incident first")
            return
        self.page.transition(status)

    def show_shortcuts(self) -> None:
        lines = [f"{SHORTCUTS[key]:>10}  {self.commands[key].text().replace('&', '').rstrip('…')}" for key in SHORTCUTS]
        self.messages.info("Keyboard shortcuts", "\n".join(lines))

    # ---------------------------------------------------------------- dialogs

    def declare(self) -> QWidget:
        from .dialogs.declare import DeclareDialog

        types = sorted({s.type for s in self.list.model.rows})
        dialog = DeclareDialog(self.session, self, types)
        dialog.sig_declared.connect(self._declared)
        dialog.open()
        return dialog

    def _declared(self, incident: Incident) -> None:
        self.page.expected_revisions.add(incident.revision)
        self.list.upsert(summarize(incident))
        self.open_incident(incident.id)
        self.notify(f"Declared {incident.id} as {incident.severity.level or 'unclassified'}")

    def open_settings(self) -> QWidget:
        from .dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.session, str(self.settings.value("timezone", "local")),
                                str(self.settings.value("user", "") or ""), self)
        dialog.sig_applied.connect(self._settings_applied)
        dialog.sig_workspace.connect(self.sig_workspace_requested)
        dialog.open()
        return dialog

    def _settings_applied(self, values: dict) -> None:
        self.settings.setValue("timezone", values["timezone"])
        self.settings.setValue("user", values["user"])
        display.set_display_zone(values["timezone"])
        if values["user"]:
            self.session.desk.actor = values["user"]
        self.list.set_summaries(list(self.list.model.rows))
        self.page.reload()
        self.notify(f"Times shown in {values['timezone']}; changes recorded as {self.session.desk.actor}")

    # ---------------------------------------------------------------- long work

    def export_incident(self) -> QWidget | None:
        """The Export dialog for the open incident: any format, a PDF optionally signed."""
        from .dialogs.export_dialog import ExportDialog

        if self.page.incident is None:
            self.notify("Select an incident to export")
            return None
        dialog = ExportDialog(self.session.desk, self.page.incident.id, self.runner, self,
                              display_zone=str(self.settings.value("timezone", "local")))
        dialog.sig_exported.connect(lambda result, signer: self.notify(
            f"Exported {dialog.incident_id} ({result.format}) to {result.path}"
            + (f", signed by {signer}" if signer else "")))
        dialog.open()
        return dialog

    def export_to(self, incident_id: str, path: str, fmt: str = "json") -> TaskState:
        from ..app.exports import export_incident

        desk = self.session.desk
        return run_with_progress(self.runner, self, f"Exporting {incident_id}…",
                                 lambda state: export_incident(desk, incident_id, fmt, Path(path)),
                                 on_success=lambda r: self.notify(f"Exported {incident_id} to {r.path}"),
                                 on_failure=lambda e: self.messages.error("Export failed", str(e)))

    def import_incident(self) -> None:
        dialog = QFileDialog(self, "Import incident", str(Path.home()), "Incident JSON (*.json)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.import_from)
        dialog.open()

    def import_from(self, path: str) -> TaskState:
        desk = self.session.desk

        def work(state: TaskState) -> Incident:
            try:
                document = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise DomainError(f"{path}: not a readable JSON file ({error})") from None
            return desk.import_incident(document, source=path)

        def done(incident: Incident) -> None:
            self.list.upsert(summarize(incident))
            self.open_incident(incident.id)
            self.notify(f"Imported {incident.id}")
        return run_with_progress(self.runner, self, "Importing…", work, on_success=done,
                                 on_failure=lambda e: self.messages.error("Import refused", str(e)))

    def backup(self) -> TaskState:
        desk = self.session.desk
        return run_with_progress(self.runner, self, "Taking a backup…", lambda state: desk.backup(),
                                 on_success=lambda p: self.notify(f"Backup written to {p}"),
                                 on_failure=lambda e: self.messages.error("Backup failed", str(e)))

    def verify_all(self) -> TaskState:
        """Every audit chain against the signed checkpoints (`incident-desk audit verify --full`)."""
        desk = self.session.desk

        def work(state: TaskState) -> Any:
            state.progress(0, 0, "Verifying every audit trail…")
            outcome = desk.verify_audit(full=True)
            state.check()  # cancelled meanwhile: the answer is dropped
            return outcome

        def done(outcome: Any) -> None:
            failed = outcome.result.failed
            problems = list(outcome.problems) + list(outcome.result.problems) + [
                f"{r.incident_id}: {'; '.join(r.problems)}" for r in failed[:10]]
            if problems:
                self.messages.error("Audit trail problems", "; ".join(problems))
            else:
                self.notify(f"All {outcome.result.checked:,} audit trails verified: intact")
        return run_with_progress(self.runner, self, "Verifying audit trails…", work, on_success=done,
                                 on_failure=lambda e: self.messages.error("Verify failed", str(e)))

    # ---------------------------------------------------------------- live updates

    def on_changes(self, changes: list) -> None:
        """Other processes (or this window) wrote: update those rows, the open incident and the board."""
        # a timeline append shows nowhere in the list (the open page takes it from the feed itself)
        for incident_id in dict.fromkeys(c.incident_id for c in changes if c.action != "timeline.add"):
            try:
                self.list.upsert(summarize(self.session.desk.get(incident_id)))
            except (StoreError, DomainError) as error:
                self.notify(str(error))
        self.page.on_changes(changes)
        current = SCREENS[self.stack.currentIndex()]
        if current == "Action items":
            self.board.load()
        elif current == "Outbox":
            self.outbox.load()

    def _page_saved(self, incident: Incident) -> None:
        self.list.upsert(summarize(incident))

    def on_escalations(self, fired: list) -> None:
        text = "; ".join(f"{f.incident_id}: {f.policy_id}" for f in fired)
        if self.tray is not None and self.tray.isVisible():
            self.tray.showMessage("Escalation fired", text, QSystemTrayIcon.MessageIcon.Warning, 10000)
        self.statusBar().showMessage(f"Escalation fired: {text}", 15000)

    def notify(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _tick(self) -> None:
        now = self.session.desk.clock()
        self.status_clock.setText(display.local(now).strftime("%a %d %b %H:%M:%S %Z"))
        today = now.date()
        if self.loaded and getattr(self, "_last_day", today) != today:
            self._last_day = today
            self.board.model.refresh_dates()

    # ---------------------------------------------------------------- layout memory

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([560, 960])

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.save_layout()
        self.feed.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        self.runner.wait(10000)
        super().closeEvent(event)
