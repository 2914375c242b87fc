"""The whole story of an incident, driven through the real widgets of the window (offscreen)."""

from __future__ import annotations

from datetime import timedelta

from incident_desk.domain import Role, Status
from incident_desk.gui.models.rows import ROW_ROLE
from incident_desk.gui.qt import Qt, QTableWidgetItem

from tests.plugins.outbox_helpers import webhook_env, webhook_yaml, write_notifiers
from tests.plugins.receivers import HttpReceiver


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_declare_to_overdue_action_item_through_the_window(qtbot, window, desk, clock, monkeypatch, workspace_path):
    receiver = HttpReceiver()
    try:
        _story(qtbot, window, desk, clock, monkeypatch, workspace_path, receiver)
    finally:
        receiver.close()


def _story(qtbot, window, desk, clock, monkeypatch, workspace_path, receiver):
    # declare: facts typed, the severity and its explanation follow as you type
    dialog = window.declare()
    qtbot.keyClicks(dialog.title_edit, "Checkout returns 500 for card payments")
    qtbot.keyClicks(dialog.services, "checkout, payments")
    qtbot.keyClicks(dialog.facts.inputs["customer_impact_pct"], "5")
    qtbot.waitUntil(lambda: dialog.badge.text().startswith("SEV-3"))
    assert "customer_impact_pct" not in dialog.facts.errors or dialog.facts.errors["customer_impact_pct"].isHidden()
    qtbot.keyClicks(dialog.facts.inputs["customer_impact_pct"], "5")  # now 55 %
    qtbot.waitUntil(lambda: dialog.badge.text().startswith("SEV-1"))
    explanation = dialog.explanation.toPlainText()
    assert "sev1-widespread-customer-impact" in explanation and "✔ matched" in explanation
    assert "55%" in explanation  # the actual value beside the criterion
    qtbot.keyClicks(dialog.started, "09:40")  # backfilled impact start, 20 minutes ago
    click(qtbot, dialog.declare_button)
    assert not dialog.isVisible()
    (summary,) = desk.summaries()
    incident_id = summary.id
    assert summary.severity == "SEV-1" and summary.clock.started_at == clock.now - timedelta(minutes=20)

    # it is in the list, selected, and the page shows it
    assert window.list.model.find_row(incident_id) >= 0
    assert window.list.current_id() == incident_id
    page = window.page
    assert page.id_label.text() == incident_id and "SEV-1" in page.badge.text()
    assert page.clock_labels["elapsed"].text() == "00:20:00"

    # the scribe: type, Enter, stamped now
    window.commands["note"].trigger()
    timeline = page.tab_pages["Timeline"]
    assert page.tabs.currentWidget() is timeline
    clock.advance(minutes=1)
    qtbot.keyClicks(timeline.scribe, "Rolled back release 4.2")
    qtbot.keyClick(timeline.scribe, Qt.Key.Key_Return)
    texts = [timeline.model.index(r, 2).data() for r in range(timeline.model.rowCount())]
    assert texts[-1] == "Rolled back release 4.2" and timeline.scribe.text() == ""
    stored = desk.get(incident_id)
    assert stored.timeline[-1].text == "Rolled back release 4.2" and stored.timeline[-1].at == clock.now
    # a backfilled alert lands where it belongs in time
    timeline.kind.setCurrentIndex(timeline.kind.findData("alert"))
    qtbot.keyClicks(timeline.scribe, "Error-rate alert fired")
    qtbot.keyClicks(timeline.at, "09:41")
    qtbot.keyClick(timeline.scribe, Qt.Key.Key_Return)
    alert_row = next(r for r in range(timeline.model.rowCount())
                     if timeline.model.index(r, 2).data() == "Error-rate alert fired")
    assert alert_row < texts.index("Rolled back release 4.2") + 1

    # acknowledge
    click(qtbot, page.buttons["acknowledge"])
    assert desk.get(incident_id).status is Status.INVESTIGATING
    assert not page.buttons["acknowledge"].isEnabled()

    # role handover
    roles = page.tab_pages["Roles"]
    page.tabs.setCurrentWidget(roles)
    roles.role.setCurrentIndex(roles.role.findData(Role.INCIDENT_COMMANDER.value))
    qtbot.keyClicks(roles.person, "Sam")
    click(qtbot, roles.findChild(type(page.buttons["acknowledge"]), "assignRole"))
    stored = desk.get(incident_id)
    assert [h.person for h in stored.current_holders(Role.INCIDENT_COMMANDER)] == ["Sam"]
    assert any(a.person == "Dana" and a.relieved_at is not None for a in stored.roles)
    assert "Commander: Sam" == page.commander_label.text()

    # a communication through the webhook notifier to a real HTTP receiver
    write_notifiers(workspace_path, webhook_yaml("ops-hook"))
    for name, value in webhook_env(receiver.url("/hook")).items():
        monkeypatch.setenv(name, value)
    comms = page.tab_pages["Comms"]
    page.tabs.setCurrentWidget(comms)
    comms.template.setCurrentIndex(comms.template.findData("status_investigating"))
    assert "Subject:" in comms.preview_text.toPlainText()
    comms.check_notifier("ops-hook")
    click(qtbot, comms.send_button)
    qtbot.waitUntil(lambda: len(receiver.requests) == 1, timeout=15000)
    assert receiver.requests[0].json()["incident_id"] == incident_id
    qtbot.waitUntil(lambda: comms.log.rowCount() >= 1 and "ops-hook: sent" in comms.log.item(0, 3).text(),
                    timeout=15000)

    # mitigate (keyboard action), then resolve (button)
    clock.advance(minutes=30)
    window.commands["mitigate"].trigger()
    assert desk.get(incident_id).status is Status.MONITORING
    clock.advance(minutes=30)
    click(qtbot, page.buttons[Status.RESOLVED])
    assert desk.get(incident_id).status is Status.RESOLVED
    assert page.clock_labels["elapsed"].text() == "01:21:00"  # 20 min before declaring, then 1 + 30 + 30

    # the 5 whys
    investigation = page.tab_pages["Investigation"]
    page.tabs.setCurrentWidget(investigation)
    qtbot.keyClicks(investigation.primary, "Bad config pushed to the payment gateway")
    for question, answer in (("Why did checkout fail?", "The gateway rejected every call"),
                             ("Why did it reject them?", "Its TLS config was replaced"),
                             ("Why was it replaced?", "The deploy had no config validation")):
        click(qtbot, investigation.findChild(type(page.buttons["acknowledge"]), "addWhy"))
        row = investigation.whys.rowCount() - 1
        investigation.whys.setItem(row, 0, QTableWidgetItem(question))
        investigation.whys.setItem(row, 1, QTableWidgetItem(answer))
    qtbot.keyClicks(investigation.root, "No validation of gateway config before deploy")
    click(qtbot, investigation.findChild(type(page.buttons["acknowledge"]), "saveInvestigation"))
    inv = desk.get(incident_id).investigation
    assert [w.answer for w in inv.whys][-1] == "The deploy had no config validation"
    assert inv.root_cause == "No validation of gateway config before deploy"

    # the post-mortem
    postmortem = page.tab_pages["Post-mortem"]
    page.tabs.setCurrentWidget(postmortem)
    postmortem.sections["went_well"].setPlainText("Rollback took two minutes")
    postmortem.sections["lessons"].setPlainText("Validate config in CI\nPage the gateway team early")
    qtbot.keyClicks(postmortem.facilitator, "Priya")
    click(qtbot, postmortem.findChild(type(page.buttons["acknowledge"]), "savePostmortem"))
    pm = desk.get(incident_id).postmortem
    assert pm.went_well == ["Rollback took two minutes"] and len(pm.lessons) == 2 and pm.facilitator == "Priya"

    # an action item due in two days
    items = page.tab_pages["Actions"]
    page.tabs.setCurrentWidget(items)
    due = (clock.now + timedelta(days=2)).date()
    qtbot.keyClicks(items.item_title, "Add config validation to the deploy pipeline")
    qtbot.keyClicks(items.owner, "Platform")
    qtbot.keyClicks(items.due, due.isoformat())
    click(qtbot, items.findChild(type(page.buttons["acknowledge"]), "addItem"))
    (item,) = desk.get(incident_id).action_items
    assert item.due == due and item.owner == "Platform"

    # on the board: open, not overdue; three days later it is overdue and listed first
    window.nav.setCurrentRow(1)
    board = window.board
    board.status.setCurrentIndex(board.status.findData("overdue"))
    assert board.proxy.rowCount() == 0
    clock.advance(days=3)
    board.load()
    assert board.proxy.rowCount() == 1
    row = board.proxy.index(0, 0).data(ROW_ROLE)
    assert row.item.title == "Add config validation to the deploy pipeline"
    assert "(1d late)" in board.proxy.index(0, 5).data()
