"""Declare an incident: typed facts, the severity and every rule's criteria updating live as you type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...app.declare_preview import DeclarationPreview, preview_declaration
from ... import DomainError, Incident
from ...app.face_support import StoreError
from .. import display
from ..facts_form import FactsForm
from ..qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextBrowser,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..session import Session
from ..views.tab_timeline import parse_backfill
from ..widgets import FieldError, SeverityBadge, with_error

DEFAULT_TYPES = ("availability", "performance", "security", "data-loss", "data-integrity", "capacity")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def explanation_html(preview: DeclarationPreview) -> str:
    if preview.notice and not preview.rules:
        return f"<p>{_html(preview.notice)}</p>"
    parts = []
    for rule in preview.rules:
        mark = {"matched": "✔ matched", "no match": "✘ no match", "missing facts": "? missing facts"}[rule.result]
        colour = display.OK_COLOUR if rule.result == "matched" else "#808080"
        parts.append(f"<p style='margin-bottom:0'><b>{rule.level}</b> <code>{_html(rule.rule_id)}</code> "
                     f"<span style='color:{colour}'>{mark}</span><br><small>{_html(rule.description)}</small></p><ul "
                     "style='margin-top:0'>")
        for criterion in rule.criteria:
            tick = "✔" if criterion.matched else ("?" if criterion.missing else "✘")
            parts.append(f"<li>{tick} {_html(criterion.text)}</li>")
        parts.append("</ul>")
    if preview.missing_facts:
        parts.append(f"<p><i>Missing facts (never counted as 0): {_html(', '.join(preview.missing_facts))}</i></p>")
    return "".join(parts)


class DeclareDialog(QDialog):
    """sig_declared(incident: object): the new incident, as stored."""

    sig_declared = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None, types: list[str] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("declareDialog")
        self.setWindowTitle("Declare an incident")
        self.preview: DeclarationPreview | None = None

        self.title_edit = QLineEdit(placeholderText="What is broken, as users see it")
        self.title_edit.setObjectName("declareTitle")
        self.title_error = FieldError()
        self.title_error.setObjectName("declareTitleError")
        self.type = QComboBox()
        self.type.setObjectName("declareType")
        self.type.setEditable(True)
        for kind in sorted(set(DEFAULT_TYPES) | set(types or ())):
            self.type.addItem(kind)
        self.type.setCurrentText("availability")
        self.services = QLineEdit(placeholderText="comma separated, e.g. checkout, payments")
        self.services.setObjectName("declareServices")
        self.commander = QLineEdit(placeholderText="Incident commander (optional)")
        self.commander.setObjectName("declareCommander")
        self.commander.setText(session.desk.actor if session.desk.actor not in ("", "unknown") else "")
        self.summary = QPlainTextEdit()
        self.summary.setMaximumHeight(60)
        self.started = QLineEdit(placeholderText="now — or backfill: 09:58, 2026-11-26T09:58Z")
        self.started.setObjectName("declareStarted")
        self.started_error = FieldError()
        self.started_error.setObjectName("declareStartedError")
        self.facts = FactsForm()

        identity = QFormLayout()
        identity.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        identity.addRow("Title", with_error(self.title_edit, self.title_error))
        identity.addRow("Type", self.type)
        identity.addRow("Services", self.services)
        identity.addRow("Commander", self.commander)
        identity.addRow("Impact started", with_error(self.started, self.started_error))
        identity.addRow("Summary", self.summary)
        facts_box = QGroupBox("Facts (leave unknown ones empty: a missing fact never counts as 0)")
        QVBoxLayout(facts_box).addWidget(self.facts)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(identity)
        left_layout.addWidget(facts_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        scroll.setMinimumWidth(560)

        self.badge = SeverityBadge()
        self.badge.setObjectName("declareSeverity")
        self.explanation = QTextBrowser()
        self.explanation.setObjectName("declareExplanation")
        self.override = QComboBox()
        self.override.setObjectName("declareOverride")
        self.override.addItem("Use the rules' level", None)
        for level, name in session.level_names.items():
            self.override.addItem(f"Override: {level} {name}", level)
        self.reason = QLineEdit(placeholderText="Why the rules' level is wrong here")
        self.reason.setObjectName("declareReason")
        self.reason_error = FieldError()
        self.reason_error.setObjectName("declareReasonError")
        self.general_error = FieldError()
        self.general_error.setObjectName("declareError")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        heading = QHBoxLayout()
        heading.addWidget(QLabel("Severity from the rules:"))
        heading.addWidget(self.badge)
        heading.addStretch(1)
        right_layout.addLayout(heading)
        right_layout.addWidget(self.explanation, 1)
        right_layout.addWidget(self.override)
        right_layout.addWidget(with_error(self.reason, self.reason_error))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.declare_button = self.buttons.addButton("Declare", QDialogButtonBox.ButtonRole.AcceptRole)
        self.declare_button.setObjectName("declareButton")
        self.buttons.accepted.connect(self.declare)
        self.buttons.rejected.connect(self.reject)

        columns = QHBoxLayout()
        columns.addWidget(scroll, 3)
        columns.addWidget(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(1100, 720)

        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.update_preview)
        for signal in (self.facts.sig_changed, self.type.currentTextChanged, self.started.textChanged):
            signal.connect(self._pending.start)
        self.override.currentIndexChanged.connect(lambda _: self._check_reason())
        self.reason.textChanged.connect(lambda _: self._check_reason())
        self.update_preview()

    # ---------------------------------------------------------------- live severity

    def started_at(self) -> datetime | None:
        return parse_backfill(self.started.text(), self.session.desk.clock())

    def update_preview(self) -> DeclarationPreview:
        try:
            started = self.started_at()
            self.started_error.show_error("")
        except ValueError as error:
            started = None
            self.started_error.show_error(str(error))
        if started is not None and started > self.session.desk.clock():
            self.started_error.show_error("impact cannot start in the future")
            started = None
        preview = preview_declaration(self.session.desk, facts=self.facts.raw(), type=self.type.currentText(),
                                      started_at=started)
        self.preview = preview
        for name, label in self.facts.errors.items():
            label.show_error(preview.problems.get(name, ""))
        self.badge.set_level(preview.level, self.session.level_names)
        scroll = self.explanation.verticalScrollBar().value()
        self.explanation.setHtml(explanation_html(preview))
        self.explanation.verticalScrollBar().setValue(scroll)
        return preview

    def _check_reason(self) -> bool:
        chosen = self.override.currentData()
        computed = self.preview.level if self.preview else None
        if chosen and chosen != computed and not self.reason.text().strip():
            self.reason_error.show_error("an override needs a reason")
            return False
        self.reason_error.show_error("")
        return True

    # ---------------------------------------------------------------- declaring

    def declare(self) -> Incident | None:
        preview = self.update_preview()
        ok = True
        title = self.title_edit.text().strip()
        self.title_error.show_error("" if title else "title: must not be empty")
        ok &= bool(title)
        ok &= not preview.problems
        ok &= not self.started_error.text() or self.started_error.isHidden()
        ok &= self._check_reason()
        if not ok:
            self.general_error.show_error("Fix the fields marked in red; nothing was saved.")
            return None
        override = self.override.currentData()
        services = [s.strip() for s in self.services.text().split(",") if s.strip()]
        try:
            incident = self.session.desk.declare(
                title=title, type=self.type.currentText().strip() or "availability", severity=None,
                summary=self.summary.toPlainText().strip(), services=services, facts=self.facts.raw(),
                started_at=self.started_at(), commander=self.commander.text().strip() or None)
            if override and override != incident.severity.computed:
                incident = self.session.desk.override_severity(incident.id, override, self.reason.text().strip())
        except (DomainError, StoreError, ValueError) as error:
            self.general_error.show_error(str(error))
            return None
        self.general_error.show_error("")
        self.sig_declared.emit(incident)
        self.accept()
        return incident

    def set_values(self, **values: Any) -> None:
        """Fill the form in one go (tests, and a future 'declare like this one')."""
        if "title" in values:
            self.title_edit.setText(values["title"])
        for name, value in values.get("facts", {}).items():
            widget = self.facts.inputs[name]
            if isinstance(widget, QLineEdit):
                widget.setText(str(value))
