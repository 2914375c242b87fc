"""Remediation (by phase, with status) and the incident's action items (added here, edited in place)."""

from __future__ import annotations

from datetime import date

from ... import Phase, WorkStatus
from ... import Priority
from ..models.action_items import ActionItemModel, BoardRow
from ..qt import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
)
from ..widgets import FieldError, table
from .page_base import IncidentTab
from ..delegates import ActionItemDelegate


class RemediationTab(IncidentTab):
    title = "Remediation"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("remediationTable")
        self.table.setHorizontalHeaderLabels(["Phase", "Action", "Owner", "Status"])
        self.table.horizontalHeader().resizeSection(0, 200)
        self.table.horizontalHeader().resizeSection(1, 420)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.phase = QComboBox()
        for phase in Phase:
            self.phase.addItem(phase.label, phase.value)
        self.text = QLineEdit(placeholderText="What will be done")
        self.text.setObjectName("remediationText")
        self.text.returnPressed.connect(self.add)
        self.owner = QLineEdit(placeholderText="Owner")
        self.status = QComboBox()
        self.status.setObjectName("remediationStatus")
        for status in WorkStatus:
            self.status.addItem(status.label, status.value)
        self.error = FieldError()
        add = QPushButton("Add")
        add.clicked.connect(self.add)
        set_status = QPushButton("Set status of selected")
        set_status.clicked.connect(self.set_status)
        row = QHBoxLayout()
        for widget in (self.phase, self.text, self.owner, self.status, add, set_status):
            row.addWidget(widget, 2 if widget is self.text else 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def refresh(self) -> None:
        assert self.incident is not None
        actions = sorted(self.incident.remediation, key=lambda a: list(Phase).index(a.phase))
        self.table.setRowCount(len(actions))
        for number, action in enumerate(actions):
            for column, value in enumerate((action.phase.label, action.text, action.owner, action.status.label)):
                item = QTableWidgetItem(value)
                item.setData(256, action.id)
                self.table.setItem(number, column, item)

    def add(self) -> None:
        if self.incident is None:
            return
        text = self.text.text().strip()
        if not text:
            self.error.show_error("action: describe what will be done")
            return
        incident_id = self.incident.id
        phase, status, owner = self.phase.currentData(), self.status.currentData(), self.owner.text().strip()
        if self.page.apply("Add remediation", lambda desk: desk.add_remediation(incident_id, text, phase=phase,
                                                                               status=status, owner=owner)):
            self.text.clear()
            self.error.show_error("")
        else:
            self.error.show_error(self.page.banner.text())

    def set_status(self) -> None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        if item is None or self.incident is None:
            self.error.show_error("Select an action first.")
            return
        incident_id, action_id, status = self.incident.id, item.data(256), self.status.currentData()
        self.page.apply("Remediation status", lambda desk: desk.update_remediation(incident_id, action_id,
                                                                                  status=status))


class ActionItemsTab(IncidentTab):
    title = "Actions"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.model = ActionItemModel(self, today=lambda: self.page.session.today(), edit=self._edit)
        self.view = table(self.model, stretch=2)
        self.view.setObjectName("incidentItemsTable")
        self.delegate = ActionItemDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setColumnHidden(0, True)
        for column, width in ((1, 40), (3, 70), (4, 120), (5, 150), (6, 95), (7, 70)):
            self.view.horizontalHeader().resizeSection(column, width)
        self.item_title = QLineEdit(placeholderText="Action item")
        self.item_title.setObjectName("itemTitle")
        self.owner = QLineEdit(placeholderText="Owner (required)")
        self.owner.setObjectName("itemOwner")
        self.priority = QComboBox()
        self.priority.setObjectName("itemPriority")
        for priority in Priority:
            self.priority.addItem(priority.value, priority.value)
        self.priority.setCurrentIndex(self.priority.findData("medium"))
        self.due = QLineEdit(placeholderText="due YYYY-MM-DD")
        self.due.setObjectName("itemDue")
        self.recurrence = QComboBox()
        for value in ("", "weekly", "monthly", "quarterly", "yearly"):
            self.recurrence.addItem(value or "once", value or None)
        self.title_error = FieldError()
        self.title_error.setObjectName("itemTitleError")
        self.owner_error = FieldError()
        self.owner_error.setObjectName("itemOwnerError")
        self.due_error = FieldError()
        self.due_error.setObjectName("itemDueError")
        add = QPushButton("Add action item")
        add.setObjectName("addItem")
        add.clicked.connect(self.add)
        row = QHBoxLayout()
        for widget in (self.item_title, self.owner, self.priority, self.due, self.recurrence, add):
            row.addWidget(widget, 3 if widget is self.item_title else 1)
        errors = QHBoxLayout()
        for error in (self.title_error, self.owner_error, self.due_error):
            errors.addWidget(error)
        self.delegate.refused.connect(self.title_error.show_error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addLayout(errors)

    def _edit(self, incident_id: str, item_id: str, changes: dict):
        item = self.page.session.desk.update_action_item(incident_id, item_id, changes)
        QTimer.singleShot(0, self.page.reload)  # after the editor has closed
        return item

    def refresh(self) -> None:
        incident = self.incident
        assert incident is not None
        self.model.set_rows([BoardRow(incident.id, incident.title, item) for item in incident.action_items])

    def add(self) -> None:
        if self.incident is None:
            return
        title, owner, due_text = self.item_title.text().strip(), self.owner.text().strip(), self.due.text().strip()
        self.title_error.show_error("" if title else "title: what needs doing?")
        self.owner_error.show_error("" if owner else "owner: every action item needs an owner")
        due = None
        if due_text:
            try:
                due = date.fromisoformat(due_text)
                self.due_error.show_error("")
            except ValueError:
                self.due_error.show_error(f"due: '{due_text}' is not a date such as 2026-12-05")
                return
        else:
            self.due_error.show_error("")
        if not title or not owner:
            return
        incident_id = self.incident.id
        fields = {"title": title, "owner": owner, "priority": self.priority.currentData(), "due": due,
                  "recurrence": self.recurrence.currentData()}
        if self.page.apply("Add action item", lambda desk: desk.add_action_item(incident_id, **fields)):
            self.item_title.clear()
            self.due.clear()
