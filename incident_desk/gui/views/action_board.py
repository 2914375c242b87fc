"""The action-item board across every incident: overdue first, filters, owner/due/status edited in place."""

from __future__ import annotations

from ... import ActionItem, DomainError, WorkStatus
from ... import Priority
from ...app.face_support import StoreError
from ..delegates import ActionItemDelegate
from ..models.action_items import ActionItemFilterProxy, ActionItemModel, BoardRow
from ..qt import QComboBox, QHBoxLayout, QLabel, QLineEdit, QTimer, QVBoxLayout, QWidget, Signal
from ..session import Session
from ..widgets import FieldError, table


class ActionBoard(QWidget):
    """sig_open_incident(incident_id: str): the person double-clicked an item's incident column.
    sig_notice(text: str): for the status bar (e.g. the next occurrence of a recurring item)."""

    sig_open_incident = Signal(str)
    sig_notice = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = ActionItemModel(self, today=session.today, edit=self._edit)
        self.proxy = ActionItemFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = table(self.proxy, stretch=2)
        self.view.setObjectName("boardTable")
        self.delegate = ActionItemDelegate(self.view)
        self.delegate.refused.connect(self.error_refused)
        self.view.setItemDelegate(self.delegate)
        for column, width in ((0, 110), (1, 45), (3, 75), (4, 170), (5, 185), (6, 100), (7, 75)):
            self.view.horizontalHeader().resizeSection(column, width)
        self.view.doubleClicked.connect(self._double_clicked)
        self.owner = QLineEdit(placeholderText="Filter by owner")
        self.owner.setObjectName("boardOwner")
        self.owner.textChanged.connect(lambda text: self._filter(owner=text.strip()))
        self.priority = QComboBox()
        self.priority.setObjectName("boardPriority")
        self.priority.addItem("Any priority", None)
        for priority in Priority:
            self.priority.addItem(priority.value, priority.value)
        self.priority.currentIndexChanged.connect(lambda _: self._filter(priority=self.priority.currentData()))
        self.status = QComboBox()
        self.status.setObjectName("boardStatus")
        self.status.addItem("Open", "open")
        self.status.addItem("Overdue", "overdue")
        self.status.addItem("Any status", None)
        for status in WorkStatus:
            self.status.addItem(status.label, status.value)
        self.status.currentIndexChanged.connect(lambda _: self._filter(status=self.status.currentData()))
        self.summary = QLabel()
        self.summary.setObjectName("boardSummary")
        self.error = FieldError()
        self.error.setObjectName("boardError")
        filters = QHBoxLayout()
        filters.addWidget(self.owner, 2)
        filters.addWidget(self.priority, 1)
        filters.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        heading = QLabel("Action items across every incident — overdue first. Double-click owner, due or status "
                         "to edit; double-click the incident to open it.")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)

    def error_refused(self, message: str) -> None:
        self.error.show_error(message)

    def _filter(self, **changes: object) -> None:
        self.proxy.set_filters(**changes)
        self._update_summary()

    def load(self) -> None:
        rows = [BoardRow(s.id, s.title, item) for s, item in self.session.desk.action_items()]
        self.model.set_rows(rows)
        self._update_summary()

    def _update_summary(self) -> None:
        today = self.session.today()
        overdue = sum(1 for r in self.model.rows if r.item.is_overdue(today))
        open_items = sum(1 for r in self.model.rows if r.item.status.is_open)
        self.summary.setText(f"Showing {self.proxy.rowCount():,} of {self.model.rowCount():,} items · "
                             f"{open_items} open · {overdue} overdue")

    def _edit(self, incident_id: str, item_id: str, changes: dict) -> ActionItem:
        try:
            item = self.session.desk.update_action_item(incident_id, item_id, changes)
        except StoreError as error:
            raise DomainError(str(error)) from None
        self.error.show_error("")
        if item.recurrence and not item.status.is_open:
            incident = self.session.desk.get(incident_id)
            follow = [a for a in incident.action_items if a.title == item.title and a.status.is_open
                      and a.recurrence == item.recurrence]
            if follow:
                nxt = follow[-1]
                self.sig_notice.emit(f"{item.id} done; next occurrence {nxt.id} is due {nxt.due}")
                self.error.setStyleSheet("")
            QTimer.singleShot(0, self.load)
        return item

    def _double_clicked(self, index) -> None:
        if index.column() in ActionItemModel.EDITABLE:
            return
        row: BoardRow = self.proxy.mapToSource(index).data(256)
        if row is not None:
            self.sig_open_incident.emit(row.incident_id)
