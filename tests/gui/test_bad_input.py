"""Bad input in every dialog and form: a message beside the field, no exception dialog, nothing lost."""

from __future__ import annotations

from incident_desk.gui.qt import Qt

from .conftest import declare


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_declare_dialog_marks_each_bad_field_and_saves_nothing(qtbot, window, desk):
    dialog = window.declare()
    qtbot.keyClicks(dialog.facts.inputs["customer_impact_pct"], "150")
    qtbot.keyClicks(dialog.facts.inputs["customers_affected"], "lots")
    qtbot.keyClicks(dialog.started, "yesterday-ish")
    dialog.override.setCurrentIndex(dialog.override.findData("SEV-1"))
    click(qtbot, dialog.declare_button)
    assert dialog.isVisible() and desk.summaries() == []
    assert not dialog.title_error.isHidden() and "title" in dialog.title_error.text()
    assert "100" in dialog.facts.errors["customer_impact_pct"].text()
    assert not dialog.facts.errors["customers_affected"].isHidden()
    assert not dialog.started_error.isHidden()
    assert "reason" in dialog.reason_error.text()
    assert "nothing was saved" in dialog.general_error.text()
    assert window.messages.last is None  # no exception dialog
    # fixing them keeps everything else that was typed, and declares with the override and its reason
    qtbot.keyClicks(dialog.title_edit, "Checkout errors")
    dialog.facts.inputs["customer_impact_pct"].setText("15")
    dialog.facts.inputs["customers_affected"].setText("1,200")
    dialog.started.clear()
    qtbot.keyClicks(dialog.reason, "Only internal test tenants affected")
    click(qtbot, dialog.declare_button)
    (summary,) = desk.summaries()
    assert summary.severity == "SEV-1" and summary.severity_computed == "SEV-2" and summary.overridden and summary.facts.customers_affected == 1200


def test_settings_dialog_refuses_an_unknown_zone_and_a_folder_that_is_no_workspace(qtbot, window, tmp_path):
    dialog = window.open_settings()
    dialog.zone.setCurrentText("Mars/Olympus_Mons")
    assert not dialog.apply()
    assert "not a time zone" in dialog.zone_error.text() and dialog.isVisible()
    dialog.workspace.setText(str(tmp_path))
    assert not dialog.switch(create=False)
    assert "no workspace.json" in dialog.workspace_error.text()
    (tmp_path / "stuff.txt").write_text("x")
    assert not dialog.switch(create=True)
    assert "not an empty folder" in dialog.workspace_error.text()
    dialog.zone.setCurrentText("Europe/Berlin")
    qtbot.keyClicks(dialog.user, "Dana Scully")
    assert dialog.apply()
    assert window.session.desk.actor == "Dana Scully"


def test_settings_dialog_shows_notifier_configuration_errors(qtbot, window, workspace_path):
    (workspace_path / "notifiers.yaml").write_text("ops:\n  type: webhook\n  url: env:U\n  retries: 3\n")
    dialog = window.open_settings()
    text = dialog.notifier_problems.text()
    assert "Problems" in text and "notifiers.yaml" in text and "retries" in text


def test_page_forms_show_errors_beside_their_fields(qtbot, window, desk):
    incident = declare(desk)
    window.feed.poll()
    window.open_incident(incident.id)
    page = window.page
    revision = desk.get(incident.id).revision

    timeline = page.tab_pages["Timeline"]
    page.tabs.setCurrentWidget(timeline)
    qtbot.keyClicks(timeline.scribe, "Paged the DBA")
    qtbot.keyClicks(timeline.at, "25:99")
    qtbot.keyClick(timeline.scribe, Qt.Key.Key_Return)
    assert "time" in timeline.error.text() and timeline.scribe.text() == "Paged the DBA"

    roles = page.tab_pages["Roles"]
    page.tabs.setCurrentWidget(roles)
    roles.assign()
    assert "person" in roles.error.text()

    items = page.tab_pages["Actions"]
    page.tabs.setCurrentWidget(items)
    qtbot.keyClicks(items.item_title, "Rotate the certificate")
    qtbot.keyClicks(items.due, "31/12/2026")
    items.add()
    assert "owner" in items.owner_error.text() and items.item_title.text() == "Rotate the certificate"

    investigation = page.tab_pages["Investigation"]
    page.tabs.setCurrentWidget(investigation)
    investigation.add_why_row()
    investigation.save()
    assert "needs both a question and an answer" in investigation.whys_error.text()

    overview = page.tab_pages["Overview"]
    page.tabs.setCurrentWidget(overview)
    overview.facts.inputs["support_tickets"].setText("-4")
    overview.save_facts()
    assert not overview.facts.errors["support_tickets"].isHidden()
    overview.override()
    assert "reason" in overview.override_error.text()
    overview.title_edit.clear()
    overview.save_identity()
    assert "title" in overview.identity_error.text()

    postmortem = page.tab_pages["Post-mortem"]
    page.tabs.setCurrentWidget(postmortem)
    qtbot.keyClicks(postmortem.held, "after lunch")
    postmortem.save()
    assert "held" in postmortem.error.text()

    assert desk.get(incident.id).revision == revision  # nothing was written
    assert window.messages.last is None
