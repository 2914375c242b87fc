"""The timeline of one incident, in time order (backfilled events land where they belong)."""

from __future__ import annotations

import bisect
from typing import Any

from ... import EventKind, TimelineEvent
from .. import display
from ..qt import QBrush, QColor, Qt
from .rows import RowTableModel

# mid tones, readable on light and dark palettes
KIND_COLOURS = {EventKind.ALERT: "#e53935", EventKind.STATUS: "#1e88e5", EventKind.DECISION: "#ab47bc",
                EventKind.COMMUNICATION: "#00acc1", EventKind.ACTION: "#43a047"}


class TimelineModel(RowTableModel):
    HEADERS = ("Time", "Kind", "Text", "Author", "Source")

    def key_of(self, row: TimelineEvent) -> str:
        return row.id

    def set_rows(self, rows: list[TimelineEvent]) -> None:
        super().set_rows(sorted(rows, key=lambda e: e.at))

    def add_event(self, event: TimelineEvent) -> int:
        """Insert one event in time order (the scribe's fast path: no reload); returns its row."""
        if self.find_row(event.id) >= 0:
            return self.find_row(event.id)
        position = bisect.bisect_right([e.at for e in self._rows], event.at)
        self.insert_row(position, event)
        return position

    def display_row(self, e: TimelineEvent) -> tuple[str, ...]:
        return (display.instant(e.at, seconds=True), e.kind.value, e.text, e.author, e.source)

    def sort_key(self, e: TimelineEvent, column: int) -> Any:
        return e.at.timestamp() if column == 0 else self.display_row(e)[column]

    def decorate(self, e: TimelineEvent, column: int, role: int) -> Any:
        if column == 1 and role == Qt.ItemDataRole.ForegroundRole and e.kind in KIND_COLOURS:
            return QBrush(QColor(KIND_COLOURS[e.kind]))
        return None

    def tooltip(self, e: TimelineEvent, column: int) -> str | None:
        return e.text if column == 2 else None
