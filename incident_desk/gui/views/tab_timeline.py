"""Timeline tab: the scribe line (type, Enter, stamped now), kind picker, backfill time, edit and delete."""

from __future__ import annotations

from datetime import datetime, timedelta

from ... import DomainError, EventKind, TimelineEvent
from ...app.face_support import parse_instant
from ...app.face_support import StoreError
from .. import display
from ..models.rows import ROW_ROLE
from ..models.timeline import TimelineModel
from ..qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QShortcut,
    QKeySequence,
    QVBoxLayout,
)
from ..widgets import FieldError, table
from .page_base import IncidentTab


def parse_backfill(text: str, now: datetime) -> datetime | None:
    """`` (now), `14:05` (today in the display zone, yesterday if that is in the future) or an ISO instant."""
    text = text.strip()
    if not text:
        return None
    if len(text) in (4, 5, 8) and text.count(":") in (1, 2) and text.replace(":", "").isdigit():
        parts = [int(p) for p in text.split(":")]
        local_now = display.local(now)
        try:
            when = local_now.replace(hour=parts[0], minute=parts[1], second=parts[2] if len(parts) > 2 else 0,
                                     microsecond=0)
        except ValueError:
            raise ValueError(f"'{text}' is not a time of day such as 14:05") from None
        return when - timedelta(days=1) if when > local_now else when
    try:
        return parse_instant(text)
    except ValueError as error:
        raise ValueError(str(error)) from None


class TimelineTab(IncidentTab):
    title = "Timeline"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.model = TimelineModel(self)
        self._shown: tuple[str, int] | None = None
        self.view = table(self.model, stretch=2)
        self.view.setObjectName("timelineTable")
        self.view.horizontalHeader().resizeSection(0, 190)
        self.view.doubleClicked.connect(lambda _: self.edit_selected())
        self.kind = QComboBox()
        self.kind.setObjectName("scribeKind")
        for kind in EventKind:
            self.kind.addItem(kind.value, kind.value)
        self.kind.setCurrentIndex(self.kind.findData(EventKind.NOTE.value))
        self.scribe = QLineEdit(placeholderText="Type what happened and press Enter (stamped now)  — Ctrl+T")
        self.scribe.setObjectName("scribeLine")
        self.scribe.returnPressed.connect(self.add_note)
        self.at = QLineEdit(placeholderText="now, or 14:05, or 2026-11-26T09:58Z")
        self.at.setObjectName("scribeAt")
        self.at.setMaximumWidth(230)
        self.at.returnPressed.connect(self.add_note)
        self.error = FieldError()
        self.error.setObjectName("scribeError")
        add = QPushButton("Add")
        add.clicked.connect(self.add_note)
        edit = QPushButton("Edit…")
        edit.clicked.connect(self.edit_selected)
        delete = QPushButton("Delete")
        delete.setObjectName("deleteEvent")
        delete.clicked.connect(lambda: self.delete_selected())
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete_key.activated.connect(lambda: self.delete_selected())

        line = QHBoxLayout()
        line.addWidget(self.kind)
        line.addWidget(self.scribe, 1)
        line.addWidget(self.at)
        line.addWidget(add)
        tools = QHBoxLayout()
        tools.addWidget(self.error, 1)
        tools.addWidget(edit)
        tools.addWidget(delete)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(line)
        layout.addLayout(tools)

    def refresh(self) -> None:
        assert self.incident is not None
        shown = (self.incident.id, self.incident.revision)
        if shown != self._shown:
            self._shown = shown
            self.model.set_rows(self.incident.timeline)
            self.view.scrollToBottom()

    def add_note(self) -> TimelineEvent | None:
        """The scribe's fast path: append one event and show it, without reloading the incident."""
        text = self.scribe.text().strip()
        if self.incident is None:
            return None
        if not text:
            self.error.show_error("Type what happened first.")
            return None
        try:
            at = parse_backfill(self.at.text(), self.desk.clock())
        except ValueError as error:
            self.error.show_error(f"time: {error}")
            return None
        try:
            event = self.desk.add_event(self.incident.id, text, kind=self.kind.currentData(), at=at)
        except (DomainError, StoreError) as error:
            self.error.show_error(str(error))
            return None
        self.error.show_error("")
        self.scribe.clear()
        self.at.clear()
        revision = self.incident.revision + 1
        self.page.expected_revisions.add(revision)
        self.incident.timeline.append(event)
        object.__setattr__(self.incident, "revision", revision)
        self._shown = (self.incident.id, revision)
        row = self.model.add_event(event)
        self.view.scrollTo(self.model.index(row, 0))
        return event

    def selected(self) -> TimelineEvent | None:
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def edit_selected(self) -> QDialog | None:
        event = self.selected()
        if event is None or self.incident is None:
            self.error.show_error("Select an event to edit.")
            return None
        dialog = EventEditDialog(self, event)
        dialog.open()
        return dialog

    def delete_selected(self, confirm: bool = True) -> None:
        event = self.selected()
        if event is None or self.incident is None:
            self.error.show_error("Select an event to delete.")
            return
        incident_id, revision = self.incident.id, self.incident.revision

        def delete() -> None:
            self.page.apply("Delete event", lambda desk: desk.delete_event(incident_id, event.id,
                                                                           expected_revision=revision))
        if not confirm:
            delete()
            return
        from ..qt import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Question, "Delete timeline event",
                          f"Delete “{event.text}”? The audit trail keeps a record of it.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirmDelete")
        box.accepted.connect(delete)
        box.open()


class EventEditDialog(QDialog):
    """Correct an event's text, kind or time; refused values are shown beside the field."""

    def __init__(self, tab: TimelineTab, event: TimelineEvent) -> None:
        super().__init__(tab)
        self.setObjectName("eventEditDialog")
        self.setWindowTitle("Edit timeline event")
        self.tab, self.timeline_event = tab, event  # not `self.event`: QObject.event() is a virtual
        self.text = QLineEdit(event.text)
        self.kind = QComboBox()
        for kind in EventKind:
            self.kind.addItem(kind.value, kind.value)
        self.kind.setCurrentIndex(self.kind.findData(event.kind.value))
        self.at = QLineEdit(event.at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.error = FieldError()
        form = QFormLayout(self)
        form.addRow("Text", self.text)
        form.addRow("Kind", self.kind)
        form.addRow("Time (UTC)", self.at)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> bool:
        incident = self.tab.incident
        if incident is None:
            return False
        if not self.text.text().strip():
            self.error.show_error("text: must not be empty")
            return False
        try:
            at = parse_instant(self.at.text())
        except ValueError as error:
            self.error.show_error(f"time: {error}")
            return False
        revision = incident.revision
        result = self.tab.page.apply("Edit event", lambda desk: desk.edit_event(
            incident.id, self.timeline_event.id, text=self.text.text(), kind=self.kind.currentData(), at=at,
            expected_revision=revision))
        if result is None:
            self.error.show_error(self.tab.page.banner.text())
            return False
        self.accept()
        return True
