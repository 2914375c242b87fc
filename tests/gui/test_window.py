"""The main window's frame: navigation, shortcuts, remembered layout, the why-dialog, the outbox screen."""

from __future__ import annotations

from incident_desk.gui.main_window import SCREENS
from incident_desk.gui.qt import QKeySequence, Qt, QTextBrowser

from .conftest import declare


def test_navigation_has_every_screen_and_placeholders_say_what_comes(window):
    names = [window.nav.item(n).text() for n in range(window.nav.count())]
    assert names[:3] == ["Incidents", "Action items", "Outbox"]
    assert all("(soon)" in name for name in names[3:])
    for row, _name in enumerate(SCREENS):
        window.nav.setCurrentRow(row)
        assert window.stack.currentIndex() == row
    assert "backtest" in window.screens["Rules"].findChild(type(window.status_clock), "placeholderHint").text()


def test_shortcuts_drive_the_window(qtbot, window, desk, clock):
    first = declare(desk, "Checkout returns 500")
    clock.advance(minutes=5)
    second = declare(desk, "Search is slow")
    window.list.set_summaries(desk.summaries())
    assert window.commands["declare"].shortcut() == QKeySequence("Ctrl+N")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.list.search.hasFocus()
    qtbot.keyClicks(window.list.search, "search")
    assert window.list.proxy.rowCount() == 1
    window.list.search.clear()
    window.commands["next"].trigger()
    shown = window.page.incident.id
    window.commands["next"].trigger()
    assert window.page.incident.id != shown and {shown, window.page.incident.id} == {first.id, second.id}
    window.commands["previous"].trigger()
    assert window.page.incident.id == shown
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert desk.get(shown).clock.acknowledged_at == clock.now
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialogs = [d for d in window.findChildren(type(window.declare())) if d.isVisible()]
    assert dialogs and dialogs[0].windowTitle() == "Declare an incident"


def test_window_layout_is_remembered(qtbot, make_window, desk, settings):
    window = make_window(desk)
    window.resize(792, 530)  # within the offscreen screen, which restoreGeometry respects
    window.splitter.setSizes([200, 300])
    sizes, size = window.splitter.sizes(), (window.size().width(), window.size().height())
    window.close()
    again = make_window(desk)
    assert (again.size().width(), again.size().height()) == size
    assert again.splitter.sizes() == sizes


def test_clicking_the_severity_shows_why(qtbot, window, desk):
    incident = declare(desk, customer_impact_pct=60)
    window.list.set_summaries(desk.summaries())
    window.open_incident(incident.id)
    qtbot.mouseClick(window.page.severity, Qt.MouseButton.LeftButton)
    dialog = next(d for d in window.page.findChildren(type(window.page.show_why())) if d.objectName() == "whyDialog")
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "SEV-1" in text and "sev1-widespread-customer-impact" in text and "60%" in text


def test_header_clocks_tick_and_turn_red_when_overdue(qtbot, window, desk, clock):
    incident = declare(desk, customer_impact_pct=60)  # SEV-1: acknowledge within minutes
    window.list.set_summaries(desk.summaries())
    window.open_incident(incident.id)
    page = window.page
    before = page.clock_labels["elapsed"].text()
    clock.advance(hours=2)
    page.tick()
    assert page.clock_labels["elapsed"].text() != before
    target = page.clock_labels["target_acknowledge"]
    assert target.text().startswith("overdue") and "color" in target.styleSheet()
