"""The remaining tabs of the incident page: remediation, impact, regulatory filings and the audit trail."""

from __future__ import annotations

from datetime import timedelta

from incident_desk.domain import Phase, WorkStatus
from incident_desk.gui.qt import Qt

from .conftest import declare


def _open(window, desk, **facts):
    incident = declare(desk, **facts) if facts else declare(desk)
    window.list.set_summaries(desk.summaries())
    window.open_incident(incident.id)
    return incident, window.page


def test_remediation_by_phase_with_status(qtbot, window, desk):
    incident, page = _open(window, desk)
    tab = page.tab_pages["Remediation"]
    page.tabs.setCurrentWidget(tab)
    tab.add()
    assert "describe" in tab.error.text()
    tab.phase.setCurrentIndex(tab.phase.findData(Phase.SHORT_TERM.value))
    qtbot.keyClicks(tab.text, "Add config validation to CI")
    qtbot.keyClicks(tab.owner, "Platform")
    tab.add()
    (action,) = desk.get(incident.id).remediation
    assert action.phase is Phase.SHORT_TERM and action.owner == "Platform"
    assert tab.table.item(0, 0).text() == Phase.SHORT_TERM.label
    tab.table.setCurrentCell(0, 0)
    tab.status.setCurrentIndex(tab.status.findData(WorkStatus.DONE.value))
    tab.set_status()
    assert desk.get(incident.id).remediation[0].status is WorkStatus.DONE
    assert tab.table.item(0, 3).text() == "Completed"


def test_impact_lines_are_added(qtbot, window, desk):
    incident, page = _open(window, desk, customer_impact_pct=40, revenue_per_hour=12000)
    tab = page.tab_pages["Impact"]
    page.tabs.setCurrentWidget(tab)
    assert "Customers affected: 40%" in tab.figures.text()
    tab.summary.setPlainText("Card payments failed for 40% of customers")
    tab.customer.setPlainText("Checkout errors for card payments")
    tab.save()
    impact = desk.get(incident.id).impact
    assert impact.summary.startswith("Card payments") and impact.customer_notes == ["Checkout errors for card payments"]


def test_recording_a_regulatory_filing_stops_its_clock(qtbot, window, desk, clock):
    incident, page = _open(window, desk, customer_impact_pct=30, data_categories="personal", records_exposed=5000,
                           security_breach="true")
    tab = page.tab_pages["Regulatory"]
    page.tabs.setCurrentWidget(tab)
    assert tab.table.rowCount() >= 1, "personal data involved: GDPR applies"
    row = next(r for r in range(tab.table.rowCount()) if tab.table.item(r, 0).text() == "GDPR")
    running = tab.table.item(row, 3).text()
    clock.advance(seconds=5)
    page.tick()
    assert tab.table.item(row, 3).text() != running  # counting down every second
    tab.record()
    assert "Select" in tab.error.text()
    tab.table.setCurrentCell(row, 0)
    qtbot.keyClicks(tab.filed_at, "the day after tomorrow")
    tab.record()
    assert "filed at" in tab.error.text() and not desk.get(incident.id).regulatory_filings
    tab.filed_at.clear()
    qtbot.keyClicks(tab.reference, "DPA case 4411")
    tab.record()
    (filing,) = desk.get(incident.id).regulatory_filings
    assert filing.reference == "DPA case 4411" and filing.filed_at == clock.now
    assert any("filed" in label.text() for key, label in page.clock_labels.items() if key.startswith("reg_gdpr"))


def test_audit_tab_lists_changes_and_verifies_the_chain(qtbot, window, desk, clock):
    incident, page = _open(window, desk)
    desk.acknowledge(incident.id, at=clock.now + timedelta(minutes=1))
    page.reload()
    tab = page.tab_pages["Audit"]
    page.tabs.setCurrentWidget(tab)
    actions = [tab.table.item(r, 3).text() for r in range(tab.table.rowCount())]
    assert actions[0] == "acknowledge" and actions[-1] == "declare"
    tab.verify()
    qtbot.waitUntil(lambda: "Chain intact" in tab.result.text(), timeout=10000)


def test_clock_corrections_and_logged_communications(qtbot, window, desk, clock):
    incident, page = _open(window, desk)
    overview = page.tab_pages["Overview"]
    page.tabs.setCurrentWidget(overview)
    overview.clock_field.setCurrentIndex(overview.clock_field.findData("alerted_at"))
    overview.clock_value.setText("2020-01-01T00:00Z")  # before the impact started: refused, says why
    overview.save_clock()
    assert "before" in overview.clock_error.text()
    alerted = clock.now - timedelta(minutes=2)
    overview.clock_value.setText(alerted.strftime("%Y-%m-%dT%H:%M:%SZ"))
    overview.save_clock()
    assert desk.get(incident.id).clock.alerted_at == alerted

    comms = page.tab_pages["Comms"]
    page.tabs.setCurrentWidget(comms)
    comms.log_message()
    assert "message" in comms.error.text()
    comms.log_channel.setCurrentIndex(comms.log_channel.findData("executive"))
    qtbot.keyClicks(comms.log_text, "Briefed the CTO by phone")
    qtbot.keyClick(comms.log_text, Qt.Key.Key_Return)
    (entry,) = desk.get(incident.id).communications
    assert entry.message == "Briefed the CTO by phone" and entry.channel.value == "executive"
    assert comms.log.item(0, 4).text() == "Briefed the CTO by phone"
