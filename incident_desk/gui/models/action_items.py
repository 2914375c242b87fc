"""Action items across every incident (the board) or of one incident, overdue first; edited in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ... import ActionItem, WorkStatus
from ... import Priority
from ...app.face_support import PRIORITY_RANK
from .. import display
from ..qt import QBrush, QColor, QFont, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, refresh_filter
from .rows import SORT_ROLE, RowTableModel


@dataclass(frozen=True)
class BoardRow:
    incident_id: str
    incident_title: str
    item: ActionItem


#: edit(incident_id, item_id, changes) -> the updated item; raises DomainError with a message when refused
EditItem = Callable[[str, str, dict[str, Any]], ActionItem]


class ActionItemModel(RowTableModel):
    HEADERS = ("Incident", "Item", "Title", "Priority", "Owner", "Due", "Status", "Recurs")
    EDITABLE = {4: "owner", 5: "due", 6: "status"}

    def __init__(self, parent: Any = None, *, today: Callable[[], date] = date.today,
                 edit: EditItem | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.edit = edit
        self.last_error = ""
        self._bold = QFont()
        self._bold.setBold(True)

    def key_of(self, row: BoardRow) -> tuple[str, str]:
        return (row.incident_id, row.item.id)

    def order(self, row: BoardRow) -> tuple:
        item = row.item
        overdue = item.is_overdue(self.today())
        return (0 if overdue else 1 if item.status.is_open else 2, item.due or date.max,
                PRIORITY_RANK[item.priority], row.incident_id, item.id)

    def set_rows(self, rows: list[BoardRow]) -> None:
        super().set_rows(sorted(rows, key=self.order))

    def refresh_dates(self) -> None:
        """Re-sort when the day changes (an item becomes overdue at midnight, not when it is edited)."""
        self.set_rows(self._rows)

    def display_row(self, r: BoardRow) -> tuple[str, ...]:
        item = r.item
        due = display.day(item.due)
        if item.is_overdue(self.today()):
            due += f" ({(self.today() - item.due).days}d late)"
        return (r.incident_id, item.id, item.title, item.priority.value, item.owner, due, item.status.label,
                item.recurrence or "")

    def sort_key(self, r: BoardRow, column: int) -> Any:
        if column == 3:
            return PRIORITY_RANK[r.item.priority]
        if column == 5:
            return (r.item.due or date.max).toordinal()
        return self.display_row(r)[column]

    def decorate(self, r: BoardRow, column: int, role: int) -> Any:
        overdue = r.item.is_overdue(self.today())
        if overdue and role == Qt.ItemDataRole.ForegroundRole and column in (5, 2):
            return QBrush(QColor(display.OVERDUE_COLOUR))
        if overdue and role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and not r.item.status.is_open:
            return QBrush(QColor("#808080"))
        return None

    def tooltip(self, r: BoardRow, column: int) -> str | None:
        if column == 2:
            return f"{r.incident_id}: {r.incident_title}"
        if column in self.EDITABLE:
            return "Double-click to edit"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() in self.EDITABLE and self.edit is not None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and index.column() in self.EDITABLE:
            item = self._rows[index.row()].item
            return {4: item.owner, 5: display.day(item.due), 6: item.status.value}[index.column()]
        return super().data(index, role)

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() not in self.EDITABLE \
                or self.edit is None:
            return False
        row = self._rows[index.row()]
        name = self.EDITABLE[index.column()]
        text = str(value).strip()
        if name == "due":
            try:
                new_value: Any = date.fromisoformat(text) if text else None
            except ValueError:
                self.last_error = f"due: '{text}' is not a date such as 2026-12-05"
                return False
        else:
            new_value = text
        from ... import DomainError

        try:
            updated = self.edit(row.incident_id, row.item.id, {name: new_value})
        except DomainError as error:
            self.last_error = str(error)
            return False
        self.last_error = ""
        number = self.find_row((row.incident_id, row.item.id))
        if number >= 0:
            self.replace_row(number, BoardRow(row.incident_id, row.incident_title, updated))
        return True


STATUS_CHOICES = [s.value for s in WorkStatus]
PRIORITY_CHOICES = [p.value for p in Priority]


class ActionItemFilterProxy(QSortFilterProxyModel):
    """Owner (text), priority and status (`open`, `overdue`, a WorkStatus value, or None for all)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.owner = ""
        self.priority: str | None = None
        self.status: str | None = "open"

    def set_filters(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        refresh_filter(self)

    def filterAcceptsRow(self, source_row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, ActionItemModel)
        row: BoardRow = model.row_at(source_row)
        item = row.item
        if self.owner and self.owner.casefold() not in item.owner.casefold():
            return False
        if self.priority and item.priority.value != self.priority:
            return False
        if self.status == "open":
            return item.status.is_open
        if self.status == "overdue":
            return item.is_overdue(model.today())
        if self.status:
            return item.status.value == self.status
        return True
