"""Issue 8, failures 1, 2 and 7: one broken notifier (a typo, or a plugin that did not load) disables that
notifier only, loudly; escalation checks use the configured notifiers; `watch` counts what was not sent
and reloads its configuration. Through the real command line, against real receivers on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from incident_desk.app.notify_service import NotifyService, run_watch
from incident_desk.app.wiring import open_desk
from incident_desk.cli.main import main
from tests.cli_support import Result, run_cli
from incident_desk.store import Workspace

from .outbox_helpers import HOOK_SECRET


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "ws"
    drop_in = tmp_path / "drop-in"
    drop_in.mkdir()
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(path))
    monkeypatch.setenv("INCIDENT_DESK_USER", "dana")
    monkeypatch.setenv("INCIDENT_DESK_PLUGINS_DIR", str(drop_in))
    assert main(["init"]) == 0
    return path


@pytest.fixture
def cli(workspace, capsys):
    def run(*args: str) -> Result:
        return run_cli(capsys, *args)

    return run


NOTIFIERS = """\
desktop:
  type: desktop
ops-hook:
  type: webhook
  url: env:OPS_HOOK_URL
  hmac_secret: env:OPS_HOOK_SECRET
mm:
  type: webhook
  url: env:MM_URL
  chanel: ops
"""


def declare_sev1(cli) -> str:
    result = cli("declare", "Checkout down", "--fact", "customer_impact_pct=100", "--json")
    assert result.code == 0, result.err
    return result.out and json.loads(result.out)["id"]


def test_a_typo_in_one_entry_disables_that_notifier_only_and_says_so_everywhere(cli, workspace, receiver,
                                                                              monkeypatch):
    monkeypatch.setenv("OPS_HOOK_URL", receiver.url())
    monkeypatch.setenv("OPS_HOOK_SECRET", HOOK_SECRET)
    (workspace / "notifiers.yaml").write_text(NOTIFIERS, encoding="utf-8")
    reason = (f"notifier 'mm' is misconfigured: {workspace / 'notifiers.yaml'}:10: mm.chanel: "
              "Extra inputs are not permitted")
    incident_id = declare_sev1(cli)

    one = cli("notify", incident_id, "-t", "internal_alert", "--via", "ops-hook")
    assert one.code == 0, one.err
    assert len(receiver.requests) == 1
    assert reason in one.err  # loud, but the working notifier delivered

    desktop = cli("notify", incident_id, "-t", "internal_alert", "--via", "desktop")
    assert desktop.code == 0 and "sent" in desktop.out

    listing = cli("outbox")
    assert listing.code == 0
    assert f"NOT SENDING: {reason}" in listing.out

    everyone = cli("notify", incident_id, "-t", "internal_alert", "--json")
    assert everyone.code == 6  # something was not sent: say so with the exit code
    rows = {r["notifier"]: r for r in json.loads(everyone.out)["messages"]}
    assert rows["ops-hook"]["state"] == "sent" and rows["desktop"]["state"] == "sent"
    assert rows["mm"]["state"] == "not sent" and rows["mm"]["last_error"] == reason
    assert len(receiver.requests) == 2

    incident = Workspace.open(workspace).get(incident_id)
    last = incident.communications[-1]
    states = {d.notifier: (d.state.value, d.last_error) for d in last.deliveries}
    assert states["mm"] == ("failed", f"not sent: {reason}")
    assert states["ops-hook"][0] == "sent"
    assert any(e.text.endswith(f"not sent via mm: {reason}") for e in incident.timeline)

    plugins = cli("plugins", "--json")
    assert plugins.code == 0
    configured = json.loads(plugins.out)["configured"]
    assert configured["usable"] == ["desktop", "ops-hook"] and configured["misconfigured"] == {"mm": reason}


def test_a_configured_plugin_that_fails_to_import_disables_its_notifier_only(cli, workspace, tmp_path):
    (tmp_path / "drop-in" / "mattermost.py").write_text("import mattermost_sdk_that_is_not_installed\n")
    (workspace / "notifiers.yaml").write_text("desktop:\n  type: desktop\nmm:\n  type: mattermost\n  channel: ops\n")
    incident_id = declare_sev1(cli)
    sent = cli("notify", incident_id, "-t", "internal_alert", "--via", "desktop")
    assert sent.code == 0, sent.err
    assert "notifier 'mm' is misconfigured" in sent.err
    assert "mm.type: unknown notifier type 'mattermost'" in sent.err
    assert "plugin mattermost failed to load: cannot import" in sent.err
    assert "ModuleNotFoundError" in sent.err
    assert cli("outbox").code == 0


def test_watch_fires_through_the_good_notifiers_and_counts_what_was_not_sent(cli, workspace, monkeypatch):
    (workspace / "notifiers.yaml").write_text(NOTIFIERS, encoding="utf-8")
    monkeypatch.setenv("OPS_HOOK_URL", "http://127.0.0.1:9/never")
    rules = workspace / "rules" / "escalation.yaml"
    rules.write_text(rules.read_text().replace(
        "- notify: {notifier: desktop, target: executives", "- notify: {notifier: mm, target: executives", 1))
    with open_desk(workspace, actor="dana") as desk:
        now = datetime.now(timezone.utc)
        incident = desk.declare(title="Checkout down", facts={"customer_impact_pct": 100},
                                started_at=now - timedelta(minutes=10), declared_at=now - timedelta(minutes=10))
    watched = cli("watch", "--once")
    assert watched.code == 0, watched.err
    assert "NOT SENDING: notifier 'mm' is misconfigured" in watched.out
    assert "sent 1  failed 0  not sent 1" in watched.out  # the desktop step went out; mm did not
    assert "MISCONFIGURED NOTIFIERS 1" in watched.out
    assert (f"NOT SENT: {incident.id} sev1-unacknowledged#0: not sent: mm to executives: notifier 'mm' is "
            "misconfigured") in watched.out
    stored = Workspace.open(workspace).get(incident.id)
    record = next(r for r in stored.escalations if r.key == "sev1-unacknowledged#0")
    assert any(a.startswith("not sent: mm to executives: notifier 'mm' is misconfigured: ") and "mm.chanel" in a
               for a in record.actions)


def test_rules_checks_use_the_configured_notifiers(cli, workspace, tmp_path):
    assert cli("rules", "check").code == 0  # the default files agree out of the box
    rules = workspace / "rules" / "escalation.yaml"
    original = rules.read_text()
    rules.write_text(original.replace("{notifier: desktop, target: executives", "{notifier: email, target: executives", 1))
    refused = cli("rules", "check")
    assert refused.code == 4
    assert f"{rules}:21: policies[0].actions[0].notify.notifier: unknown notifier 'email'" in refused.err
    incident_id = declare_sev1(cli)
    assert cli("escalations", "due").code == 4
    assert cli("rules", "explain", incident_id).code == 4

    # a notifier type from a plugin, configured under any name, is a valid escalation notifier
    (tmp_path / "drop-in" / "pager.py").write_text(
        "from incident_desk import hookimpl\n"
        "from incident_desk.plugin import BaseNotifier, DeliveryResult, NotifierConfig\n"
        "class Pager(BaseNotifier):\n    name = 'pager'\n    config_model = NotifierConfig\n"
        "    def send(self, message, config):\n        return DeliveryResult.sent()\n"
        "@hookimpl\ndef register_notifiers(register):\n    register(Pager())\n")
    (workspace / "notifiers.yaml").write_text("desktop:\n  type: desktop\noncall:\n  type: pager\n")
    rules.write_text(original.replace("{notifier: desktop, target: executives", "{notifier: oncall, target: executives", 1))
    assert cli("rules", "check").code == 0
    assert cli("escalations", "due").code == 0
    assert cli("rules", "explain", incident_id).code == 0


def test_watch_reloads_notifiers_and_rules_when_their_files_change(workspace, receiver):
    (workspace / "notifiers.yaml").write_text("desktop:\n  type: desktop\nmm:\n  type: webhook\n  url: env:MM_URL\n"
                                              "  chanel: ops\n")
    with open_desk(workspace, actor="dana") as desk:
        service = NotifyService(desk.workspace, desk.plugins, environ={"MM_URL": receiver.url()})
        assert list(service.settings.broken) == ["mm"]
        cycles = []

        def on_cycle(cycle):
            cycles.append(cycle)
            if len(cycles) == 1:  # the operator fixes the typo and edits a rule while watch runs
                (workspace / "notifiers.yaml").write_text("desktop:\n  type: desktop\nmm:\n  type: webhook\n"
                                                          "  url: env:MM_URL\n")
                rules = workspace / "rules" / "escalation.yaml"
                rules.write_text(rules.read_text().replace("max: 3", "max: 4"))

        run_watch(service, interval=0.01, on_cycle=on_cycle, max_cycles=2,
                  reload=desk.rules.reload_if_changed)
    assert cycles[0].misconfigured == 1 and cycles[0].reloaded == []
    assert cycles[1].misconfigured == 0
    assert cycles[1].reloaded[0] == "notifiers.yaml changed: reloaded; usable notifiers: desktop, mm"
    assert cycles[1].reloaded[1].startswith(f"the rule files in {workspace / 'rules'} changed: reloaded (digest ")


def test_invalid_rule_edits_keep_the_rules_in_force(workspace):
    with open_desk(workspace, actor="dana") as desk:
        before = desk.rules.ruleset.digest
        rules = workspace / "rules" / "escalation.yaml"
        rules.write_text(rules.read_text().replace("after: 5m", "after: soon"))
        (note,) = desk.rules.reload_if_changed()
        assert "changed but have 1 problem; the previous rules stay in force" in note
        assert desk.rules.ruleset.digest == before


def test_plugins_works_without_a_workspace(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(missing))
    assert main(["plugins", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["configured"] is None and "desktop" in {n["type"] for n in data["notifiers"]}
    assert not missing.exists()


def test_every_command_warns_about_a_misconfigured_notifier_until_it_is_fixed(cli, workspace):
    (workspace / "notifiers.yaml").write_text(NOTIFIERS, encoding="utf-8")
    declare_sev1(cli)
    for command in (("list",), ("list",), ("action", "list")):  # the second one answers from the cache
        result = cli(*command)
        assert result.code == 0, result.err
        assert "warning: notifier 'mm' is misconfigured" in result.err and "mm.chanel" in result.err
    (workspace / "notifiers.yaml").write_text(NOTIFIERS.replace("  chanel: ops\n", ""), encoding="utf-8")
    fixed = cli("list")
    assert fixed.code == 0 and "misconfigured" not in fixed.err


def test_the_cheap_drop_in_folder_lookup_agrees_with_the_plugin_manager(tmp_path, monkeypatch):
    from incident_desk.app.config import plugins_folder
    from incident_desk.plugin import default_plugins_dir

    monkeypatch.setenv("INCIDENT_DESK_PLUGINS_DIR", str(tmp_path / "elsewhere"))
    assert plugins_folder() == default_plugins_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("INCIDENT_DESK_PLUGINS_DIR")
    assert plugins_folder() == default_plugins_dir()
