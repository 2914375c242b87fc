"""Overview tab: title, summary, type and services; the facts the rules read; the clock; severity override."""

from __future__ import annotations

from typing import Any

from ... import Clock
from .. import display
from ..qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from ..widgets import FieldError
from .page_base import EditForm, IncidentTab


class OverviewTab(IncidentTab):
    title = "Overview"

    def __init__(self, page) -> None:
        super().__init__(page)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("overviewTitle")
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("overviewSummary")
        self.summary.setMaximumHeight(90)
        self.type_edit = QLineEdit()
        self.services = QLineEdit(placeholderText="comma separated")
        self.systems = QLineEdit(placeholderText="comma separated")
        self.tags = QLineEdit(placeholderText="comma separated")
        self.identity_error = FieldError()
        self.identity_error.setObjectName("overviewError")
        save = QPushButton("Save details")
        save.setObjectName("saveOverview")
        save.clicked.connect(self.save_identity)
        identity = QGroupBox("Incident")
        form = QFormLayout(identity)
        form.addRow("Title", self.title_edit)
        form.addRow("Summary", self.summary)
        form.addRow("Type", self.type_edit)
        form.addRow("Services", self.services)
        form.addRow("Affected systems", self.systems)
        form.addRow("Tags", self.tags)
        form.addRow(self.identity_error)
        form.addRow(save)
        self.identity_form = EditForm(self, [self.title_edit, self.summary, self.type_edit, self.services,
                                             self.systems, self.tags])

        self.facts: Any = None  # facts_form.FactsForm, built when the tab is first filled (it reads the registry)
        self.facts_error = FieldError()
        save_facts = QPushButton("Save facts (re-classifies)")
        save_facts.setObjectName("saveFacts")
        save_facts.clicked.connect(self.save_facts)
        facts_box = QGroupBox("Facts the rules read")
        self.facts_layout = QVBoxLayout(facts_box)
        self.facts_layout.addWidget(self.facts_error)
        self.facts_layout.addWidget(save_facts)
        self.facts_form = EditForm(self, [])

        self.clock = QLabel()
        self.clock.setObjectName("overviewClock")
        self.clock.setWordWrap(True)
        clock_box = QGroupBox("Clock (display time zone)")
        clock_layout = QVBoxLayout(clock_box)
        clock_layout.addWidget(self.clock)
        self.clock_field = QComboBox()
        self.clock_field.setObjectName("clockField")
        for name in Clock.model_fields:
            self.clock_field.addItem(name.removesuffix("_at").replace("_", " "), name)
        self.clock_value = QLineEdit(placeholderText="2026-11-26T09:58Z, or empty for unknown")
        self.clock_value.setObjectName("clockValue")
        self.clock_error = FieldError()
        self.clock_error.setObjectName("clockError")
        set_clock = QPushButton("Set")
        set_clock.setObjectName("setClock")
        set_clock.clicked.connect(self.save_clock)
        clock_row = QHBoxLayout()
        clock_row.addWidget(self.clock_field)
        clock_row.addWidget(self.clock_value, 1)
        clock_row.addWidget(set_clock)
        clock_layout.addLayout(clock_row)
        clock_layout.addWidget(self.clock_error)

        self.override_level = QComboBox()
        self.override_level.setObjectName("overrideLevel")
        self.override_reason = QLineEdit(placeholderText="Why the rules' level is wrong here (required)")
        self.override_reason.setObjectName("overrideReason")
        self.override_error = FieldError()
        self.override_error.setObjectName("overrideError")
        override = QPushButton("Override")
        override.setObjectName("overrideButton")
        override.clicked.connect(self.override)
        clear = QPushButton("Clear override")
        clear.clicked.connect(self.clear_override)
        severity_box = QGroupBox("Severity override")
        row = QHBoxLayout()
        row.addWidget(self.override_level, 1)
        row.addWidget(override)
        row.addWidget(clear)
        severity_layout = QVBoxLayout(severity_box)
        severity_layout.addLayout(row)
        severity_layout.addWidget(self.override_reason)
        severity_layout.addWidget(self.override_error)

        content = QWidget()
        columns = QHBoxLayout(content)
        left = QVBoxLayout()
        left.addWidget(identity)
        left.addWidget(severity_box)
        left.addWidget(clock_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(facts_box)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _facts_touched(self) -> None:
        self.facts_form.touch()
        self.facts.check()

    def _build_facts(self) -> None:
        from ..facts_form import FactsForm

        self.facts = FactsForm()
        self.facts.sig_changed.connect(self._facts_touched)
        self.facts_layout.insertWidget(0, self.facts)

    def refresh(self) -> None:
        incident = self.incident
        assert incident is not None
        if self.facts is None:
            self._build_facts()

        def fill_identity() -> None:
            self.title_edit.setText(incident.title)
            self.summary.setPlainText(incident.summary)
            self.type_edit.setText(incident.type)
            self.services.setText(", ".join(incident.services))
            self.systems.setText(", ".join(incident.affected_systems))
            self.tags.setText(", ".join(incident.tags))
            for edit in (self.title_edit, self.services, self.systems, self.tags):
                edit.setCursorPosition(0)  # show the start of a long value, not its end

        self.identity_form.load(fill_identity)
        self.facts_form.load(lambda: self.facts.set_facts(incident.facts))
        if self.override_level.count() == 0:
            for level, name in self.page.session.level_names.items():
                self.override_level.addItem(f"{level} {name}", level)
        lines = [f"{name.removesuffix('_at').replace('_', ' ').capitalize()}: "
                 f"{display.instant(getattr(incident.clock, name))}" for name in Clock.model_fields
                 if getattr(incident.clock, name) is not None]
        self.clock.setText("\n".join(lines))

    def save_identity(self) -> None:
        if self.incident is None:
            return
        title = self.title_edit.text().strip()
        if not title:
            self.identity_error.show_error("title: must not be empty")
            return
        self.identity_error.show_error("")

        def split(text: str) -> list[str]:
            return [part.strip() for part in text.split(",") if part.strip()]

        changes = {"title": title, "summary": self.summary.toPlainText().strip(),
                   "type": self.type_edit.text().strip() or "availability",
                   "services": split(self.services.text()), "affected_systems": split(self.systems.text()),
                   "tags": split(self.tags.text())}
        incident_id, revision = self.incident.id, self.identity_form.expected_revision()
        result = self.page.apply("Save details", lambda desk: desk.set_fields(
            incident_id, changes, expected_revision=revision), form=self.identity_form)
        if result is None:
            self.identity_error.show_error(self.page.banner.text())

    def save_facts(self) -> None:
        if self.incident is None:
            return
        if self.facts.check():
            self.facts_error.show_error("Fix the values marked beside their fields.")
            return
        self.facts_error.show_error("")
        changes = self.facts.changes_from(self.incident.facts)
        incident_id, revision = self.incident.id, self.facts_form.expected_revision()
        result = self.page.apply("Save facts", lambda desk: desk.set_facts(
            incident_id, changes, expected_revision=revision), form=self.facts_form)
        if result is None:
            self.facts_error.show_error(self.page.banner.text())

    def save_clock(self) -> None:
        """Correct one instant (backfill an alert time, fix a typo); impossible orders are refused."""
        if self.incident is None:
            return
        from ...app.face_support import parse_instant

        text = self.clock_value.text().strip()
        try:
            value = parse_instant(text) if text else None
        except ValueError as error:
            self.clock_error.show_error(f"{self.clock_field.currentText()}: {error}")
            return
        incident_id, name, revision = self.incident.id, self.clock_field.currentData(), self.incident.revision
        result = self.page.apply("Set clock", lambda desk: desk.set_clock(incident_id, {name: value},
                                                                          expected_revision=revision))
        self.clock_error.show_error("" if result is not None else self.page.banner.text())
        if result is not None:
            self.clock_value.clear()

    def override(self) -> None:
        if self.incident is None:
            return
        reason = self.override_reason.text().strip()
        if not reason:
            self.override_error.show_error("reason: an override needs a reason (it goes in the audit trail)")
            return
        self.override_error.show_error("")
        incident_id, level = self.incident.id, self.override_level.currentData()
        if self.page.apply("Override", lambda desk: desk.override_severity(incident_id, level, reason)):
            self.override_reason.clear()

    def clear_override(self) -> None:
        if self.incident is not None:
            incident_id = self.incident.id
            self.page.apply("Clear override", lambda desk: desk.clear_severity_override(incident_id))
