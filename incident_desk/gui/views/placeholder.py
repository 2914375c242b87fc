"""Screens that arrive in part 2 of the desktop app: each says what it will do and where to do it today."""

from __future__ import annotations

from ..qt import QLabel, QVBoxLayout, QWidget

LATER = {
    "Rules": ("The rules editor arrives in part 2: severity rules as a table of conditions with pickers from the "
              "field registry, validated as you type, with the backtest diff over history before you save.",
              "Today: edit rules/*.yaml in the workspace, then `incident-desk rules check` and "
              "`incident-desk rules backtest --rules DIR`."),
    "Metrics": ("The metrics dashboard arrives in part 2: MTTD, MTTA, MTTR, incident counts by severity and type, "
                "SLA credits and action-item completion, with charts.",
                "Today: `incident-desk analyze --metrics --period monthly`."),
    "Playbooks": ("The playbook browser arrives in part 2: response playbooks per incident type, generated from "
                  "the rules and your history.",
                  "Today: the playbook command of the command line, as it lands."),
}


class Placeholder(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        what, today = LATER[name]
        title = QLabel(f"<h2>{name}</h2>")
        body = QLabel(what)
        body.setWordWrap(True)
        hint = QLabel(today)
        hint.setWordWrap(True)
        hint.setObjectName("placeholderHint")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addWidget(hint)
        layout.addStretch(1)
