"""The action-item board's in-place edits (a recurring item comes back) and export/import off the GUI thread."""

from __future__ import annotations

import json
from datetime import date

from incident_desk.domain import WorkStatus
from incident_desk.gui.qt import Qt

from .conftest import declare


def test_completing_a_recurring_item_on_the_board_shows_its_next_occurrence(qtbot, window, desk, clock):
    incident = declare(desk)
    desk.add_action_item(incident.id, title="Run the failover drill", owner="SRE", due=date(2026, 12, 1),
                         recurrence="quarterly")
    window.nav.setCurrentRow(1)
    board = window.board
    board.status.setCurrentIndex(board.status.findData(None))
    assert board.model.rowCount() == 1
    status_index = board.model.index(0, 6)
    with qtbot.waitSignal(board.sig_notice, timeout=5000) as notice:
        assert board.model.setData(status_index, WorkStatus.DONE.value, Qt.ItemDataRole.EditRole)
    assert "next occurrence A2 is due 2027-03-01" in notice.args[0]
    qtbot.waitUntil(lambda: board.model.rowCount() == 2, timeout=5000)
    items = {r.item.id: r.item for r in board.model.rows}
    assert items["A1"].status is WorkStatus.DONE and items["A2"].due == date(2027, 3, 1)
    assert [a.id for a in desk.get(incident.id).action_items] == ["A1", "A2"]


def test_a_refused_board_edit_says_why_beside_the_table(qtbot, window, desk):
    incident = declare(desk)
    desk.add_action_item(incident.id, title="Rotate keys", owner="Security", due=date(2026, 12, 1))
    window.nav.setCurrentRow(1)
    board = window.board
    view = board.view
    index = board.proxy.index(0, 5)
    view.edit(index)
    editor = view.indexWidget(index) or view.focusWidget()
    editor.setText("someday")
    board.delegate.setModelData(editor, board.proxy, index)
    assert "not a date" in board.error.text() and not board.error.isHidden()
    assert desk.get(incident.id).action_items[0].due == date(2026, 12, 1)


def test_export_and_import_run_off_the_gui_thread(qtbot, window, desk, tmp_path):
    incident = declare(desk)
    window.list.set_summaries(desk.summaries())
    window.open_incident(incident.id)
    target = tmp_path / "out" / "incident.json"
    target.parent.mkdir()
    state = window.export_to(incident.id, str(target))
    qtbot.waitUntil(lambda: state.done.is_set() and target.exists(), timeout=10000)
    document = json.loads(target.read_text())
    assert document["incident"]["id"] == incident.id and document["audit_head"]

    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with qtbot.waitSignal(window.messages.sig_shown, timeout=10000) as shown:
        window.import_from(str(bad))
    assert shown.args[0] == "Import refused" and "bad.json" in shown.args[1]
    assert len(desk.summaries()) == 1
