"""The incident page: a header with live clocks, lifecycle buttons, and a tab for every part of the record."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ... import DomainError, Incident, Role, Status
from ... import allowed_transitions
from ...app.face_support import StoreError, store_errors
from .. import display
from ..qt import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..session import Session
from ..widgets import SeverityBadge
from .page_base import IncidentTab

#: (button text, target status); Acknowledge is its own button
LIFECYCLE_BUTTONS = (("Investigating", Status.INVESTIGATING), ("Identified", Status.IDENTIFIED),
                     ("Mitigating", Status.MITIGATING), ("Mitigated", Status.MONITORING),
                     ("Resolve", Status.RESOLVED), ("Post-mortem", Status.POSTMORTEM), ("Close", Status.CLOSED))


class IncidentPage(QWidget):
    """sig_saved(incident: object): the page wrote a change (the list updates its row).
    sig_notice(text: str): something the status bar should say."""

    sig_saved = Signal(object)
    sig_notice = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.incident: Incident | None = None
        self.clocks: Any = None  # app.clocks.IncidentClocks
        self.expected_revisions: set[int] = set()
        self._clocks_at = 0.0

        self.empty = QLabel("Select an incident in the list, or declare one with Ctrl+N.")
        self.empty.setObjectName("emptyPage")
        self.empty.setWordWrap(True)

        self.header = QFrame()
        self.header.setObjectName("incidentHeader")
        self.header.setFrameShape(QFrame.Shape.StyledPanel)
        self.id_label = QLabel()
        self.id_label.setObjectName("incidentId")
        self.title_label = QLabel()
        self.title_label.setObjectName("incidentTitle")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.status_label = QLabel()
        self.status_label.setObjectName("incidentStatus")
        self.severity = QPushButton()
        self.severity.setObjectName("severityButton")
        self.severity.setFlat(True)
        self.severity.setToolTip("Why this severity? Click to see every rule and criterion.")
        self.severity.clicked.connect(self.show_why)
        self.badge = SeverityBadge()
        badge_row = QHBoxLayout(self.severity)
        badge_row.setContentsMargins(0, 0, 0, 0)
        badge_row.addWidget(self.badge)
        self.severity.setMinimumWidth(150)
        self.commander_label = QLabel()
        self.clock_labels: dict[str, QLabel] = {}
        self.clock_grid = QGridLayout()
        self.clock_grid.setHorizontalSpacing(18)

        top = QHBoxLayout()
        top.addWidget(self.id_label)
        top.addWidget(self.severity)
        top.addWidget(self.status_label)
        top.addStretch(1)
        top.addWidget(self.commander_label)
        header_layout = QVBoxLayout(self.header)
        header_layout.addLayout(top)
        header_layout.addWidget(self.title_label)
        header_layout.addLayout(self.clock_grid)

        self.buttons: dict[Status | str, QPushButton] = {}
        buttons_row = QHBoxLayout()
        ack = QPushButton("Acknowledge")
        ack.setObjectName("ackButton")
        ack.clicked.connect(self.acknowledge)
        self.buttons["acknowledge"] = ack
        buttons_row.addWidget(ack)
        for text, status in LIFECYCLE_BUTTONS:
            button = QPushButton(text)
            button.setObjectName(f"status_{status.value}")
            button.clicked.connect(lambda _=False, s=status: self.transition(s))
            self.buttons[status] = button
            buttons_row.addWidget(button)
        buttons_row.addStretch(1)

        self.banner = QLabel()
        self.banner.setObjectName("pageBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: {display.OVERDUE_COLOUR}; font-weight: bold;")
        self.banner.hide()

        from .tabs import make_tabs

        self.tabs = QTabWidget()
        self.tabs.setObjectName("incidentTabs")
        self.tab_pages: dict[str, IncidentTab] = {}
        for tab in make_tabs(self):
            self.tab_pages[tab.title] = tab
            self.tabs.addTab(tab, tab.title)
        self.tabs.currentChanged.connect(lambda _: self._show_current_tab())

        self.body = QWidget()
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.header)
        body_layout.addLayout(buttons_row)
        body_layout.addWidget(self.banner)
        body_layout.addWidget(self.tabs, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.body, 1)
        self.body.hide()

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()
        self._shown_tabs: set[str] = set()

    # ---------------------------------------------------------------- loading

    def open_incident(self, incident_id: str) -> None:
        try:
            incident = self.session.desk.get(incident_id)
        except (StoreError, DomainError) as error:
            self.say(str(error))
            return
        self.show_incident(incident, fresh=True)

    def show_incident(self, incident: Incident, fresh: bool = False) -> None:
        if fresh or self.incident is None or self.incident.id != incident.id:
            self.banner.hide()
            self._shown_tabs.clear()
        self.incident = incident
        self.empty.hide()
        self.body.show()
        self.id_label.setText(incident.id)
        self.title_label.setText(incident.title)
        self.status_label.setText(f"Status: {incident.status.label}")
        override = incident.severity.override
        self.badge.set_level(incident.severity.level, self.session.level_names,
                             " (override)" if override else "")
        commanders = [h.person for h in incident.current_holders(Role.INCIDENT_COMMANDER)]
        self.commander_label.setText(f"Commander: {', '.join(commanders) or 'none yet'}")
        self._update_buttons()
        self._load_clocks()
        self._show_current_tab()

    def _show_current_tab(self) -> None:
        """Tabs fill lazily: the visible one now, the others when they are first shown."""
        if self.incident is None:
            return
        tab = self.tabs.currentWidget()
        if isinstance(tab, IncidentTab):
            tab.show_incident(self.incident)
            self._shown_tabs.add(tab.title)
        for title in list(self._shown_tabs):
            other = self.tab_pages[title]
            if other is not tab and other.incident is not None and other.incident is not self.incident:
                other.show_incident(self.incident)

    def reload(self) -> None:
        if self.incident is not None:
            try:
                self.show_incident(self.session.desk.get(self.incident.id))
            except (StoreError, DomainError) as error:
                self.say(str(error))

    def on_changes(self, changes: list) -> None:
        """The change feed saw writes; reload when one is to this incident and not one we just made."""
        if self.incident is None:
            return
        mine = [c for c in changes if c.incident_id == self.incident.id]
        foreign = [c for c in mine if c.revision not in self.expected_revisions]
        self.expected_revisions -= {c.revision for c in mine}
        if foreign and max(c.revision for c in foreign) > self.incident.revision:
            self.reload()
            who = ", ".join(sorted({c.actor for c in foreign}))
            self.sig_notice.emit(f"{self.incident.id} was changed by {who}; the page shows the latest")

    # ---------------------------------------------------------------- changes

    def apply(self, what: str, change: Callable[[Any], Any], *, form: Any = None) -> Any:
        """Run `change(desk)`; on success show the saved incident, on refusal say why and keep the form."""
        try:
            result = change(self.session.desk)
        except store_errors.StaleRevision as error:
            self.say(f"Not saved: {error}. Your text is kept: check it against the latest and save again.")
            if self.incident is not None:
                self.reload()
            if form is not None:
                form.conflict()
            return None
        except (DomainError, StoreError) as error:
            self.say(f"{what}: {error}")
            return None
        self.banner.hide()
        if form is not None:
            form.saved()
        if isinstance(result, Incident):
            self.expected_revisions.add(result.revision)
            self.show_incident(result)
            self.sig_saved.emit(result)
        else:
            self.reload()
            if self.incident is not None:
                self.expected_revisions.add(self.incident.revision)
                self.sig_saved.emit(self.incident)
        return result

    def say(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.sig_notice.emit(text)

    def acknowledge(self) -> None:
        if self.incident is None:
            return
        incident_id = self.incident.id
        self.apply("Acknowledge", lambda desk: desk.acknowledge(incident_id))

    def transition(self, target: Status) -> None:
        if self.incident is None:
            return
        incident_id, revision = self.incident.id, self.incident.revision
        self.apply(f"Move to {target.label}",
                   lambda desk: desk.transition(incident_id, target, expected_revision=revision))

    def _update_buttons(self) -> None:
        assert self.incident is not None
        allowed = allowed_transitions(self.incident.status)
        legal = ", ".join(s.label for s in sorted(allowed, key=list(Status).index)) or "nothing (closed is final)"
        for key, button in self.buttons.items():
            if key == "acknowledge":
                done = self.incident.clock.acknowledged_at is not None
                button.setEnabled(not done)
                button.setToolTip("Already acknowledged at " + display.instant(self.incident.clock.acknowledged_at)
                                  if done else "Acknowledge (Ctrl+K)")
                continue
            assert isinstance(key, Status)
            ok = key in allowed
            button.setEnabled(ok)
            button.setToolTip(f"Move to {key.label}" if ok else
                              f"From {self.incident.status.label} it can go to {legal}")

    # ---------------------------------------------------------------- clocks

    def _load_clocks(self) -> None:
        assert self.incident is not None
        from ...app.clocks import incident_clocks  # the rules engine loads with the first incident shown

        try:
            self.clocks = incident_clocks(self.session.desk, self.incident.id, incident=self.incident)
        except Exception as error:  # noqa: BLE001 - a rules problem must not hide the incident
            self.clocks = None
            self.sig_notice.emit(f"clocks unavailable: {error}")
        self._clocks_at = time.monotonic()
        while self.clock_grid.count():
            item = self.clock_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone now, not only when deleteLater runs
                widget.deleteLater()
        self.clock_labels = {}
        rows = self._clock_rows()
        for number, (key, name, _text, _colour) in enumerate(rows):
            cell = QWidget()
            cell_layout = QHBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            label_name = QLabel(name + ":")
            value = QLabel()
            value.setObjectName(f"clock_{key}")
            cell_layout.addWidget(label_name)
            cell_layout.addWidget(value)
            cell_layout.addStretch(1)
            self.clock_labels[key] = value
            self.clock_grid.addWidget(cell, number // 2, number % 2)
        self.tick()

    def _clock_rows(self) -> list[tuple[str, str, str, str]]:
        """(key, name, text, colour) of every clock at the desk's now."""
        incident = self.incident
        if incident is None:
            return []
        now = self.session.desk.clock()
        rows = []
        start = incident.clock.started_at or incident.clock.declared_at
        end = incident.clock.resolved_at
        if start is not None:
            lasted = (end or now) - start
            rows.append(("elapsed", "Elapsed" if end is None else "Lasted", display.clock_text(lasted), ""))
        clocks = self.clocks
        if clocks is None:
            return rows
        nxt = clocks.next_escalation
        if nxt is not None and incident.status.is_active:
            left = nxt.due_at - now
            rows.append(("escalation", f"Next escalation ({nxt.policy_id})", display.clock_text(left),
                         display.OVERDUE_COLOUR if left < timedelta(0) else ""))
        for target in clocks.targets:
            name = f"{target.name.capitalize()} target"
            if target.met_at is not None:
                rows.append((f"target_{target.name}", name, f"{target.state} at {display.short_instant(target.met_at)}",
                             display.OK_COLOUR if target.state == "met" else display.OVERDUE_COLOUR))
            elif target.due_at is not None:
                left = target.due_at - now
                rows.append((f"target_{target.name}", name,
                             ("overdue " if left < timedelta(0) else "") + display.clock_text(left),
                             display.OVERDUE_COLOUR if left < timedelta(0) else ""))
        for reg in clocks.regulatory:
            key = f"reg_{reg.regime}_{reg.obligation}"
            name = f"{reg.regime_name}: {reg.obligation_name}"
            if reg.filed:
                state = "on time" if reg.on_time else "late" if reg.on_time is False else ""
                rows.append((key, name, f"filed {display.short_instant(reg.filed_at)} {state}".strip(),
                             display.OK_COLOUR if reg.on_time is not False else display.OVERDUE_COLOUR))
            elif reg.due_at is None:
                rows.append((key, name, "not yet known", ""))
            else:
                left = reg.due_at - now
                rows.append((key, name, ("OVERDUE " if left < timedelta(0) else "") + display.clock_text(left),
                             display.OVERDUE_COLOUR if left < timedelta(0) else ""))
        return rows

    def tick(self) -> None:
        if self.incident is None or not self.isVisible():
            return
        if time.monotonic() - self._clocks_at > 30:  # escalation steps and targets move with the rules
            self._load_clocks()
            return
        for key, _name, text, colour in self._clock_rows():
            label = self.clock_labels.get(key)
            if label is not None:
                label.setText(text)
                label.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
        tab = self.tabs.currentWidget()
        if isinstance(tab, IncidentTab):
            tab.tick()

    # ---------------------------------------------------------------- why this severity

    def show_why(self) -> QDialog | None:
        if self.incident is None:
            return None
        severity = self.incident.severity
        lines = [f"<h3>{self.incident.id}: {display.severity_text(severity.level, self.session.level_names)}</h3>"]
        if severity.override:
            o = severity.override
            lines.append(f"<p><b>Overridden</b> to {o.level} by {o.author} at {display.instant(o.at)}: {o.reason}. "
                         f"The rules computed {severity.computed or 'no level'}.</p>")
        if severity.explanation:
            for match in severity.explanation:
                lines.append(f"<p><b>{match.level}</b> — rule <code>{match.rule_id}</code>"
                             f"{': ' + match.description if match.description else ''}</p><ul>")
                for c in match.criteria:
                    mark = "✔" if c.matched else ("? missing" if c.missing else "✘")
                    lines.append(f"<li>{mark} {_html(c.text or f'{c.field} {c.op} {c.expected} (actual {c.actual})')}</li>")
                lines.append("</ul>")
        else:
            lines.append("<p>No rule matched: the default level applies.</p>")
        if severity.missing_facts:
            lines.append(f"<p>Missing facts (never counted as 0): {', '.join(severity.missing_facts)}</p>")
        if severity.rules_digest:
            lines.append(f"<p><small>Rules version {severity.rules_digest[:12]}</small></p>")
        dialog = QDialog(self)
        dialog.setObjectName("whyDialog")
        dialog.setWindowTitle(f"Why {self.incident.id} is {severity.level or 'unclassified'}")
        browser = QTextBrowser()
        browser.setHtml("".join(lines))
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        dialog.resize(560, 420)
        dialog.open()
        return dialog


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
