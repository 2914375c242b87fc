"""What every tab of the incident page shares: the incident shown, and one way to ask the desk for a change.

`IncidentPage.apply(what, change)` runs a Desk call; a refusal (illegal move, bad value, stale revision)
is shown on the page and returns None, so the tab keeps what the person typed. A form that is being
edited is "dirty": a reload from another process leaves its text alone, and its save names the
revision it started from, so a conflicting change elsewhere is refused with a message saying what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ... import Incident
from ..qt import QLineEdit, QPlainTextEdit, QWidget

if TYPE_CHECKING:
    from .incident_page import IncidentPage


class IncidentTab(QWidget):
    title = ""

    def __init__(self, page: IncidentPage) -> None:
        super().__init__()
        self.page = page
        self.incident: Incident | None = None

    @property
    def desk(self) -> Any:
        return self.page.session.desk

    def show_incident(self, incident: Incident) -> None:
        self.incident = incident
        self.refresh()

    def refresh(self) -> None:
        """Show `self.incident`."""

    def tick(self) -> None:
        """Called every second while the tab is visible (clocks)."""


class EditForm:
    """Tracks whether the person changed some inputs, and the revision their edit is based on."""

    def __init__(self, tab: IncidentTab, inputs: list[QWidget]) -> None:
        self.tab = tab
        self.dirty = False
        self.base_revision: int | None = None
        self._loading = False
        for widget in inputs:
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self.touch)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.touch)
            elif hasattr(widget, "cellChanged"):
                widget.cellChanged.connect(lambda *_: self.touch())
            elif hasattr(widget, "currentIndexChanged"):
                widget.currentIndexChanged.connect(lambda *_: self.touch())

    def touch(self, *_: object) -> None:
        if self._loading or self.tab.incident is None:
            return
        if not self.dirty:
            self.base_revision = self.tab.incident.revision
        self.dirty = True

    def load(self, fill: Callable[[], None]) -> None:
        """Fill the inputs from the incident, unless the person is editing them."""
        if self.dirty:
            return
        self._loading = True
        try:
            fill()
        finally:
            self._loading = False

    def expected_revision(self) -> int | None:
        if self.tab.incident is None:
            return None
        return self.base_revision if self.dirty and self.base_revision is not None else self.tab.incident.revision

    def saved(self) -> None:
        self.dirty = False
        self.base_revision = None

    def conflict(self) -> None:
        """After a refused stale edit: keep the text; the next save is based on what is on disk now."""
        self.base_revision = self.tab.incident.revision if self.tab.incident is not None else None
