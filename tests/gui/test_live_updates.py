"""Changes made by other processes appear in the open window; a stale edit is refused and the text kept."""

from __future__ import annotations

import os
import subprocess
import sys

from incident_desk.domain import Status
from incident_desk.gui.qt import Qt

from .conftest import declare


def cli(workspace_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INCIDENT_DESK_WORKSPACE": str(workspace_path), "INCIDENT_DESK_USER": "Lee (CLI)"}
    return subprocess.run([sys.executable, "-m", "incident_desk", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def test_a_cli_change_appears_in_the_list_and_the_open_incident(qtbot, window, desk, workspace_path):
    incident = declare(desk)
    window.feed.poll()
    window.open_incident(incident.id)
    assert window.page.incident.id == incident.id

    done = cli(workspace_path, "timeline", "add", incident.id, "Gateway team paged from the CLI", "--kind", "action")
    assert done.returncode == 0, done.stderr
    timeline = window.page.tab_pages["Timeline"]
    window.page.tabs.setCurrentWidget(timeline)
    qtbot.waitUntil(lambda: any(e.text == "Gateway team paged from the CLI" for e in timeline.model.rows),
                    timeout=10000)

    done = cli(workspace_path, "ack", incident.id)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: window.page.status_label.text() == "Status: Investigating", timeout=10000)
    row = window.list.model.find_row(incident.id)
    qtbot.waitUntil(lambda: window.list.model.index(row, 2).data() == "Investigating", timeout=10000)

    done = cli(workspace_path, "declare", "DNS fails in eu-west", "--service", "dns", "--fact", "customer_impact_pct=12")
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: window.list.model.rowCount() == 2, timeout=10000)
    assert any(s.title == "DNS fails in eu-west" for s in window.list.model.rows)


def test_a_conflicting_edit_is_refused_with_what_changed_and_the_typed_text_survives(qtbot, window, desk,
                                                                                   workspace_path):
    incident = declare(desk)
    window.feed.poll()
    window.open_incident(incident.id)
    page = window.page
    investigation = page.tab_pages["Investigation"]
    page.tabs.setCurrentWidget(investigation)
    qtbot.keyClicks(investigation.primary, "Expired TLS certificate on the gateway")

    # meanwhile someone else changes the same part of the record from the command line
    done = cli(workspace_path, "investigation", "set", incident.id, "--primary-cause", "Bad deploy of 4.2")
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: page.incident.revision > incident.revision, timeout=10000)  # the page reloaded
    assert investigation.primary.text() == "Expired TLS certificate on the gateway"  # being edited: kept

    save = investigation.findChild(type(page.buttons["acknowledge"]), "saveInvestigation")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    message = page.banner.text()
    assert page.banner.isVisible() and "Not saved" in message
    assert "Lee (CLI)" in message and "investigation" in message  # names who changed what
    assert investigation.primary.text() == "Expired TLS certificate on the gateway"
    assert desk.get(incident.id).investigation.primary_cause == "Bad deploy of 4.2"  # nothing overwritten

    # having seen the message, saving again applies the typed text on top of the latest
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert desk.get(incident.id).investigation.primary_cause == "Expired TLS certificate on the gateway"
    assert not page.banner.isVisible()


def test_a_refused_transition_explains_why(qtbot, window, desk):
    incident = declare(desk)
    window.feed.poll()
    window.open_incident(incident.id)
    page = window.page
    assert not page.buttons[Status.CLOSED].isEnabled()
    assert "can go to" in page.buttons[Status.CLOSED].toolTip()
    page.transition(Status.CLOSED)  # e.g. from a shortcut
    assert page.banner.isVisible() and "cannot go from declared to closed" in page.banner.text()
    assert desk.get(incident.id).status is Status.DECLARED
