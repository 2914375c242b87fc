"""The incident list with its filter bar: text as you type, status, severity, type and a start-date range."""

from __future__ import annotations

from ... import IncidentSummary, Status
from ..models.incident_table import IncidentFilterProxy, IncidentTableModel
from ..models.rows import ROW_ROLE
from ..qt import (
    QComboBox,
    QDate,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
    QLabel,
    QLineEdit,
    QModelIndex,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..widgets import table

ANY_DATE = QDate(2000, 1, 1)


class IncidentListView(QWidget):
    """sig_selected(incident_id: str): the person selected an incident (click, keys, next/previous)."""

    sig_selected = Signal(str)

    def __init__(self, level_names: dict[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = IncidentTableModel(self, level_names)
        self.proxy = IncidentFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit(placeholderText="Filter by id, title, service, commander  (Ctrl+F)")
        self.search.setObjectName("incidentSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.set_filters(text=text))
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        self.status.addItem("Active", IncidentFilterProxy.ACTIVE)
        for status in Status:
            self.status.addItem(status.label, status.value)
        self.status.currentIndexChanged.connect(lambda _: self.proxy.set_filters(status=self.status.currentData()))
        self.severity = QComboBox()
        self.severity.addItem("Any severity", None)
        for level, name in (level_names or {}).items():
            self.severity.addItem(f"{level} {name}", level)
        self.severity.currentIndexChanged.connect(
            lambda _: self.proxy.set_filters(severity=self.severity.currentData()))
        self.type = QComboBox()
        self.type.addItem("Any type", None)
        self.type.currentIndexChanged.connect(lambda _: self.proxy.set_filters(type=self.type.currentData()))
        self.start_from = self._date_edit("Started from")
        self.start_to = self._date_edit("Started until")
        self.count = QLabel()
        self.count.setObjectName("incidentCount")

        filters = QHBoxLayout()
        for widget in (self.status, self.severity, self.type):
            filters.addWidget(widget, 1)
        filters.addWidget(QLabel("from"))
        filters.addWidget(self.start_from)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.start_to)

        self.view = table(self.proxy)
        self.view.setObjectName("incidentTable")
        self.view.setSortingEnabled(False)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._sort_by)
        for name, width in (("ID", 100), ("Severity", 108), ("Status", 90), ("Title", 240), ("Services", 120),
                            ("Commander", 120), ("Type", 100), ("Started", 125), ("Duration", 80)):
            header.resizeSection(IncidentTableModel.COLUMN[name], width)
        # the title keeps a readable width in a narrow pane (the rest scrolls); the last column takes what is left
        header.setSectionResizeMode(IncidentTableModel.COLUMN["Title"], QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        self._count_timer = QTimer(self)  # one count per burst of row signals, not one per row range
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self._update_count)
        for signal in (self.proxy.modelReset, self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.layoutChanged):
            signal.connect(self._count_timer.start)

    def _date_edit(self, tip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(ANY_DATE)
        edit.setSpecialValueText("any")
        edit.setDate(ANY_DATE)
        edit.setToolTip(tip + " (clear to 'any' with the minimum date)")
        edit.dateChanged.connect(self._dates_changed)
        return edit

    def _dates_changed(self) -> None:
        def value(edit: QDateEdit):
            return None if edit.date() == ANY_DATE else edit.date().toPython()
        self.proxy.set_filters(start_from=value(self.start_from), start_to=value(self.start_to))

    def _sort_by(self, column: int) -> None:
        order = self.view.horizontalHeader().sortIndicatorOrder()
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.proxy.sort(column, order)

    # ---------------------------------------------------------------- data

    def set_summaries(self, summaries: list[IncidentSummary]) -> None:
        current = self.current_id()
        self.model.set_rows(summaries)
        types = sorted({s.type for s in summaries})
        chosen = self.type.currentData()
        self.type.blockSignals(True)
        self.type.clear()
        self.type.addItem("Any type", None)
        for kind in types:
            self.type.addItem(kind, kind)
        index = self.type.findData(chosen)
        self.type.setCurrentIndex(max(index, 0))
        self.type.blockSignals(False)
        if current:
            self.select(current)
        self._update_count()
        QTimer.singleShot(0, lambda: self.model.haystacks)  # ready for the first keystroke, after the paint

    def set_level_names(self, names: dict[str, str]) -> None:
        chosen = self.severity.currentData()
        self.severity.blockSignals(True)
        self.severity.clear()
        self.severity.addItem("Any severity", None)
        for level, name in names.items():
            self.severity.addItem(f"{level} {name}", level)
        self.severity.setCurrentIndex(max(self.severity.findData(chosen), 0))
        self.severity.blockSignals(False)
        self.model.level_names = names
        self.model.set_rows(list(self.model.rows))

    def upsert(self, summary: IncidentSummary) -> None:
        self.model.upsert(summary)
        self._update_count()

    def _update_count(self, *_: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        active = self.model.active_count()
        self.count.setText(f"Showing {shown:,} of {total:,} incidents · {active} active")

    # ---------------------------------------------------------------- selection

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return index.data(ROW_ROLE).id

    def select(self, incident_id: str) -> bool:
        number = self.model.find_row(incident_id)
        if number < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(number, 0))
        if not index.isValid():
            return False
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        return True

    def step(self, delta: int) -> None:
        """Select the next (+1) or previous (-1) incident in the list as shown."""
        rows = self.proxy.rowCount()
        if not rows:
            return
        current = self.view.currentIndex().row()
        target = 0 if current < 0 else min(max(current + delta, 0), rows - 1)
        index = self.proxy.index(target, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.sig_selected.emit(current.data(ROW_ROLE).id)
