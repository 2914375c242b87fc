"""Live updates: polls the desk's change feed (a cheap version stamp) and tells the window what changed.

Other processes (the command line, `incident-desk watch`, a second window) write to the same workspace;
the store's change log says which incidents changed. Nothing here watches files: it asks the Desk.
"""

from __future__ import annotations

from ..app.desk import Desk
from .qt import QObject, QTimer, Signal


class ChangeFeed(QObject):
    """Polls `desk.data_version()` every `interval_ms`; reads `changes_since` only when the stamp moved.

    sig_changed(changes: list): the StoreChange items (incident_id, revision, action, actor) since last time.
    """

    sig_changed = Signal(list)

    def __init__(self, desk: Desk, interval_ms: int = 250, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.version = desk.data_version()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> list:
        if self.desk.data_version() == self.version:
            return []
        changes, self.version = self.desk.changes_since(self.version)
        if changes:
            self.sig_changed.emit(list(changes))
        return changes
