"""Messages to the person at the window, never blocking: boxes are opened with `open()`, not `exec()`.

Tests (and the status bar) listen to `sig_shown(title, text)`; nothing in a tested path waits on a modal loop.
"""

from __future__ import annotations

from .qt import QMessageBox, QObject, QWidget, Signal


class Messages(QObject):
    """Shows errors and notices in a window-modal box that does not block the event loop.

    sig_shown(title: str, text: str): emitted for every message shown.
    """

    sig_shown = Signal(str, str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.last: tuple[str, str] | None = None
        self.boxes: list[QMessageBox] = []

    def error(self, title: str, text: str, detail: str = "") -> QMessageBox:
        return self._show(QMessageBox.Icon.Warning, title, text, detail)

    def info(self, title: str, text: str) -> QMessageBox:
        return self._show(QMessageBox.Icon.Information, title, text)

    def _show(self, icon: QMessageBox.Icon, title: str, text: str, detail: str = "") -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._parent)
        if detail:
            box.setInformativeText(detail)
        box.setObjectName("message")
        box.finished.connect(lambda _=0, b=box: self._forget(b))
        self.boxes.append(box)
        box.open()
        self.last = (title, text)
        self.sig_shown.emit(title, text)
        return box

    def _forget(self, box: QMessageBox) -> None:
        if box in self.boxes:
            self.boxes.remove(box)
        box.deleteLater()
