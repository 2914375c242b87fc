"""The incident list: one row per incident summary, active incidents first, and its filter proxy."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ... import IncidentSummary, Status
from ...app.face_support import level_rank
from .. import display
from ..qt import QBrush, QColor, QFont, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, refresh_filter
from .rows import SORT_ROLE, RowTableModel

_FAR_PAST = datetime(1970, 1, 1).astimezone()


def list_order(summary: IncidentSummary) -> tuple:
    """Active incidents first (most severe, then newest), then the rest, newest first."""
    started = summary.clock.started_at or summary.clock.declared_at or _FAR_PAST
    return (0 if summary.status.is_active else 1,
            level_rank(summary.severity) if summary.status.is_active else 0,
            -started.timestamp())


class IncidentTableModel(RowTableModel):
    HEADERS = ("ID", "Severity", "Status", "Title", "Services", "Commander", "Type", "Started", "Duration")
    COLUMN = {name: number for number, name in enumerate(HEADERS)}

    def __init__(self, parent: Any = None, level_names: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.level_names = level_names
        self._haystacks: list[str] | None = []
        self._index: dict[str, int] = {}
        self.generation = 0
        self._active: tuple[int, int] | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes: dict[tuple[str, int], QBrush] = {}

    def key_of(self, row: IncidentSummary) -> str:
        return row.id

    def set_rows(self, rows: list[IncidentSummary]) -> None:
        self.generation += 1
        ordered = sorted(rows, key=list_order)
        self._haystacks = None  # built on first use: the list shows before anything is typed
        super().set_rows(ordered)

    def upsert(self, summary: IncidentSummary) -> None:
        """Replace the row of `summary.id` in place, or insert a new one where the list order puts it."""
        self.generation += 1
        haystacks = self.haystacks
        number = self.find_row(summary.id)
        if number >= 0:
            haystacks[number] = self._haystack(summary)
            self.replace_row(number, summary)
            return
        key = list_order(summary)
        position = next((n for n, row in enumerate(self._rows) if list_order(row) > key), len(self._rows))
        haystacks.insert(position, self._haystack(summary))
        self.insert_row(position, summary)
        self._index = {}

    def find_row(self, key: str) -> int:
        if len(self._index) != len(self._rows) or (self._rows and self._index.get(self._rows[0].id) != 0):
            self._index = {row.id: number for number, row in enumerate(self._rows)}
        number = self._index.get(key, -1)
        if number >= 0 and self._rows[number].id != key:  # rows moved since the index was built
            self._index = {row.id: n for n, row in enumerate(self._rows)}
            number = self._index.get(key, -1)
        return number

    def active_count(self) -> int:
        if self._active is None or self._active[0] != self.generation:
            self._active = (self.generation, sum(1 for s in self._rows if s.status.is_active))
        return self._active[1]

    @property
    def haystacks(self) -> list[str]:
        """The lower-case text the filter matches, per row (id, title, services, systems, commander)."""
        if self._haystacks is None:
            self._haystacks = [self._haystack(r) for r in self._rows]
        return self._haystacks

    @staticmethod
    def _haystack(s: IncidentSummary) -> str:
        return " ".join([s.id, s.title, " ".join(s.services), " ".join(s.affected_systems), s.commander]).casefold()

    def display_row(self, s: IncidentSummary) -> tuple[str, ...]:
        clock = s.clock
        started = clock.started_at or clock.declared_at
        end = clock.resolved_at
        lasted = (end - started) if (started and end) else None
        return (s.id, display.severity_text(s.severity, self.level_names), s.status.label, s.title,
                ", ".join(s.services), s.commander, s.type, display.short_instant(started),
                display.duration(lasted) if lasted is not None else ("ongoing" if s.status.is_active else ""))

    def sort_key(self, s: IncidentSummary, column: int) -> Any:
        name = self.HEADERS[column]
        if name == "Severity":
            return level_rank(s.severity)
        if name == "Status":
            return list(Status).index(s.status)
        if name == "Started":
            started = s.clock.started_at or s.clock.declared_at
            return started.timestamp() if started else 0.0
        if name == "Duration":
            if s.clock.resolved_at and s.clock.started_at:
                return (s.clock.resolved_at - s.clock.started_at).total_seconds()
            return float("inf") if s.status.is_active else -1.0
        return self.display_row(s)[column].casefold()

    def decorate(self, s: IncidentSummary, column: int, role: int) -> Any:
        if column == 1 and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            background, text = display.severity_colours(s.severity)
            colour = background if role == Qt.ItemDataRole.BackgroundRole else text
            brush = self._brushes.get((colour, role))
            if brush is None:
                brush = self._brushes[(colour, role)] = QBrush(QColor(colour))
            return brush
        if role == Qt.ItemDataRole.FontRole and s.status.is_active and column in (0, 3):
            return self._bold
        return None

    def tooltip(self, s: IncidentSummary, column: int) -> str | None:
        if column == 1 and s.overridden:
            return f"Overridden by hand (the rules computed {s.severity_computed or 'no level'})"
        if column == 3:
            return s.title
        return None


class IncidentFilterProxy(QSortFilterProxyModel):
    """Filter as you type over id, title, services and commander, plus status, severity, type and dates.

    The text filter is matched once per keystroke over the model's precomputed lower-case texts; the
    answer per row is kept in a list that `filterAcceptsRow` only reads.
    """

    ACTIVE = "active"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.text = ""
        self.status: str | None = None  # a Status value, ACTIVE, or None for every status
        self.severity: str | None = None
        self.type: str | None = None
        self.start_from: date | None = None
        self.start_to: date | None = None
        self._accepted: list[bool] = []
        self._last: tuple | None = None  # (text, other filters, model generation) of the last answer

    def set_filters(self, **changes: Any) -> None:
        for name, value in changes.items():
            if not hasattr(self, name) or name.startswith("_"):
                raise AttributeError(f"no filter {name}")
            setattr(self, name, value)
        self.refilter()

    def refilter(self) -> None:
        self._compute()
        refresh_filter(self)  # measured faster than invalidate() (a full layout change) at 10,000 rows

    def _compute(self) -> None:
        model = self.sourceModel()
        if not isinstance(model, IncidentTableModel):
            self._accepted = []
            return
        words = self.text.casefold().split()
        if not words and not any(v is not None for v in (self.status, self.severity, self.type, self.start_from,
                                                          self.start_to)):
            self._accepted = [True] * model.rowCount()
            self._last = None
            return
        haystacks = model.haystacks
        others = (self.status, self.severity, self.type, self.start_from, self.start_to)
        previous = self._last
        if words and previous is not None and previous[1] == others and len(self._accepted) == len(haystacks) \
                and self.text.casefold().startswith(previous[0]) and previous[2] == model.generation:
            # typing forward narrows the match: only rows that matched before need a look
            candidates = [n for n, ok in enumerate(self._accepted) if ok]
            accepted = [False] * len(haystacks)
            for n in candidates:
                haystack = haystacks[n]
                if all(w in haystack for w in words):
                    accepted[n] = True
            self._accepted = accepted
            self._last = (self.text.casefold(), others, model.generation)
            return
        if not words:
            accepted = [True] * len(haystacks)
        elif len(words) == 1:
            word = words[0]
            accepted = [word in haystack for haystack in haystacks]
        else:
            accepted = [all(w in haystack for w in words) for haystack in haystacks]
        if any(value is not None for value in others):
            status, severity, kind = self.status, self.severity, self.type
            low = datetime.combine(self.start_from, datetime.min.time()).astimezone() if self.start_from else None
            high = (datetime.combine(self.start_to, datetime.min.time()).astimezone() + timedelta(days=1)
                    if self.start_to else None)
            for n, row in enumerate(model.rows):
                if not accepted[n]:
                    continue
                ok = True
                if status:
                    ok = row.status.is_active if status == self.ACTIVE else row.status.value == status
                if ok and severity:
                    ok = row.severity == severity
                if ok and kind:
                    ok = row.type == kind
                if ok and (low or high):
                    started = row.clock.started_at or row.clock.declared_at
                    ok = started is not None and (low is None or started >= low) and (high is None or started < high)
                accepted[n] = ok
        self._accepted = accepted
        self._last = (self.text.casefold(), others, model.generation)

    def setSourceModel(self, model: Any) -> None:  # noqa: N802 - Qt's name
        # connected before the proxy's own handlers, so the answers are fresh when it asks
        model.modelReset.connect(self._compute)
        model.rowsInserted.connect(lambda *_: self._compute())
        model.rowsRemoved.connect(lambda *_: self._compute())
        model.dataChanged.connect(lambda *_: self._compute())
        super().setSourceModel(model)
        self._compute()

    def filterAcceptsRow(self, source_row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        accepted = self._accepted
        if source_row >= len(accepted):
            self._compute()
            accepted = self._accepted
        return accepted[source_row] if source_row < len(accepted) else True
