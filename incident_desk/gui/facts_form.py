"""Typed inputs for an incident's facts, built from the field registry (label, unit, allowed values).

Used by the declare dialog and the Overview tab. Values are read as text and checked by the domain
model one fact at a time, so a bad value gets its message beside its own field.
"""

from __future__ import annotations

from typing import Any

from ..app.declare_preview import fact_problems
from ..app.rules_service import fields_table
from .. import Facts
from .qt import QComboBox, QFormLayout, QLineEdit, QWidget, Signal
from .widgets import FieldError, with_error


def fact_specs() -> list[dict[str, Any]]:
    """Registry rows for every fact a person can type (derived fields are left out)."""
    rows = {row["name"]: row for row in fields_table()}
    specs = []
    for name, field in Facts.model_fields.items():
        row = rows.get(name, {"label": name.replace("_", " ").capitalize(), "unit": "", "allowed": None,
                              "description": field.description or "", "type": ""})
        specs.append({**row, "name": name, "list": "list" in str(field.annotation),
                      "boolean": name == "security_breach"})
    return specs


LABELS = {
    "customer_impact_pct": "Customers affected (share)", "customers_affected": "Customers affected (count)",
    "revenue_per_hour": "Revenue at risk", "failed_transactions": "Failed transactions",
    "support_tickets": "Support tickets", "sla_target_pct": "SLA target", "sla_actual_pct": "SLA measured",
    "data_categories": "Data categories", "regions": "Regions", "records_exposed": "Records exposed",
    "security_breach": "Security breach", "customers_total": "Customers in total",
    "data_loss_window": "Data-loss window",
}


def _plain_label(spec: dict[str, Any]) -> str:
    # the registry's `label` is the heading of a report criterion ("Data Loss" for two facts): name the fact
    label = LABELS.get(spec["name"]) or spec["name"].replace("_", " ")
    return label[0].upper() + label[1:]


class FactsForm(QWidget):
    """sig_changed(): any value was edited."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, FieldError] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for spec in fact_specs():
            name = spec["name"]
            widget: QLineEdit | QComboBox
            if spec["boolean"]:
                combo = QComboBox()
                combo.addItem("unknown", "")
                combo.addItem("yes", "true")
                combo.addItem("no", "false")
                combo.currentIndexChanged.connect(lambda *_: self.sig_changed.emit())
                widget = combo
            else:
                line = QLineEdit()
                widget = line
                hint = "unknown"
                if spec.get("allowed"):
                    hint = "comma separated: " + ", ".join(spec["allowed"])
                elif spec["list"]:
                    hint = "comma separated"
                line.setPlaceholderText(hint)
                line.textChanged.connect(lambda *_: self.sig_changed.emit())
            widget.setObjectName(f"fact_{name}")
            widget.setToolTip(spec.get("description") or "")
            error = FieldError()
            error.setObjectName(f"factError_{name}")
            self.inputs[name] = widget
            self.errors[name] = error
            unit = spec.get("unit") or ("%" if name.endswith("_pct") else "")
            unit = {"$/hour": "per hour"}.get(unit, unit)
            form.addRow(_plain_label(spec), with_error(widget, error, unit))

    def raw(self) -> dict[str, str]:
        """Every fact typed so far, as text (empty fields are left out)."""
        values = {}
        for name, widget in self.inputs.items():
            text = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
            if text and text.strip():
                values[name] = text.strip()
        return values

    def check(self) -> dict[str, str]:
        """Show a message beside each bad value; return them."""
        _, problems = fact_problems(self.raw())
        for name, error in self.errors.items():
            error.show_error(problems.get(name, ""))
        return problems

    def set_facts(self, facts: Facts) -> None:
        for name, widget in self.inputs.items():
            value = getattr(facts, name)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.findData("" if value is None else "true" if value else "false"))
                continue
            if value is None:
                text = ""
            elif isinstance(value, list):
                text = ", ".join(value)
            elif isinstance(value, float) and value.is_integer():
                text = str(int(value))
            else:
                text = str(value)
            widget.setText(text)

    def changes_from(self, facts: Facts) -> dict[str, str | None]:
        """Facts whose typed value differs from `facts` (a cleared field becomes unknown)."""
        raw = self.raw()
        changes: dict[str, str | None] = {}
        current = Facts().model_dump()
        current.update(facts.model_dump())
        for name in self.inputs:
            typed = raw.get(name)
            value = current[name]
            if typed is None:
                if value not in (None, []):
                    changes[name] = "" if not isinstance(value, list) else ""
                continue
            changes[name] = typed
        return changes
