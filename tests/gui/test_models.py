"""Every table model of the window passes pytest-qt's model tester, with real data from a workspace."""

from __future__ import annotations

from datetime import date, timedelta

from incident_desk.app.outbox import Outbox
from incident_desk.domain import Status
from incident_desk.gui.models.action_items import ActionItemFilterProxy, ActionItemModel, BoardRow
from incident_desk.gui.models.incident_table import IncidentFilterProxy, IncidentTableModel
from incident_desk.gui.models.outbox import OutboxModel
from incident_desk.gui.models.timeline import TimelineModel
from incident_desk.domain.summary import summarize

from .conftest import declare


def _three(desk, clock):
    first = declare(desk, "Checkout returns 500", customer_impact_pct=60)
    clock.advance(hours=1)
    second = declare(desk, "Search is slow", customer_impact_pct=5)
    desk.transition(second.id, Status.RESOLVED)
    clock.advance(hours=1)
    third = declare(desk, "Login fails for SSO users", customer_impact_pct=15)
    desk.add_action_item(first.id, title="Add config validation", owner="Platform", due=date(2026, 11, 20))
    desk.add_action_item(third.id, title="Alert on SSO errors", owner="Identity", priority="high",
                         due=date(2026, 12, 20))
    return first, second, third


def test_incident_model_and_filter(qtmodeltester, desk, clock):
    _three(desk, clock)
    model = IncidentTableModel()
    model.set_rows(desk.summaries())
    qtmodeltester.check(model)
    # active incidents first, the most severe first among them; resolved ones after
    statuses = [model.row_at(r).status for r in range(model.rowCount())]
    assert statuses[-1] is Status.RESOLVED and model.row_at(0).severity == "SEV-1"
    proxy = IncidentFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.set_filters(text="sso")
    assert proxy.rowCount() == 1 and proxy.index(0, 3).data() == "Login fails for SSO users"
    proxy.set_filters(text="", status=IncidentFilterProxy.ACTIVE)
    assert proxy.rowCount() == 2
    proxy.set_filters(status=None, severity="SEV-1")
    assert proxy.rowCount() == 1
    proxy.set_filters(severity=None, start_from=date(2030, 1, 1))
    assert proxy.rowCount() == 0
    qtmodeltester.check(proxy)
    # a changed incident updates its row in place; a new one is inserted where the order puts it
    proxy.set_filters(start_from=None)
    fourth = declare(desk, "Payments double-charged", customer_impact_pct=70)
    model.upsert(summarize(fourth))
    assert model.rowCount() == 4 and model.find_row(fourth.id) < model.find_row(desk.summaries()[1].id) + 4
    qtmodeltester.check(model)


def test_severity_shown_with_colour_and_text(desk, clock):
    _three(desk, clock)
    model = IncidentTableModel()
    model.set_rows(desk.summaries())
    from incident_desk.gui.qt import Qt

    index = model.index(0, 1)
    assert index.data() == "SEV-1 Critical"  # never colour alone
    background = index.data(Qt.ItemDataRole.BackgroundRole).color()
    foreground = index.data(Qt.ItemDataRole.ForegroundRole).color()
    # a readable contrast whatever the palette: the badge sets both colours itself
    assert abs(background.lightness() - foreground.lightness()) > 100


def test_timeline_model(qtmodeltester, desk, clock):
    first, *_ = _three(desk, clock)
    for minutes in (3, 1, 2):
        desk.add_event(first.id, f"event {minutes}", at=clock.now - timedelta(minutes=minutes))
    model = TimelineModel()
    model.set_rows(desk.get(first.id).timeline)
    qtmodeltester.check(model)
    times = [model.row_at(r).at for r in range(model.rowCount())]
    assert times == sorted(times)


def test_action_item_model_and_filter(qtmodeltester, desk, clock):
    _three(desk, clock)
    edits = []

    def edit(incident_id, item_id, changes):
        edits.append(changes)
        return desk.update_action_item(incident_id, item_id, changes)

    model = ActionItemModel(today=lambda: clock.now.date(), edit=edit)
    model.set_rows([BoardRow(s.id, s.title, item) for s, item in desk.action_items()])
    qtmodeltester.check(model)
    assert model.row_at(0).item.title == "Add config validation"  # overdue first
    assert "late)" in model.index(0, 5).data()
    proxy = ActionItemFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.set_filters(owner="ident")
    assert proxy.rowCount() == 1
    proxy.set_filters(owner="", priority="high")
    assert proxy.rowCount() == 1
    # in-place edits go through the desk; a bad date is refused with a message, nothing saved
    from incident_desk.gui.qt import Qt

    assert not model.setData(model.index(1, 5), "next tuesday", Qt.ItemDataRole.EditRole)
    assert "not a date" in model.last_error and edits == []
    assert model.setData(model.index(1, 4), "Identity team", Qt.ItemDataRole.EditRole)
    assert model.index(1, 4).data() == "Identity team"
    assert not model.setData(model.index(1, 4), "   ", Qt.ItemDataRole.EditRole)
    assert "owner" in model.last_error


def test_outbox_model(qtmodeltester, desk, clock, workspace_path, monkeypatch):
    from incident_desk.app.wiring import notify_service
    from tests.plugins.outbox_helpers import webhook_env, webhook_yaml, write_notifiers

    first, *_ = _three(desk, clock)
    write_notifiers(workspace_path, webhook_yaml())
    for name, value in webhook_env("http://127.0.0.1:9/hook").items():
        monkeypatch.setenv(name, value)
    service = notify_service(desk)
    service.notify(first.id, "internal_alert")
    service.notify(first.id, "status_investigating")
    model = OutboxModel()
    model.set_rows(Outbox(workspace_path).messages())
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and {model.index(r, 3).data() for r in range(2)} == {"pending"}
