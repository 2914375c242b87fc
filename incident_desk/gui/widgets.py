"""Small widgets shared by screens: a field with its error shown beside it, a severity badge, tables."""

from __future__ import annotations

from typing import Any

from . import display
from .qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)


class FieldError(QLabel):
    """The message beside a field; empty (and hidden) while the field is fine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setStyleSheet(f"color: {display.OVERDUE_COLOUR};")
        self.setWordWrap(True)
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def with_error(field: QWidget, error: FieldError, suffix: str | None = None) -> QWidget:
    """`field [unit]` with its error message beside it."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(field, 1)
    if suffix is not None:
        unit = QLabel(suffix)
        unit.setFixedWidth(78)
        row.addWidget(unit)
    row.addWidget(error, 1)
    return box


class SeverityBadge(QLabel):
    """The level with its name, on its colour: readable on light and dark palettes, never colour alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("severityBadge")
        self.set_level(None)

    def set_level(self, level: str | None, names: dict[str, str] | None = None, suffix: str = "") -> None:
        self.setText(display.severity_text(level, names) + suffix)
        self.setStyleSheet(display.badge_style(level))


def table(model: Any = None, *, stretch: int | None = None, select_rows: bool = True) -> QTableView:
    view = QTableView()
    if model is not None:
        view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows if select_rows
                              else QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def vbox(*widgets: QWidget, margins: int = 0) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(margins, margins, margins, margins)
    for widget in widgets:
        layout.addWidget(widget)
    return box
