"""Regulatory filings (deadlines counting down, record a filing) and the audit trail (verify the chain)."""

from __future__ import annotations

from datetime import timedelta

from ...app.face_support import parse_instant
from .. import display
from ..qt import (
    QBrush,
    QColor,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from ..tasks import TaskState
from ..widgets import FieldError
from .page_base import IncidentTab


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    return table


class RegulatoryTab(IncidentTab):
    title = "Regulatory"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.table = _table(["Regime", "Obligation", "Due", "Time left", "State", "Reference"], "regulatoryTable")
        for column, width in ((0, 120), (1, 300), (2, 150), (3, 110), (4, 120)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.empty = QLabel("No regulatory regime applies to this incident under the workspace's rules.")
        self.empty.setWordWrap(True)
        self.reference = QLineEdit(placeholderText="Regulator's case or receipt number (optional)")
        self.reference.setObjectName("filingReference")
        self.filed_at = QLineEdit(placeholderText="filed at: now, or 2026-11-26T09:58Z")
        self.filed_at.setObjectName("filingAt")
        self.error = FieldError()
        self.error.setObjectName("filingError")
        file = QPushButton("Record filing for selected")
        file.setObjectName("recordFiling")
        file.clicked.connect(self.record)
        row = QHBoxLayout()
        row.addWidget(self.reference, 2)
        row.addWidget(self.filed_at, 1)
        row.addWidget(file)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addStretch(0)

    def refresh(self) -> None:
        clocks = self.page.clocks.regulatory if self.page.clocks else []
        self.empty.setVisible(not clocks)
        self.table.setVisible(bool(clocks))
        self.table.setRowCount(len(clocks))
        for number, clock in enumerate(clocks):
            values = [clock.regime_name, clock.obligation_name, display.short_instant(clock.due_at) or "not yet known",
                      "", clock.state, clock.filing_reference]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(256, (clock.regime, clock.obligation))
                item.setToolTip(clock.why)
                self.table.setItem(number, column, item)
        self.tick()

    def tick(self) -> None:
        clocks = self.page.clocks.regulatory if self.page.clocks else []
        now = self.desk.clock()
        for number, clock in enumerate(clocks[: self.table.rowCount()]):
            item = self.table.item(number, 3)
            if item is None:
                continue
            if clock.filed or clock.due_at is None:
                item.setText("—")
                continue
            left = clock.due_at - now
            item.setText(display.clock_text(left))
            item.setForeground(QBrush(QColor(display.OVERDUE_COLOUR if left < timedelta(0) else display.OK_COLOUR)))

    def record(self) -> None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        if item is None or self.incident is None:
            self.error.show_error("Select the obligation that was filed.")
            return
        regime, obligation = item.data(256)
        at = None
        if self.filed_at.text().strip():
            try:
                at = parse_instant(self.filed_at.text())
            except ValueError as error:
                self.error.show_error(f"filed at: {error}")
                return
        incident_id, reference = self.incident.id, self.reference.text().strip()
        if self.page.apply("Record filing", lambda desk: desk.record_regulatory_filing(
                incident_id, regime, obligation, at=at, reference=reference)):
            self.error.show_error("")
            self.reference.clear()
            self.filed_at.clear()
        else:
            self.error.show_error(self.page.banner.text())


class AuditTab(IncidentTab):
    title = "Audit"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.table = _table(["#", "At", "Who", "Action", "Revision", "Changed"], "auditTable")
        for column, width in ((0, 40), (1, 170), (2, 110), (3, 130), (4, 70)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.result = QLabel("The audit trail is hash-chained: Verify checks that no record was changed, removed "
                             "or reordered.")
        self.result.setObjectName("auditResult")
        self.result.setWordWrap(True)
        self.verify_button = QPushButton("Verify chain")
        self.verify_button.setObjectName("verifyAudit")
        self.verify_button.clicked.connect(self.verify)
        row = QHBoxLayout()
        row.addWidget(self.result, 1)
        row.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def refresh(self) -> None:
        assert self.incident is not None
        try:
            records = self.desk.audit_trail(self.incident.id)
        except Exception as error:  # noqa: BLE001 - a damaged file is reported, never hidden
            self.result.setText(str(error))
            return
        self.table.setRowCount(len(records))
        for number, record in enumerate(reversed(records)):
            values = [str(record.seq), display.instant(record.at, seconds=True), record.actor, record.action,
                      str(record.revision), ", ".join(record.changed)]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 5:
                    item.setToolTip("\n".join(record.changed))
                self.table.setItem(number, column, item)

    def verify(self) -> TaskState | None:
        if self.incident is None:
            return None
        incident_id = self.incident.id
        desk = self.desk
        self.verify_button.setEnabled(False)
        self.result.setText("Verifying…")

        def done(outcome) -> None:
            self.verify_button.setEnabled(True)
            reports = [r for r in outcome.result.reports if r.incident_id == incident_id]
            problems = list(outcome.problems) + list(outcome.result.problems) + [
                problem for report in reports for problem in report.problems]
            if outcome.ok and not problems:
                report = reports[0] if reports else None
                detail = f"{report.records} records, head {report.head_hash[:16]}…" if report else "no changes since"
                self.result.setText(f"✔ Chain intact: {detail}")
                self.result.setStyleSheet(f"color: {display.OK_COLOUR}; font-weight: bold;")
            else:
                self.result.setText("✘ Chain broken: " + "; ".join(problems or ["see incident-desk audit verify"]))
                self.result.setStyleSheet(f"color: {display.OVERDUE_COLOUR}; font-weight: bold;")

        def failed(error: BaseException) -> None:
            self.verify_button.setEnabled(True)
            self.result.setText(f"Could not verify: {error}")

        return self.page.session.runner.run(lambda state: desk.verify_audit(incident_id=incident_id, full=True),
                                            on_success=done,
                                            on_failure=failed)
