"""Editing and deleting timeline events through the window, each recorded in the audit trail."""

from __future__ import annotations

from incident_desk.gui.qt import QItemSelectionModel

from .conftest import declare


def test_edit_and_delete_an_event_with_audit(qtbot, window, desk):
    incident = declare(desk)
    window.feed.poll()
    window.open_incident(incident.id)
    page = window.page
    timeline = page.tab_pages["Timeline"]
    page.tabs.setCurrentWidget(timeline)
    timeline.scribe.setText("Restrated the gateway")
    event = timeline.add_note()

    row = timeline.model.find_row(event.id)
    timeline.view.selectionModel().setCurrentIndex(timeline.model.index(row, 0),
                                                   QItemSelectionModel.SelectionFlag.ClearAndSelect)
    dialog = timeline.edit_selected()
    dialog.text.setText("")
    assert not dialog.save() and "must not be empty" in dialog.error.text()
    dialog.text.setText("Restarted the gateway")
    assert dialog.save()
    stored = desk.get(incident.id)
    assert any(e.id == event.id and e.text == "Restarted the gateway" for e in stored.timeline)

    row = timeline.model.find_row(event.id)
    timeline.view.selectionModel().setCurrentIndex(timeline.model.index(row, 0),
                                                   QItemSelectionModel.SelectionFlag.ClearAndSelect)
    timeline.delete_selected(confirm=False)
    assert all(e.id != event.id for e in desk.get(incident.id).timeline)
    actions = [r.action for r in desk.audit_trail(incident.id)]
    assert "timeline edit" in actions and "timeline delete" in actions

    # status changes are part of the lifecycle record: deleting one is refused with a reason
    status_row = next(r for r in range(timeline.model.rowCount()) if timeline.model.row_at(r).kind.value == "status")
    timeline.view.selectionModel().setCurrentIndex(timeline.model.index(status_row, 0),
                                                   QItemSelectionModel.SelectionFlag.ClearAndSelect)
    timeline.delete_selected(confirm=False)
    assert "cannot be deleted" in page.banner.text()
