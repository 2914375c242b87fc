"""The outbox: every outgoing message with its delivery state (pending, sent, failed), newest first."""

from __future__ import annotations

from typing import Any

from .. import display
from ..qt import QBrush, QColor, Qt
from .rows import RowTableModel

STATE_COLOURS = {"sent": display.OK_COLOUR, "failed": display.OVERDUE_COLOUR, "pending": "#ef6c00",
                 "sending": "#ef6c00"}


class OutboxModel(RowTableModel):
    HEADERS = ("Id", "Incident", "Notifier", "State", "Attempts", "Subject", "Created", "Last error")

    def key_of(self, row: Any) -> str:
        return row.id

    def set_rows(self, rows: list[Any]) -> None:
        super().set_rows(sorted(rows, key=lambda m: m.created_at, reverse=True))

    def display_row(self, m: Any) -> tuple[str, ...]:
        return (m.id, m.incident_id, m.notifier, m.state, str(m.attempts), m.message.subject,
                display.short_instant(m.created_at), m.last_error)

    def decorate(self, m: Any, column: int, role: int) -> Any:
        if column == 3 and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(STATE_COLOURS.get(m.state, "#808080")))
        return None

    def tooltip(self, m: Any, column: int) -> str | None:
        if column == 7 and m.last_error:
            return m.last_error
        if column == 5:
            return m.message.text
        return None
