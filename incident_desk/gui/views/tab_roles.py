"""Roles tab: who holds each role now, assign or hand over, stand someone down, and the full history."""

from __future__ import annotations

from ...app.face_support import role_label
from .. import display
from ..qt import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from ..widgets import FieldError
from .page_base import IncidentTab


class RolesTab(IncidentTab):
    title = "Roles"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.current = QLabel()
        self.current.setObjectName("currentRoles")
        self.current.setWordWrap(True)
        self.history = QTableWidget(0, 5)
        self.history.setObjectName("rolesTable")
        self.history.setHorizontalHeaderLabels(["Role", "Person", "From", "Until", "Note"])
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setWordWrap(False)
        for column, width in ((0, 160), (1, 140), (2, 150), (3, 150)):
            self.history.horizontalHeader().resizeSection(column, width)
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.role = QComboBox()
        self.role.setObjectName("roleChoice")
        self._roles_loaded = False
        self.person = QLineEdit(placeholderText="Person")
        self.person.setObjectName("rolePerson")
        self.person.returnPressed.connect(self.assign)
        self.note = QLineEdit(placeholderText="Note (optional, e.g. shift change)")
        self.additional = QCheckBox("Additional (keep the current holder)")
        self.error = FieldError()
        self.error.setObjectName("roleError")
        assign = QPushButton("Assign / hand over")
        assign.setObjectName("assignRole")
        assign.clicked.connect(self.assign)
        relieve = QPushButton("Stand down selected")
        relieve.clicked.connect(self.relieve_selected)
        form = QHBoxLayout()
        form.addWidget(self.role)
        form.addWidget(self.person, 1)
        form.addWidget(self.note, 1)
        form.addWidget(self.additional)
        form.addWidget(assign)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.history, 1)
        layout.addWidget(relieve)

    def refresh(self) -> None:
        incident = self.incident
        assert incident is not None
        definitions = self.desk.roles()  # the seed's five plus the workspace's roles.yaml
        if not self._roles_loaded:
            for definition in definitions:
                self.role.addItem(definition.name, definition.id)
            self._roles_loaded = True
        lines = []
        known = [d.id for d in definitions]
        for role_id in known + sorted({str(a.role) for a in incident.roles} - set(known)):
            holders = incident.current_holders(role_id)
            name = next((d.name for d in definitions if d.id == role_id), role_label(role_id))
            lines.append(f"<b>{name}:</b> {', '.join(h.person for h in holders) or '<i>nobody</i>'}")
        self.current.setText("<br>".join(lines))
        self.history.setRowCount(len(incident.roles))
        for number, a in enumerate(sorted(incident.roles, key=lambda a: a.assigned_at)):
            values = [role_label(str(a.role)), a.person, display.instant(a.assigned_at),
                      display.instant(a.relieved_at) if a.relieved_at else "now", a.note]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(256, (str(a.role), a.person, a.relieved_at is None))
                self.history.setItem(number, column, item)

    def assign(self) -> None:
        if self.incident is None:
            return
        person = self.person.text().strip()
        if not person:
            self.error.show_error("person: who takes the role?")
            return
        self.error.show_error("")
        incident_id, role = self.incident.id, self.role.currentData()
        note, additional = self.note.text().strip(), self.additional.isChecked()
        if self.page.apply("Assign role", lambda desk: desk.assign_role(incident_id, role, person, note=note,
                                                                         additional=additional)):
            self.person.clear()
            self.note.clear()
        else:
            self.error.show_error(self.page.banner.text())

    def relieve_selected(self) -> None:
        item = self.history.item(self.history.currentRow(), 0) if self.history.currentRow() >= 0 else None
        if item is None or self.incident is None:
            self.error.show_error("Select a current holder in the table first.")
            return
        role, person, current = item.data(256)
        if not current:
            self.error.show_error(f"{person} already stood down from that role.")
            return
        incident_id = self.incident.id
        self.page.apply("Stand down", lambda desk: desk.relieve_role(incident_id, role, person))
