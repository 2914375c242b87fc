"""The base of every table model: a list of row objects, their display texts computed once per row.

Subclasses say what the columns are (`HEADERS`), how a row is written (`display_row`), sorted
(`sort_key`) and decorated (`decorate`). `ROW_ROLE` gives the row object, `SORT_ROLE` its sort key.
"""

from __future__ import annotations

from typing import Any

from ..qt import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

ROW_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel):
    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._texts: list[tuple[str, ...] | None] = []  # written when a row is first shown

    # ---------------------------------------------------------------- for subclasses

    def display_row(self, row: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def sort_key(self, row: Any, column: int) -> Any:
        return self.display_row(row)[column]

    def texts(self, number: int) -> tuple[str, ...]:
        texts = self._texts[number]
        if texts is None:
            texts = self._texts[number] = self.display_row(self._rows[number])
        return texts

    def decorate(self, row: Any, column: int, role: int) -> Any:
        return None

    def tooltip(self, row: Any, column: int) -> str | None:
        return None

    def key_of(self, row: Any) -> Any:
        return id(row)

    # ---------------------------------------------------------------- data

    @property
    def rows(self) -> list[Any]:
        return self._rows

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [None] * len(self._rows)
        self.endResetModel()

    def find_row(self, key: Any) -> int:
        for number, row in enumerate(self._rows):
            if self.key_of(row) == key:
                return number
        return -1

    def replace_row(self, number: int, row: Any) -> None:
        self._rows[number] = row
        self._texts[number] = None
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.HEADERS) - 1))

    def insert_row(self, number: int, row: Any) -> None:
        self.beginInsertRows(QModelIndex(), number, number)
        self._rows.insert(number, row)
        self._texts.insert(number, None)
        self.endInsertRows()

    def remove_row(self, number: int) -> None:
        self.beginRemoveRows(QModelIndex(), number, number)
        del self._rows[number]
        del self._texts[number]
        self.endRemoveRows()

    # ---------------------------------------------------------------- Qt interface

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if row >= len(self._rows) or column >= len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts(row)[column]
        if role == ROW_ROLE:
            return self._rows[row]
        if role == SORT_ROLE:
            return self.sort_key(self._rows[row], column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(self._rows[row], column)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole):
            return self.decorate(self._rows[row], column, role)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None
