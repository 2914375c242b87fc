"""Issue 8, failures 4 and 5: hooks get read-only views; hooks for timeline events, communications, action
items and status; per-plugin settings from plugins.yaml; a plugin installed twice loads once; a plugin with
no hooks is reported. Through the desk (and the plugin test harness plugin authors use)."""

from __future__ import annotations

import json
import threading

import pytest

from incident_desk import Incident, hookimpl
from incident_desk.app.wiring import open_desk
from incident_desk.cli.main import main
from incident_desk.plugin import Plugins
from incident_desk.testing import PluginHarness


class Mutator:
    """Tries every way of changing what it was given."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    @hookimpl
    def incident_did_declare(self, incident):
        for attempt in (lambda: setattr(incident, "title", "Hijacked"), lambda: incident.tags.append("hijacked"),
                        lambda: setattr(incident.clock, "declared_at", None),
                        lambda: incident.facts.__setattr__("customer_impact_pct", 0)):
            try:
                attempt()
            except TypeError as error:
                self.refused.append(str(error))
        incident.title = "Hijacked"  # and finally fails like a careless plugin would


class Observer:
    def __init__(self) -> None:
        self.seen: list[tuple[str, list[str], bool]] = []
        self.go = threading.Event()

    @hookimpl
    def incident_did_declare(self, incident):
        self.seen.append((incident.title, list(incident.tags), isinstance(incident, Incident)))


def test_a_mutating_plugin_changes_nothing_for_the_next_plugin_or_the_caller(tmp_path):
    mutator, observer = Mutator(), Observer()
    plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[mutator, observer])
    with open_desk(tmp_path / "ws", create=True, actor="dana", plugins=plugins) as desk:
        declared = desk.declare(title="Checkout down", tags=["payments"])
        assert declared.title == "Checkout down" and declared.tags == ["payments"]
        assert desk.get(declared.id).title == "Checkout down"
        assert observer.seen == [("Checkout down", ["payments"], True)]
        assert len(mutator.refused) == 4 and all("read-only in a hook" in r for r in mutator.refused)
        (failure,) = desk.plugin_failures
        assert failure.hook == "incident_did_declare" and "incident.title is read-only in a hook" in failure.error
        private = None

        class Copier:
            @hookimpl
            def status_did_change(self, incident):
                nonlocal private
                private = incident.model_copy()
                private.title = "My own copy"

        plugins.add(Copier())
        desk.acknowledge(declared.id)
        assert private.title == "My own copy" and desk.get(declared.id).title == "Checkout down"


def test_hooks_for_timeline_communications_action_items_and_status(tmp_path):
    with PluginHarness(tmp_path) as harness:
        incident = harness.declare("Checkout down", customer_impact_pct=100)
        desk = harness.desk
        desk.add_event(incident.id, "Rolled back 4.2", kind="action")
        desk.add_communication(incident.id, "Investigating", channel="status_page")
        item = desk.add_action_item(incident.id, title="Add config validation", owner="Platform", priority="high")
        desk.update_action_item(incident.id, item.id, {"status": "in_progress"})
        desk.acknowledge(incident.id)
        calls = harness.events
        names = [name for name, _ in calls]
        for hook in ("incident_did_declare", "timeline_event_did_add", "communication_did_add",
                     "action_item_did_add", "action_item_did_change", "status_did_change"):
            assert hook in names, hook
        events = [args["event"].text for name, args in calls if name == "timeline_event_did_add"]
        assert "Rolled back 4.2" in events
        (change,) = [args for name, args in calls if name == "action_item_did_change"]
        assert (change["previous"].status.value, change["item"].status.value) == ("not_started", "in_progress")
        (added,) = [args for name, args in calls if name == "communication_did_add"]
        assert added["entry"].message == "Investigating"
        assert harness.failures == []


def ticket_plugin(received: list):
    from pydantic import BaseModel, Field

    class Settings(BaseModel, extra="forbid"):
        project: str = Field(pattern=r"^[A-Z]{2,10}$")
        only_severities: list[str] = ["SEV-1"]

    class TicketSync:
        @hookimpl
        def register_settings(self, register):
            register(Settings)

        @hookimpl
        def incident_did_declare(self, incident, settings):
            received.append((incident.id, settings.project, list(settings.only_severities)))

    return TicketSync()


def test_plugin_settings_come_from_plugins_yaml_validated_by_the_plugins_model(tmp_path):
    received: list = []
    with PluginHarness(tmp_path, plugins=[ticket_plugin(received)]) as harness:
        name = next(p.name for p in harness.plugins.plugins if p.name.startswith("TicketSync"))
        assert harness.configure_plugins({name: {"project": "OPS"}}) == []
        first = harness.declare("Checkout down")
        assert received == [(first.id, "OPS", ["SEV-1"])]

        problems = harness.configure_plugins({name: {"project": "ops", "colour": "red"}})
        path = harness.workspace_path / "plugins.yaml"
        assert any(f"{path}:3: {name}.project: String should match pattern" in p for p in problems), problems
        assert any(f"{name}.colour: Extra inputs are not permitted" in p for p in problems), problems
        harness.declare("Search slow")
        assert len(received) == 1  # its hooks are skipped while its settings are invalid, and it says so
        assert any(f.kind == "skipped" and "plugins.yaml" in f.error for f in harness.desk.plugin_failures)


def test_a_plugin_installed_twice_is_loaded_once_and_reported(tmp_path, monkeypatch):
    site, drop_in = tmp_path / "site", tmp_path / "drop-in"
    site.mkdir()
    drop_in.mkdir()
    source = ("from incident_desk import hookimpl\nCALLS = []\n"
              "@hookimpl\ndef incident_did_declare(incident):\n    CALLS.append(incident.id)\n")
    (site / "dupe_plugin.py").write_text(source)
    (drop_in / "dupe_plugin.py").write_text(source)
    dist = site / "dupe_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: dupe-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[incident_desk]\ndupe = dupe_plugin\n")
    monkeypatch.syspath_prepend(str(site))
    plugins = Plugins.load(entry_points=True, plugins_dir=drop_in)
    loaded = [p for p in plugins.plugins if p.module == "dupe_plugin"]
    assert [(p.name, p.source) for p in loaded] == [("dupe", "entry_point")]
    (duplicate,) = [f for f in plugins.failures if f.kind == "duplicate"]
    assert duplicate.plugin == "dupe_plugin"
    assert f"installed twice: as entry_point dupe-plugin 1.0 (dupe_plugin) and as drop-in {drop_in / 'dupe_plugin.py'}" \
        in duplicate.error
    import dupe_plugin

    with open_desk(tmp_path / "ws", create=True, actor="dana", plugins=plugins) as desk:
        declared = desk.declare(title="Checkout down")
    assert dupe_plugin.CALLS == [declared.id]  # its hook ran once


def test_a_plugin_with_no_hooks_is_reported(tmp_path, monkeypatch, capsys):
    drop_in = tmp_path / "drop-in"
    drop_in.mkdir()
    (drop_in / "forgetful.py").write_text("def register_notifiers(register):\n    pass\n")
    (drop_in / "empty.py").write_text("X = 1\n")
    monkeypatch.setenv("INCIDENT_DESK_PLUGINS_DIR", str(drop_in))
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(tmp_path / "none"))
    assert main(["plugins", "--json"]) == 0
    failed = {f["plugin"]: f for f in json.loads(capsys.readouterr().out)["failed"]}
    assert failed["forgetful"]["kind"] == "no_hooks"
    assert "register_notifiers is not marked with @incident_desk.hookimpl" in failed["forgetful"]["error"]
    assert failed["empty"]["kind"] == "no_hooks"
    assert main(["plugins"]) == 0
    assert "forgetful: load: implements no hooks" in capsys.readouterr().out


@pytest.mark.parametrize("limit,text", [(1.99996, "2 s"), (0.25, "0.25 s"), (30, "30 s"), (120, "2 min")])
def test_time_limits_are_worded_for_people(limit, text):
    class Hanger:
        release = threading.Event()

        @hookimpl
        def incident_did_declare(self, incident):
            Hanger.release.wait(5)

    plugins = Plugins(event_timeout=limit if limit < 1 else 0.05)
    plugins.add(Hanger())
    from incident_desk.plugin.wording import seconds

    assert seconds(limit) == text
    from datetime import datetime, timezone

    from incident_desk.domain import Clock

    now = datetime(2025, 1, 15, tzinfo=timezone.utc)
    (failure,) = plugins.incident_did_declare(Incident(id="INC-2025-001", title="x",
                                                       clock=Clock(started_at=now, declared_at=now)))
    Hanger.release.set()
    assert failure.error == f"did not finish within {seconds(plugins.event_timeout)}; abandoned"
