"""Communications tab: template -> preview -> send through the chosen notifiers -> delivery state.

Sending goes through the durable outbox on a worker thread; the delivery state each notifier reports is
written to the incident's communication log by the outbox and arrives here through the change feed.
"""

from __future__ import annotations

from typing import Any

from ... import Channel, DeliveryState
from ...app.face_support import StoreError
from .. import display
from ..qt import (
    QBrush,
    QColor,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ..tasks import TaskState
from ..widgets import FieldError
from .page_base import IncidentTab

STATE_COLOURS = {DeliveryState.SENT: display.OK_COLOUR, DeliveryState.FAILED: display.OVERDUE_COLOUR,
                 DeliveryState.PENDING: "#ef6c00"}


class CommunicationsTab(IncidentTab):
    title = "Comms"

    def __init__(self, page) -> None:
        super().__init__(page)
        self._service: Any = None  # app.notify_service.NotifyService, opened on first use
        self.log = QTableWidget(0, 5)
        self.log.setObjectName("commsTable")
        self.log.setHorizontalHeaderLabels(["Time", "Channel", "Template", "Delivery", "Message"])
        for column, width in ((0, 140), (1, 150), (2, 130), (3, 150)):
            self.log.horizontalHeader().resizeSection(column, width)
        self.log.setWordWrap(False)
        self.log.verticalHeader().setDefaultSectionSize(24)
        self.log.horizontalHeader().setStretchLastSection(True)
        self.log.verticalHeader().setVisible(False)
        self.log.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.log.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)

        self.template = QComboBox()
        self.template.setObjectName("commsTemplate")
        self.template.currentIndexChanged.connect(lambda _: self.preview())
        self.channel = QComboBox()
        self.channel.setObjectName("commsChannel")
        self.channel.addItem("Template's channel", None)
        for channel in Channel:
            self.channel.addItem(channel.label, channel.value)
        self.notifiers = QListWidget()
        self.notifiers.setObjectName("commsNotifiers")
        self.notifiers.setMaximumHeight(110)
        self.notifier_error = FieldError()
        self.notifier_error.setObjectName("notifierError")
        self.preview_text = QPlainTextEdit()
        self.preview_text.setObjectName("commsPreview")
        self.preview_text.setReadOnly(True)
        self.error = FieldError()
        self.error.setObjectName("commsError")
        preview = QPushButton("Preview")
        preview.clicked.connect(self.preview)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("commsSend")
        self.send_button.clicked.connect(self.send)

        compose = QWidget()
        compose_layout = QVBoxLayout(compose)
        compose_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Template"))
        row.addWidget(self.template, 1)
        row.addWidget(QLabel("Channel"))
        row.addWidget(self.channel, 1)
        compose_layout.addLayout(row)
        compose_layout.addWidget(QLabel("Send through (checked notifiers)"))
        compose_layout.addWidget(self.notifiers)
        compose_layout.addWidget(self.notifier_error)
        compose_layout.addWidget(self.preview_text, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(preview)
        buttons.addWidget(self.send_button)
        compose_layout.addLayout(buttons)
        self.log_channel = QComboBox()
        self.log_channel.setObjectName("logChannel")
        for channel in Channel:
            self.log_channel.addItem(channel.label, channel.value)
        self.log_text = QLineEdit(placeholderText="Log a message sent some other way (phone call, meeting, …)")
        self.log_text.setObjectName("logText")
        self.log_text.returnPressed.connect(self.log_message)
        log_button = QPushButton("Log")
        log_button.setObjectName("logMessage")
        log_button.clicked.connect(self.log_message)
        log_row = QHBoxLayout()
        log_row.addWidget(self.log_channel)
        log_row.addWidget(self.log_text, 1)
        log_row.addWidget(log_button)
        compose_layout.addLayout(log_row)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.log)
        splitter.addWidget(compose)
        splitter.setSizes([220, 320])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def service(self) -> Any:
        from ...app.notify_service import NotifyError
        from ..notifications import service_for

        if self._service is None:
            try:
                self._service = service_for(self.desk)
            except NotifyError as error:
                self.notifier_error.show_error(str(error))
                return None
            self.notifier_error.show_error("")
            self.template.blockSignals(True)
            for name in self._service.templates.names():
                self.template.addItem(name, name)
            self.template.blockSignals(False)
            for name, notifier in self._service.settings.notifiers.items():
                item = QListWidgetItem(f"{name} ({notifier.type})")
                item.setData(256, name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.notifiers.addItem(item)
            for name, broken in getattr(self._service.settings, "broken", {}).items():
                item = QListWidgetItem(f"{name} (misconfigured)")
                item.setData(256, name)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(broken.reason)
                self.notifiers.addItem(item)
            notices = list(getattr(self._service.settings, "notices", []))
            if notices:
                self.notifier_error.show_error("; ".join(notices))
            elif not self._service.settings.notifiers:
                self.notifier_error.show_error("No notifier is configured: edit notifiers.yaml in the workspace "
                                               "(Settings shows it).")
        return self._service

    def refresh(self) -> None:
        incident = self.incident
        assert incident is not None
        self.service()
        entries = sorted(incident.communications, key=lambda e: e.at, reverse=True)
        self.log.setRowCount(len(entries))
        for number, entry in enumerate(entries):
            deliveries = ", ".join(f"{d.notifier}: {d.state.value}" + (f" ({d.last_error})" if d.last_error else "")
                                   for d in entry.deliveries) or "logged"
            values = [display.instant(entry.at), entry.channel.label, entry.template or "", deliveries,
                      entry.message.splitlines()[0] if entry.message else ""]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    item.setToolTip(entry.message)
                if column == 3 and entry.deliveries:
                    states = {d.state for d in entry.deliveries}
                    worst = (DeliveryState.FAILED if DeliveryState.FAILED in states else
                             DeliveryState.PENDING if DeliveryState.PENDING in states else DeliveryState.SENT)
                    item.setForeground(QBrush(QColor(STATE_COLOURS[worst])))
                self.log.setItem(number, column, item)
        if not self.preview_text.toPlainText() and self.template.currentData():
            self.preview()

    def log_message(self) -> None:
        """Record a communication that did not go through a notifier (`incident-desk comms add`)."""
        if self.incident is None:
            return
        text = self.log_text.text().strip()
        if not text:
            self.error.show_error("message: type what was said")
            return
        incident_id, channel = self.incident.id, self.log_channel.currentData()
        if self.page.apply("Log communication", lambda desk: desk.add_communication(incident_id, text,
                                                                                     channel=channel)):
            self.log_text.clear()
            self.error.show_error("")
        else:
            self.error.show_error(self.page.banner.text())

    def chosen_notifiers(self) -> list[str]:
        return [self.notifiers.item(n).data(256) for n in range(self.notifiers.count())
                if self.notifiers.item(n).checkState() == Qt.CheckState.Checked]

    def check_notifier(self, name: str, checked: bool = True) -> None:
        for number in range(self.notifiers.count()):
            item = self.notifiers.item(number)
            if item.data(256) == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def preview(self) -> Any:
        service = self.service()
        if service is None or self.incident is None or not self.template.currentData():
            return None
        from ...app.notify_service import NotifyError
        from ...app.face_support import TemplateError

        try:
            rendered = service.preview(self.incident.id, self.template.currentData())
        except (TemplateError, NotifyError, StoreError) as error:
            self.error.show_error(str(error))
            return None
        self.error.show_error("")
        self.preview_text.setPlainText(f"Subject: {rendered.subject}\nChannel: {rendered.channel}\n\n{rendered.text}")
        return rendered

    def send(self) -> TaskState | None:
        service = self.service()
        if service is None or self.incident is None:
            return None
        via = self.chosen_notifiers()
        if not via:
            self.notifier_error.show_error("Check at least one notifier to send through.")
            return None
        self.notifier_error.show_error("")
        if self.preview() is None:
            return None
        incident_id, template, channel = self.incident.id, self.template.currentData(), self.channel.currentData()
        path, plugins, clock, actor = self.page.session.workspace_path, self.desk.plugins, self.desk.clock, self.desk.actor
        self.send_button.setEnabled(False)
        self.error.show_error("")

        from ..notifications import worker_service

        def work(state: TaskState) -> Any:
            with worker_service(path, plugins, clock, actor) as (_desk, worker):
                result = worker.notify(incident_id, template, via=via, channel=channel, actor=actor)
                state.progress(1, 2, "Delivering…")
                report = worker.drain()
            return result, report

        def done(outcome: Any) -> None:
            self.send_button.setEnabled(True)
            result, report = outcome
            self.page.reload()
            sent, failed = len(report.sent), len(report.failed)
            self.page.sig_notice.emit(f"“{result.rendered.subject}”: {sent} sent, {failed} failed, "
                                      f"{len(report.retry_later)} to retry")

        def failed(error: BaseException) -> None:
            self.send_button.setEnabled(True)
            self.error.show_error(f"Not sent: {error}")

        return self.page.session.runner.run(work, on_success=done, on_failure=failed)
