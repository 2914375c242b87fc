"""Editors for in-place edits of action items: a status picker, a date field, a text field."""

from __future__ import annotations

from typing import Any

from .. import WorkStatus
from .qt import QComboBox, QLineEdit, QModelIndex, QPersistentModelIndex, QtWidgets, Qt, Signal

Index = QModelIndex | QPersistentModelIndex


class ActionItemDelegate(QtWidgets.QStyledItemDelegate):
    """refused(message: str): an edit the desk refused (shown beside the table by its owner)."""

    refused = Signal(str)
    STATUS_COLUMN = 6
    DUE_COLUMN = 5

    def createEditor(self, parent: Any, option: Any, index: Index) -> Any:  # noqa: N802
        if index.column() == self.STATUS_COLUMN:
            combo = QComboBox(parent)
            for status in WorkStatus:
                combo.addItem(status.label, status.value)
            return combo
        editor = QLineEdit(parent)
        if index.column() == self.DUE_COLUMN:
            editor.setPlaceholderText("YYYY-MM-DD, empty for none")
        return editor

    def setEditorData(self, editor: Any, index: Index) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        else:
            editor.setText(value or "")

    def setModelData(self, editor: Any, model: Any, index: Index) -> None:  # noqa: N802
        value = editor.currentData() if isinstance(editor, QComboBox) else editor.text()
        source = model
        source_index = index
        while hasattr(source, "mapToSource"):
            source_index = source.mapToSource(source_index)
            source = source.sourceModel()
        if not source.setData(source_index, value, Qt.ItemDataRole.EditRole) and source.last_error:
            self.refused.emit(source.last_error)
