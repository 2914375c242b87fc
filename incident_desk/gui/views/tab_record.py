"""Investigation (causes, 5 whys, root cause), Impact and Post-mortem tabs."""

from __future__ import annotations

from datetime import datetime

from ...app.face_support import figures
from ...app.face_support import parse_instant
from .. import display
from ..qt import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from ..widgets import FieldError
from .page_base import EditForm, IncidentTab


def lines_of(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class InvestigationTab(IncidentTab):
    title = "Investigation"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.primary = QLineEdit()
        self.primary.setObjectName("primaryCause")
        self.root = QLineEdit()
        self.root.setObjectName("rootCause")
        self.factors = QPlainTextEdit()
        self.factors.setObjectName("contributingFactors")
        self.factors.setPlaceholderText("One contributing factor per line")
        self.factors.setMaximumHeight(100)
        self.whys = QTableWidget(0, 2)
        self.whys.setObjectName("whysTable")
        self.whys.setHorizontalHeaderLabels(["Why?", "Because"])
        self.whys.horizontalHeader().setStretchLastSection(True)
        self.whys.horizontalHeader().resizeSection(0, 320)
        add_why = QPushButton("Add why")
        add_why.setObjectName("addWhy")
        add_why.clicked.connect(self.add_why_row)
        remove_why = QPushButton("Remove why")
        remove_why.clicked.connect(self.remove_why_row)
        self.error = FieldError()
        self.error.setObjectName("investigationError")
        self.whys_error = FieldError()
        self.whys_error.setObjectName("whysError")
        save = QPushButton("Save investigation")
        save.setObjectName("saveInvestigation")
        save.clicked.connect(self.save)
        form = QFormLayout()
        form.addRow("Primary cause", self.primary)
        form.addRow("Contributing factors", self.factors)
        why_buttons = QHBoxLayout()
        why_buttons.addWidget(add_why)
        why_buttons.addWidget(remove_why)
        why_buttons.addWidget(self.whys_error, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("5 whys (up to 10)"))
        layout.addWidget(self.whys, 1)
        layout.addLayout(why_buttons)
        root = QFormLayout()
        root.addRow("Root cause", self.root)
        layout.addLayout(root)
        layout.addWidget(self.error)
        layout.addWidget(save)
        self.form = EditForm(self, [self.primary, self.root, self.factors, self.whys])

    def refresh(self) -> None:
        assert self.incident is not None
        inv = self.incident.investigation

        def fill() -> None:
            self.primary.setText(inv.primary_cause)
            self.root.setText(inv.root_cause)
            self.factors.setPlainText("\n".join(inv.contributing_factors))
            self.whys.setRowCount(0)
            for why in inv.whys:
                self._append(why.question, why.answer)

        self.form.load(fill)

    def _append(self, question: str = "", answer: str = "") -> None:
        row = self.whys.rowCount()
        self.whys.insertRow(row)
        self.whys.setItem(row, 0, QTableWidgetItem(question))
        self.whys.setItem(row, 1, QTableWidgetItem(answer))

    def add_why_row(self) -> None:
        self.form.touch()
        self._append("Why?" if self.whys.rowCount() == 0 else "Why did that happen?")
        self.whys.setCurrentCell(self.whys.rowCount() - 1, 1)

    def remove_why_row(self) -> None:
        if self.whys.currentRow() >= 0:
            self.form.touch()
            self.whys.removeRow(self.whys.currentRow())

    def pairs(self) -> list[tuple[str, str]] | None:
        pairs = []
        for row in range(self.whys.rowCount()):
            cells = [self.whys.item(row, column) for column in (0, 1)]
            question, answer = ((cell.text() if cell is not None else "").strip() for cell in cells)
            if not question and not answer:
                continue
            if not question or not answer:
                self.whys_error.show_error(f"why {row + 1}: needs both a question and an answer")
                return None
            pairs.append((question, answer))
        if len(pairs) > 10:
            self.whys_error.show_error("an investigation keeps at most 10 whys")
            return None
        self.whys_error.show_error("")
        return pairs

    def save(self) -> None:
        if self.incident is None:
            return
        pairs = self.pairs()
        if pairs is None:
            return
        incident_id, revision = self.incident.id, self.form.expected_revision()
        primary, root, factors = self.primary.text().strip(), self.root.text().strip(), lines_of(self.factors)
        result = self.page.apply("Save investigation", lambda desk: desk.set_investigation(
            incident_id, primary_cause=primary, root_cause=root, add_factors=factors, replace_factors=True,
            add_whys=pairs, replace_whys=True, expected_revision=revision), form=self.form)
        self.error.show_error("" if result is not None else self.page.banner.text())


class ImpactTab(IncidentTab):
    title = "Impact"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.figures = QLabel()
        self.figures.setObjectName("impactFigures")
        self.figures.setWordWrap(True)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("impactSummary")
        self.summary.setMaximumHeight(80)
        self.customer = QPlainTextEdit()
        self.business = QPlainTextEdit()
        self.technical = QPlainTextEdit()
        for edit in (self.customer, self.business, self.technical):
            edit.setPlaceholderText("One line per point")
        self.error = FieldError()
        save = QPushButton("Save impact")
        save.setObjectName("saveImpact")
        save.clicked.connect(self.save)
        form = QFormLayout()
        form.addRow("Summary", self.summary)
        form.addRow("Customer impact", self.customer)
        form.addRow("Business impact", self.business)
        form.addRow("Technical impact", self.technical)
        layout = QVBoxLayout(self)
        layout.addWidget(self.figures)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(save)
        self.form = EditForm(self, [self.summary, self.customer, self.business, self.technical])

    def refresh(self) -> None:
        incident = self.incident
        assert incident is not None
        impact = incident.impact
        facts = incident.facts
        loss = figures.revenue_loss(incident)
        lasted = figures.duration(incident, self.desk.clock())
        parts = [f"Duration: {display.duration(lasted)}" if lasted is not None else "Duration: unknown"]
        if facts.customer_impact_pct is not None:
            parts.append(f"Customers affected: {facts.customer_impact_pct:g}%")
        if facts.customers_affected is not None:
            parts.append(f"{facts.customers_affected:,} customers")
        if loss is not None:
            parts.append(f"Estimated revenue loss: {loss:,.0f}")
        if impact.windows:
            parts.append("Windows: " + "; ".join(f"{w.kind.value.replace('_', ' ')} {display.short_instant(w.start)}"
                                                f" – {display.short_instant(w.end)}" for w in impact.windows))
        self.figures.setText("  ·  ".join(parts))

        def fill() -> None:
            self.summary.setPlainText(impact.summary)
            self.customer.setPlainText("\n".join(impact.customer_notes))
            self.business.setPlainText("\n".join(impact.business_notes))
            self.technical.setPlainText("\n".join(impact.technical_notes))

        self.form.load(fill)

    def save(self) -> None:
        if self.incident is None:
            return
        incident_id, revision = self.incident.id, self.form.expected_revision()
        impact = self.incident.impact
        new = {name: [line for line in lines_of(edit) if line not in getattr(impact, name)]
               for name, edit in (("customer_notes", self.customer), ("business_notes", self.business),
                                  ("technical_notes", self.technical))}
        summary = self.summary.toPlainText().strip()
        result = self.page.apply("Save impact", lambda desk: desk.set_impact(
            incident_id, summary=summary, expected_revision=revision, **new), form=self.form)
        self.error.show_error("" if result is not None else self.page.banner.text())


POSTMORTEM_SECTIONS = (("went_well", "What went well"), ("could_improve", "What could be improved"),
                       ("lessons", "Lessons learned"), ("process_improvements", "Process improvements"),
                       ("recommendations", "Recommendations"))


def _when(text: str, what: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise ValueError(f"{what}: {error}") from None


class PostMortemTab(IncidentTab):
    title = "Post-mortem"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.due = QLabel()
        self.due.setObjectName("postmortemDue")
        self.sections: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        for name, label in POSTMORTEM_SECTIONS:
            edit = QPlainTextEdit()
            edit.setObjectName(f"pm_{name}")
            edit.setPlaceholderText("One point per line (blameless: describe systems and decisions, not people)")
            edit.setMaximumHeight(70)
            self.sections[name] = edit
            form.addRow(label, edit)
        self.scheduled = QLineEdit(placeholderText="2026-11-28T10:00Z")
        self.scheduled.setObjectName("pmScheduled")
        self.held = QLineEdit(placeholderText="when it was held")
        self.held.setObjectName("pmHeld")
        self.facilitator = QLineEdit()
        self.facilitator.setObjectName("pmFacilitator")
        form.addRow("Scheduled", self.scheduled)
        form.addRow("Held", self.held)
        form.addRow("Facilitator", self.facilitator)
        self.error = FieldError()
        self.error.setObjectName("postmortemError")
        save = QPushButton("Save post-mortem")
        save.setObjectName("savePostmortem")
        save.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.due)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(save)
        layout.addStretch(1)
        self.form = EditForm(self, [*self.sections.values(), self.scheduled, self.held, self.facilitator])

    def refresh(self) -> None:
        incident = self.incident
        assert incident is not None
        pm = incident.postmortem
        due = figures.postmortem_due(incident)
        self.due.setText(f"Due by {display.instant(due)} (48 hours after resolution)" if due else
                         "Due within 48 hours of resolution.")

        def fill() -> None:
            for name, edit in self.sections.items():
                edit.setPlainText("\n".join(getattr(pm, name)))
            self.scheduled.setText(pm.scheduled_at.strftime("%Y-%m-%dT%H:%MZ") if pm.scheduled_at else "")
            self.held.setText(pm.held_at.strftime("%Y-%m-%dT%H:%MZ") if pm.held_at else "")
            self.facilitator.setText(pm.facilitator)

        self.form.load(fill)

    def save(self) -> None:
        if self.incident is None:
            return
        try:
            scheduled = _when(self.scheduled.text(), "scheduled")
            held = _when(self.held.text(), "held")
        except ValueError as error:
            self.error.show_error(str(error))
            return
        pm = self.incident.postmortem
        new = {name: [line for line in lines_of(edit) if line not in getattr(pm, name)]
               for name, edit in self.sections.items()}
        incident_id, revision = self.incident.id, self.form.expected_revision()
        facilitator = self.facilitator.text().strip()
        result = self.page.apply("Save post-mortem", lambda desk: desk.set_postmortem(
            incident_id, scheduled_at=scheduled, held_at=held, facilitator=facilitator,
            expected_revision=revision, **new), form=self.form)
        self.error.show_error("" if result is not None else self.page.banner.text())
